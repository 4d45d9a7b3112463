from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "lianxin.notify"
    verbose_name = _("短信通知")

    def ready(self):
        from lianxin.cases.signals import case_events_committed
        from lianxin.notify.tasks import on_case_events_committed

        case_events_committed.connect(on_case_events_committed, dispatch_uid="lianxin.notify")

        from lianxin.notify.lapses import on_lapses_recorded
        from lianxin.projects.signals import lapses_recorded

        lapses_recorded.connect(on_lapses_recorded, dispatch_uid="lianxin.notify.lapses")
