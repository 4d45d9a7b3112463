from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the service: health, logs with request ids, metrics (docs/deploy.md)."""

    name = "lianxin.ops"
    verbose_name = "运维"

    def ready(self) -> None:
        from lianxin.ops import queue

        queue.connect()
