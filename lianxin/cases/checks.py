from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_chain_key(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """`check --deploy`: the timeline's hash key should not be SECRET_KEY (docs/security.md)."""
    if settings.AUDIT_CHAIN_KEY != settings.SECRET_KEY:
        return []
    return [
        Warning(
            "AUDIT_CHAIN_KEY is not set: the case timeline's hash chain is keyed with "
            "SECRET_KEY, so rotating SECRET_KEY will make every chain look broken.",
            hint="Set AUDIT_CHAIN_KEY once, to a long random value kept apart from the "
            "database, and never change it.",
            id="lianxin.cases.W001",
        )
    ]
