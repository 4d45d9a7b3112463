from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running the service: health, logs with request ids, metrics (docs/deploy.md)."""

    name = "lianxin.ops"
    verbose_name = _("运维")

    def ready(self) -> None:
        from lianxin.ops import queue

        queue.connect()
        if settings.SENTRY_DSN:
            start_sentry()


def start_sentry() -> None:
    """Imported here only: a district without Sentry never loads it."""
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.huey import HueyIntegration

    from lianxin.ops.logs import current_request_id

    def tag_request_id(event, hint):
        request_id = current_request_id()
        if request_id:
            event.setdefault("tags", {})["request_id"] = request_id
        return event

    sentry_sdk.init(
        dsn=settings.SENTRY_DSN,
        environment=settings.SENTRY_ENVIRONMENT,
        integrations=[DjangoIntegration(), HueyIntegration()],
        send_default_pii=False,
        traces_sample_rate=settings.SENTRY_TRACES_SAMPLE_RATE,
        before_send=tag_request_id,
    )
