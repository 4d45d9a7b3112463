from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UpstreamConfig(AppConfig):
    name = "lianxin.upstream"
    verbose_name = _("市级平台对接")
