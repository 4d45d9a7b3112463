from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "lianxin.registry"
    verbose_name = _("四库台账")
