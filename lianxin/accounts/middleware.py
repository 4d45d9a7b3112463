"""What every request of a signed-in member of staff passes through: the idle timeout,
then the second factor. Both read the session only, so that a page costs no query for
them; what they need is worked out at sign-in (`on_sign_in`) and again at most once a
minute, when the session is written anyway to move the last-seen time."""

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from lianxin.accounts.models import User, holds_staff_role
from lianxin.accounts.two_factor import OTP_OK_KEY, second_factor_due

LAST_SEEN_KEY = "lianxin_last_seen"  # epoch seconds of the session's last request
STAFF_KEY = "lianxin_staff"  # whether the session's user is staff
DUE_KEY = "lianxin_2fa_due"  # second_factor_due() for the session's user, until he gives it
TIMED_OUT_KEY = "lianxin_timed_out"  # set in the fresh session after an idle sign-out
# The session is written at most this often just to move LAST_SEEN_KEY: a request a
# second would otherwise write the session row a second.
TOUCH_SECONDS = 60


def _look_up(request: HttpRequest, user: Any) -> None:
    session = request.session
    session[STAFF_KEY] = holds_staff_role(user)
    session[LAST_SEEN_KEY] = int(time.time())
    if session[STAFF_KEY] and not session.get(OTP_OK_KEY):
        # A district that turns the second factor on reaches sessions already open.
        session[DUE_KEY] = second_factor_due(user)


def on_sign_in(sender: object, request: HttpRequest | None, user: User, **kwargs: object) -> None:
    """Receiver of `user_logged_in` (every sign-in page, and tests' force_login)."""
    if request is not None and hasattr(request, "session"):
        _look_up(request, user)


class StaffIdleTimeoutMiddleware:
    """Staff sessions end after STAFF_IDLE_MINUTES without a request: a workbench left
    open on a shared office computer shows residents' data to whoever sits down next.
    Residents keep Django's session age; their pages show only their own cases."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            session = request.session
            now = int(time.time())
            last_seen = session.get(LAST_SEEN_KEY)
            if last_seen is None or now - last_seen >= TOUCH_SECONDS:
                if self._idle_too_long(session, now, last_seen):
                    logout(request)
                    request.session[TIMED_OUT_KEY] = True
                    return redirect_to_login(request.get_full_path())
                _look_up(request, request.user)
        return self.get_response(request)

    @staticmethod
    def _idle_too_long(session: Any, now: int, last_seen: int | None) -> bool:
        minutes = settings.STAFF_IDLE_MINUTES
        if minutes <= 0 or last_seen is None or not session.get(STAFF_KEY):
            return False
        return now - last_seen > minutes * 60


class TwoFactorMiddleware:
    """A member of staff who owes a second factor may only give it (or enrol, or sign
    out) until he has: every other page, the admin site's included, sends him there."""

    ALLOWED = ("two_factor", "two_factor_setup", "logout", "admin:logout")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and not request.session.get(OTP_OK_KEY):
            due = request.session.get(DUE_KEY)
            if due and not self._allowed(request.path):
                target = reverse("two_factor" if due == "verify" else "two_factor_setup")
                return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    def _allowed(self, path: str) -> bool:
        if path.startswith(("/" + settings.STATIC_URL.lstrip("/"), "/i18n/")):
            return True
        return path in {reverse(name) for name in self.ALLOWED}
