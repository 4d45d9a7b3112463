from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UpstreamConfig(AppConfig):
    name = "lianxin.upstream"
    verbose_name = _("市级平台对接")

    def ready(self):
        from lianxin.cases.signals import case_events_committed
        from lianxin.upstream.push import on_case_events_committed

        case_events_committed.connect(on_case_events_committed, dispatch_uid="upstream_outbox")
