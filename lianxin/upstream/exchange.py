"""What the periodic job does each minute: pull when due, sweep the outbox, push what is owed.

Kept apart from `tasks.py` so that tests and commands call the plain functions.
Nothing here raises: a failing upstream is logged and retried with back-off, and
the workflow never waits for it.
"""

import datetime as dt
import logging

from django.utils import timezone

from lianxin.upstream.models import UpstreamSettings
from lianxin.upstream.pull import run_pull
from lianxin.upstream.push import push_due, sweep_missing

logger = logging.getLogger(__name__)


def run_exchange(*, now: dt.datetime | None = None) -> dict:
    """Pull (if the polling interval has passed) and push; nothing when disabled."""
    config = UpstreamSettings.load()
    if not config.enabled or not config.base_url or config.actor_id is None:
        return {"enabled": False}
    now = now or timezone.now()
    summary: dict = {"enabled": True}
    try:
        summary["pull"] = run_pull(config, now=now)
    except Exception:
        logger.exception("upstream pull crashed")
    summary["push"] = run_push(config=config, now=now)
    return summary


def run_push(*, config: UpstreamSettings | None = None, now: dt.datetime | None = None):
    """Sweep events without a push row, then send the rows that are due."""
    config = config or UpstreamSettings.load()
    if not config.enabled or not config.base_url:
        return None
    now = now or timezone.now()
    try:
        sweep_missing(now=now)
        return push_due(config, now=now)
    except Exception:
        logger.exception("upstream push crashed")
        return None
