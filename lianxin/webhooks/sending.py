"""Make deliveries for committed events and send them, with back-off, keeping a log.

1. `make_deliveries` writes one row per (active subscription that wants the event,
   event); a row that exists already is left alone, so a job run twice sends once.
2. `deliver` claims a pending row with a conditional UPDATE, POSTs its body outside
   any transaction with a timeout, logs the attempt (status code, duration, error),
   and marks the row delivered, or pending again after a growing delay, or failed
   once its attempts are spent (`BACKOFF`).
3. `sweep` puts back rows whose worker died and lists rows due for an attempt.
"""

import datetime as dt
import logging
import time
import uuid

import requests
from django.utils import timezone
from django.utils.translation import gettext

from lianxin import retry
from lianxin.cache import memo
from lianxin.cases.models import CaseEvent
from lianxin.webhooks.models import Attempt, Delivery, Subscription
from lianxin.webhooks.payload import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    event_body,
    ping_body,
    sign,
)

logger = logging.getLogger(__name__)

# 30 s, 1, 2, 4, 8 minutes, then failed (docs/notifications.md). Sooner and once more
# than a text message (lianxin.notify.outbox): a partner's endpoint is mostly down for a
# restart or a deploy, and a data feed late by a minute is still worth having.
BACKOFF = retry.Backoff(first=30, cap=3600, max_attempts=6)
# (connect, read) seconds: a slow endpoint costs a worker at most this long per attempt.
TIMEOUT = (5, 10)
USER_AGENT = "Lianxin-Webhooks/1.0"


# Most districts subscribe to nothing: then a committed action should not even enqueue
# a job. Each process reads the codes wanted at most once a minute; saving or deleting
# a subscription clears its own process's copy, the others follow within the minute.
@memo(60)
def wanted_codes() -> frozenset[str]:
    """The event codes some active subscription wants."""
    rows = Subscription.objects.filter(active=True).values_list("events", flat=True)
    return frozenset(code for events in rows for code in events or [])


def make_deliveries(event_ids: list[int]) -> list[int]:
    """Write the deliveries the events call for; returns the new rows' ids."""
    subscriptions = [s for s in Subscription.objects.filter(active=True) if s.events]
    if not subscriptions:
        return []
    wanted = {code for s in subscriptions for code in s.events}
    events = (
        CaseEvent.objects.filter(pk__in=event_ids, code__in=wanted)
        .select_related("case__category", "case__lead_unit", "case__street", "case__community")
        .order_by("pk")
    )
    now = timezone.now()
    rows = []
    for event in events:
        for subscription in subscriptions:
            if subscription.wants(event.code):
                delivery_id = uuid.uuid4()
                rows.append(
                    Delivery(
                        delivery_id=delivery_id,
                        subscription=subscription,
                        event=event,
                        event_code=event.code,
                        body=event_body(str(delivery_id), event),
                        next_attempt_at=now,
                    )
                )
    if not rows:
        return []
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    # Rows that lost to an earlier run's keep that run's delivery id and are not ours.
    made = Delivery.objects.filter(delivery_id__in=[row.delivery_id for row in rows])
    return list(made.values_list("pk", flat=True))


def make_test_delivery(subscription: Subscription) -> Delivery:
    delivery_id = uuid.uuid4()
    return Delivery.objects.create(
        delivery_id=delivery_id,
        subscription=subscription,
        event_code=Delivery.TEST_CODE,
        body=ping_body(str(delivery_id), Delivery.TEST_CODE, gettext("测试推送")),
        next_attempt_at=timezone.now(),
    )


def deliver(pk: int, *, now: dt.datetime | None = None) -> int | None:
    """Try one delivery. Returns the seconds until a retry is due, or None when there is
    nothing more to do (delivered, failed for good, or not ours to send)."""
    if not retry.claim(Delivery, pk, now or timezone.now()):
        return None
    delivery = Delivery.objects.select_related("subscription").get(pk=pk)
    body = delivery.body.encode("utf-8")
    delivery_id = str(delivery.delivery_id)
    # Signed anew on every attempt: a receiver refuses an old timestamp, so a captured
    # delivery cannot be replayed, and the retry keeps its id to be recognised.
    timestamp = int(timezone.now().timestamp())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        EVENT_HEADER: delivery.event_code,
        DELIVERY_HEADER: delivery_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(
            delivery.subscription.secret, body, timestamp=timestamp, delivery_id=delivery_id
        ),
    }
    started_at = timezone.now()
    start = time.monotonic()
    status_code, error, excerpt = None, "", ""
    try:
        response = requests.post(
            delivery.subscription.url,
            data=body,
            headers=headers,
            timeout=TIMEOUT,
            allow_redirects=False,  # a redirect would turn the POST into a GET elsewhere
        )
        status_code, excerpt = response.status_code, response.text[:500]
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except requests.RequestException as exc:
        error = f"{type(exc).__name__}: {exc}"
    duration_ms = int((time.monotonic() - start) * 1000)
    Attempt.objects.create(
        delivery=delivery,
        at=started_at,
        status_code=status_code,
        duration_ms=duration_ms,
        error=error[:2000],
        response_excerpt=excerpt,
    )
    attempts = delivery.attempts + 1
    if not error:
        Delivery.objects.filter(pk=pk).update(
            status=Delivery.Status.DELIVERED,
            delivered_at=timezone.now(),
            next_attempt_at=None,
            attempts=attempts,
            last_status_code=status_code,
            last_error="",
        )
        return None
    logger.warning("Webhook delivery %s attempt %s failed: %s", pk, attempts, error)
    return retry.record_failure(
        Delivery, pk, attempts, error, BACKOFF, last_status_code=status_code
    )


def sweep(now: dt.datetime | None = None) -> list[int]:
    """Put back deliveries stuck mid-send; return the ids of those due for an attempt."""
    return retry.sweep(Delivery, now or timezone.now())
