from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "lianxin.geo"
    verbose_name = _("地图")
