from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.signin import AdminSignInForm
from lianxin.accounts.views import PasswordChangeView, SignInView, two_factor, two_factor_setup
from lianxin.ops import metrics as ops_metrics
from lianxin.ops import views as ops_views
from lianxin.portal.views import PasswordResetConfirmView, PasswordResetView

admin.site.site_header = _("连心 · 系统管理")
admin.site.site_title = _("连心")
admin.site.index_title = _("系统管理")

urlpatterns = [
    # The admin signs in on the staff page's form and lockout; admin.site's own
    # login view is never reached (this pattern comes first).
    path(
        "admin/login/",
        SignInView.as_view(form_class=AdminSignInForm, next_page=reverse_lazy("admin:index")),
        name="admin_login",
    ),
    path("admin/", admin.site.urls),
    path("login/", SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login/two-factor/", two_factor, name="two_factor"),
    path("login/two-factor/setup/", two_factor_setup, name="two_factor_setup"),
    path("password/", PasswordChangeView.as_view(), name="password_change"),
    # Staff with a phone on their account reset through it, as residents do on /m/.
    path(
        "password/reset/",
        PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            confirm_url=reverse_lazy("password_reset_confirm"),
        ),
        name="password_reset",
    ),
    path(
        "password/reset/confirm/",
        PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            start_url=reverse_lazy("password_reset"),
            done_url=reverse_lazy("login"),
        ),
        name="password_reset_confirm",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", ops_views.healthz, name="healthz"),
    path("metrics", ops_metrics.metrics, name="metrics"),
    path("m/", include("lianxin.portal.urls")),
    path("open311/v2/", include("lianxin.open311.urls")),
    path("figures/", include("lianxin.figures.urls")),
    path("map/", include("lianxin.geo.urls")),
    path("ledgers/", include("lianxin.ledgers.urls")),
    path("intel/", include("lianxin.intel.urls")),
    path("registry/", include("lianxin.registry.urls")),
    path("visits/", include("lianxin.registry.visit_urls")),
    path("programs/", include("lianxin.programs.urls")),
    path("volunteers/", include("lianxin.volunteers.urls")),
    path("projects/", include("lianxin.projects.urls")),
    path("hazards/", include("lianxin.hazards.urls")),
    path("", include("lianxin.workbench.urls")),
]
# MEDIA is never served as files, not even in DEBUG: photos go out through the case
# pages' photo views, which check who asks and send headers that stop a script running.
