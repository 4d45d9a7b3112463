from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntelConfig(AppConfig):
    name = "lianxin.intel"
    verbose_name = _("智能辅助")
