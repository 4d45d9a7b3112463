"""What every request of a signed-in user passes through: the staff idle timeout."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

from lianxin.accounts.models import holds_staff_role

LAST_SEEN_KEY = "lianxin_last_seen"  # epoch seconds of the session's last request
STAFF_KEY = "lianxin_staff"  # whether the session's user is staff, computed once
TIMED_OUT_KEY = "lianxin_timed_out"  # set in the fresh session after an idle sign-out
# The session is written at most this often just to move LAST_SEEN_KEY: a request a
# second would otherwise write the session row a second.
TOUCH_SECONDS = 60


def is_staff_session(request) -> bool:
    if STAFF_KEY not in request.session:
        request.session[STAFF_KEY] = holds_staff_role(request.user)
    return request.session[STAFF_KEY]


class StaffIdleTimeoutMiddleware:
    """Staff sessions end after STAFF_IDLE_MINUTES without a request: a workbench left
    open on a shared office computer shows residents' data to whoever sits down next.
    Residents keep Django's session age; their pages show only their own cases."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        minutes = settings.STAFF_IDLE_MINUTES
        if minutes > 0 and request.user.is_authenticated and is_staff_session(request):
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY, now)
            if now - last_seen > minutes * 60:
                logout(request)
                request.session[TIMED_OUT_KEY] = True
                return redirect_to_login(request.get_full_path())
            if now - last_seen >= TOUCH_SECONDS or LAST_SEEN_KEY not in request.session:
                request.session[LAST_SEEN_KEY] = now
        response = self.get_response(request)
        if request.user.is_authenticated and LAST_SEEN_KEY not in request.session:
            # Signed in by this request: its idle time starts now.
            request.session[LAST_SEEN_KEY] = int(time.time())
        return response
