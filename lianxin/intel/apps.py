from django.apps import AppConfig
from django.conf import settings
from django.core.signals import request_started
from django.utils.translation import gettext_lazy as _

WARM_UP_UID = "lianxin.intel.warm_up"


class IntelConfig(AppConfig):
    name = "lianxin.intel"
    verbose_name = _("智能辅助")

    def ready(self):
        from lianxin.cases.signals import case_events_committed
        from lianxin.intel.tasks import on_case_events_committed

        case_events_committed.connect(on_case_events_committed, dispatch_uid="lianxin.intel")
        connect_warm_up()


def connect_warm_up() -> None:
    """Warm the place reader up after a web process's first request (of any page), in a
    background thread: the first duplicate check or topic page then finds jieba loaded.
    Not at start-up: management commands and a server's parent process need none of it.
    INTEL_WARM_UP = False in the settings turns it off."""
    request_started.connect(_warm_up_after_first_request, dispatch_uid=WARM_UP_UID)


def _warm_up_after_first_request(sender, **kwargs) -> None:
    request_started.disconnect(dispatch_uid=WARM_UP_UID)
    if getattr(settings, "INTEL_WARM_UP", True):
        from lianxin.intel.places import warm_up_in_background

        warm_up_in_background()
