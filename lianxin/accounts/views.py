"""The sign-in pages of staff and of the admin site, the second factor, and the password
change (the residents' pages on /m/ subclass these)."""

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lianxin.accounts.middleware import DUE_KEY, TIMED_OUT_KEY
from lianxin.accounts.models import User
from lianxin.accounts.signin import (
    StaffSignInForm,
    clear_account_failures,
    count_signin_failure,
    locked_message,
    signin_locked,
)
from lianxin.accounts.two_factor import (
    ENROLLING_KEY,
    OTP_OK_KEY,
    do_check_second_factor,
    do_enrol_totp,
    has_device,
    new_secret,
    qr_code_svg,
)
from lianxin.ratelimit import client_address


class SignInView(LoginView):
    """Django's sign-in page, answering 429 while the account or the address is locked."""

    form_class: type[AuthenticationForm] = StaffSignInForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # Said once, on the page the idle timeout sent the user to.
        timed_out = self.request.session.pop(TIMED_OUT_KEY, False)
        return super().get_context_data(timed_out=timed_out, **kwargs)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        if getattr(form, "locked", False):
            response.status_code = 429
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password, checked by AUTH_PASSWORD_VALIDATORS; the session stays."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("workbench:home")

    def form_valid(self, form: Any) -> HttpResponse:
        messages.success(self.request, _("密码已修改。"))
        return super().form_valid(form)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _passed(request: HttpRequest) -> None:
    request.session[OTP_OK_KEY] = True
    request.session.pop(DUE_KEY, None)
    request.session.cycle_key()  # a new session id for the fully signed-in session


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """The code after the password: from the app, or one recovery code."""
    user = cast(User, request.user)  # login_required
    if request.session.get(OTP_OK_KEY):
        return redirect(_next_url(request))
    if not has_device(user):
        return redirect(f"{reverse('two_factor_setup')}?{urlencode({'next': _next_url(request)})}")
    error, status = "", 200
    if request.method == "POST":
        address = client_address(request)
        if signin_locked(user.username, address):
            error, status = locked_message(), 429
        elif do_check_second_factor(user, request.POST.get("code", "")):
            clear_account_failures(user.username)
            _passed(request)
            return redirect(_next_url(request))
        else:
            count_signin_failure(user.username, address)
            error = _("验证码不正确。请输入验证器应用中当前的6位数字，或一个备用验证码。")
    context = {"error": error, "next": _next_url(request)}
    return render(request, "accounts/two_factor.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code, give one code, keep the recovery
    codes. Someone who has an app already must give its code first, so that a stolen
    password cannot enrol a new app in place of the owner's."""
    user = cast(User, request.user)  # login_required
    if has_device(user) and not request.session.get(OTP_OK_KEY):
        return redirect(f"{reverse('two_factor')}?{urlencode({'next': _next_url(request)})}")
    secret = request.session.get(ENROLLING_KEY) or new_secret()
    request.session[ENROLLING_KEY] = secret
    error = ""
    if request.method == "POST":
        codes = do_enrol_totp(user, secret, request.POST.get("code", ""))
        if codes is not None:
            del request.session[ENROLLING_KEY]
            _passed(request)
            shown = {"codes": codes, "next": _next_url(request)}
            return render(request, "accounts/two_factor_codes.html", shown)
        error = _("验证码不正确，请输入验证器应用中当前显示的6位数字。")
    context: dict[str, Any] = {
        "qr": qr_code_svg(user, secret),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "error": error,
        "next": _next_url(request),
        "required": request.session.get(DUE_KEY) == "enrol",
    }
    return render(request, "accounts/two_factor_setup.html", context)
