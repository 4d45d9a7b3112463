"""The sign-in pages of staff and of the admin site, and the password change (the
residents' pages on /m/ subclass these)."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import LoginView
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from lianxin.accounts.middleware import TIMED_OUT_KEY
from lianxin.accounts.signin import StaffSignInForm


class SignInView(LoginView):
    """Django's sign-in page, answering 429 while the account or the address is locked."""

    form_class = StaffSignInForm

    def get_context_data(self, **kwargs):
        # Said once, on the page the idle timeout sent the user to.
        timed_out = self.request.session.pop(TIMED_OUT_KEY, False)
        return super().get_context_data(timed_out=timed_out, **kwargs)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if getattr(form, "locked", False):
            response.status_code = 429
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password, checked by AUTH_PASSWORD_VALIDATORS; the session stays."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("workbench:home")

    def form_valid(self, form):
        messages.success(self.request, _("密码已修改。"))
        return super().form_valid(form)
