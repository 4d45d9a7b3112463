"""The sign-in pages of staff and of the admin site (the residents' is on /m/)."""

from django.contrib.auth.views import LoginView

from lianxin.accounts.signin import StaffSignInForm


class SignInView(LoginView):
    """Django's sign-in page, answering 429 while the account or the address is locked."""

    form_class = StaffSignInForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if getattr(form, "locked", False):
            response.status_code = 429
        return response
