"""Signing in: wrong passwords lock out the account tried and the address trying.

Every sign-in page (staff, residents on /m/, the admin's) uses these forms, so the three
share one count. The count lives in the shared cache (lianxin/ratelimit.py) in fixed
windows of SIGNIN_LOCKOUT_MINUTES: once an account or an address has used up its wrong
tries, even the right password is refused until the window ends or an administrator
unlocks the account. A locked attempt is not counted, so it does not prolong the lock.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from lianxin.ratelimit import Limit, client_address


def _limits() -> tuple[Limit, Limit]:
    # Read at call time, so that settings overridden in a test or by the operator apply.
    window = max(settings.SIGNIN_LOCKOUT_MINUTES, 1) * 60
    return (
        Limit("signin-account", settings.SIGNIN_FAILURES_PER_ACCOUNT, window),
        Limit("signin-address", settings.SIGNIN_FAILURES_PER_ADDRESS, window),
    )


def account_key(username: str) -> str:
    """The account a try counts against: as typed, without spaces and case, so that
    `Admin` and ` admin` do not each get their own tries."""
    return "".join((username or "").split()).casefold()


def signin_locked(username: str, address: str) -> bool:
    by_account, by_address = _limits()
    return by_account.exceeded(account_key(username)) or by_address.exceeded(address)


def count_signin_failure(username: str, address: str) -> None:
    by_account, by_address = _limits()
    by_account.hit(account_key(username))
    by_address.hit(address)


def clear_account_failures(username: str) -> None:
    """Forget the account's wrong tries (the address's count stays): after the right
    password, or when an administrator unlocks it."""
    by_account, _by_address = _limits()
    by_account.reset(account_key(username))


def locked_message() -> str:
    return _("登录失败次数过多，请%(minutes)d分钟后再试。") % {
        "minutes": max(settings.SIGNIN_LOCKOUT_MINUTES, 1)
    }


class LockoutAuthenticationForm(AuthenticationForm):
    """Refuse a locked account or address before the password is checked; count a
    wrong password against both. `locked` tells the view to answer 429."""

    locked = False

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        if username is None or not self.cleaned_data.get("password"):
            return super().clean()
        address = client_address(self.request) if self.request else ""
        if signin_locked(username, address):
            self.locked = True
            raise forms.ValidationError(locked_message(), code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if self.user_cache is None:  # a wrong password, not an inactive account
                count_signin_failure(username, address)
            raise
        clear_account_failures(username)
        return cleaned


class StaffSignInForm(LockoutAuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码不正确，请重新输入。"),
        "inactive": _("该账号已停用。"),
    }


class ResidentSignInForm(LockoutAuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("手机号或密码不正确，请重新输入。"),
        "inactive": _("该账号已停用。"),
    }


class AdminSignInForm(LockoutAuthenticationForm, AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码不正确，请重新输入。"),
        "inactive": _("该账号已停用。"),
    }
