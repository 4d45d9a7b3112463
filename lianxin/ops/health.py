"""`/healthz`: is this service able to do its work? For a load balancer and for people.

Each check answers a dict with `ok` and what it measured, never a secret: an error is
named by its class only (a database error's text holds the host and the user). The
thresholds are settings (HEALTHZ_*, docs/deploy.md).
"""

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from huey import Huey
from huey.contrib.djhuey import HUEY

from lianxin.ops import queue

Check = dict[str, Any]


def failed(error: BaseException) -> Check:
    return {"ok": False, "error": type(error).__name__}


def check_database(connection: BaseDatabaseWrapper | None = None) -> Check:
    connection = connection or connections["default"]
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return failed(error)
    return {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}


def check_queue(huey: Huey | None = None) -> Check:
    """The queue's storage takes a write and says how many jobs wait."""
    huey = huey or HUEY
    try:
        huey.put("lianxin:healthz", time.time())
        pending = huey.pending_count()
    except Exception as error:
        return failed(error)
    limit = settings.HEALTHZ_QUEUE_MAX_PENDING
    result: Check = {"ok": not limit or pending <= limit, "pending": pending}
    if limit:
        result["limit"] = limit
    return result


def age_check(last: float | None, limit_minutes: int) -> Check:
    if last is None:
        return {"ok": False, "age_minutes": None, "limit_minutes": limit_minutes}
    age = max(0.0, (time.time() - last) / 60)
    return {
        "ok": age <= limit_minutes,
        "age_minutes": round(age, 1),
        "limit_minutes": limit_minutes,
    }


def check_overdue_scan() -> Check:
    """The consumer runs the periodic jobs: the case overdue scan completed lately."""
    try:
        last = queue.heartbeat("record_overdue_cases")
    except Exception as error:
        return failed(error)
    return age_check(last, settings.HEALTHZ_OVERDUE_SCAN_MINUTES)


def check_upstream() -> Check:
    """The last successful pull from the city platform, when the exchange is on."""
    from lianxin.upstream.models import UpstreamSettings

    try:
        config = UpstreamSettings.objects.filter(pk=1).first()
    except Exception as error:
        return failed(error)
    if config is None or not config.enabled:
        return {"ok": True, "enabled": False}
    last = config.last_pull_ok_at.timestamp() if config.last_pull_ok_at else None
    # A district may poll rarely: three polling intervals are never "late".
    limit = max(settings.HEALTHZ_UPSTREAM_MINUTES, 3 * config.poll_minutes)
    result = age_check(last, limit)
    result.update(enabled=True, failures=config.pull_failures)
    return result


CHECKS: dict[str, Callable[[], Check]] = {
    "database": check_database,
    "queue": check_queue,
    "overdue_scan": check_overdue_scan,
    "upstream": check_upstream,
}


def report(only: list[str] | None = None) -> dict[str, Any]:
    names = [name for name in CHECKS if not only or name in only]
    checks = {name: CHECKS[name]() for name in names}
    failing = [name for name, result in checks.items() if not result["ok"]]
    return {"status": "failing" if failing else "ok", "failing": failing, "checks": checks}
