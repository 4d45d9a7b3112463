from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "lianxin.webhooks"
    verbose_name = _("事件推送")
