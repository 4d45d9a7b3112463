from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "lianxin.webhooks"
    verbose_name = _("事件推送")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from lianxin.cases.signals import case_events_committed
        from lianxin.webhooks.models import Subscription
        from lianxin.webhooks.sending import wanted_codes
        from lianxin.webhooks.tasks import on_case_events_committed

        case_events_committed.connect(on_case_events_committed, dispatch_uid="lianxin.webhooks")
        for signal in (post_save, post_delete):
            signal.connect(wanted_codes.clear, sender=Subscription, weak=False)
