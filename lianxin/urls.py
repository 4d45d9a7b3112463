from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("连心 · 系统管理")
admin.site.site_title = _("连心")
admin.site.index_title = _("系统管理")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("m/", include("lianxin.portal.urls")),
    path("open311/v2/", include("lianxin.open311.urls")),
    path("figures/", include("lianxin.figures.urls")),
    path("map/", include("lianxin.geo.urls")),
    path("ledgers/", include("lianxin.ledgers.urls")),
    path("intel/", include("lianxin.intel.urls")),
    path("registry/", include("lianxin.registry.urls")),
    path("visits/", include("lianxin.registry.visit_urls")),
    path("", include("lianxin.workbench.urls")),
]
# MEDIA is never served as files, not even in DEBUG: photos go out through the case
# pages' photo views, which check who asks and send headers that stop a script running.
