"""Queue planned messages as rows, and send one: the row is the truth, jobs only carry it.

1. `queue_messages` renders each planned message with its kind's active template and
   inserts the rows; a row that exists already (same dedupe key) is left alone.
2. `send_message` claims a pending row with a conditional UPDATE (so two workers never
   send the same message), calls the backend outside any transaction, and records
   the outcome: sent, or the error and the time of the next attempt, with back-off,
   until its attempts are spent (`BACKOFF`); then the message is marked failed.
3. `sweep` puts back rows whose worker died mid-send and lists rows due for an
   attempt, so a lost job loses no message.
"""

import datetime as dt
import logging

from django.utils import timezone

from lianxin import retry
from lianxin.notify.backends import SmsError, get_backend
from lianxin.notify.kinds import render
from lianxin.notify.models import Channel, Message, MessageTemplate
from lianxin.notify.routing import Planned

logger = logging.getLogger(__name__)

# 1, 2, 4, 8 minutes, then failed (docs/notifications.md). A text is news: one that a
# gateway refused for a quarter of an hour is given up rather than sent late and stale.
# Webhooks, a data feed, retry sooner and once more (lianxin.webhooks.sending).
BACKOFF = retry.Backoff(first=60, cap=3600, max_attempts=5)


def queue_messages(planned: list[Planned]) -> list[int]:
    """Insert the planned messages that are not queued yet; returns the new rows' ids."""
    if not planned:
        return []
    templates = dict(
        MessageTemplate.objects.filter(channel=Channel.SMS, active=True).values_list("code", "text")
    )
    now = timezone.now()
    rows = [
        Message(
            kind=item.kind,
            phone=item.phone,
            recipient_id=item.recipient_id,
            case_id=item.case_id,
            event_id=item.event_id,
            text=render(templates[item.kind], item.values),
            next_attempt_at=now,
            dedupe_key=item.dedupe_key,
        )
        for item in planned
        if item.kind in templates  # a kind switched off in the admin is not sent
    ]
    keys = [row.dedupe_key for row in rows]
    existing = set(Message.objects.filter(dedupe_key__in=keys).values_list("pk", flat=True))
    Message.objects.bulk_create(rows, ignore_conflicts=True)
    fresh = Message.objects.filter(dedupe_key__in=keys).exclude(pk__in=existing)
    return list(fresh.values_list("pk", flat=True))


def send_message(pk: int, *, now: dt.datetime | None = None) -> int | None:
    """Try to send one message. Returns the seconds until a retry is due, or None when
    there is nothing more to do (sent, failed for good, or not ours to send)."""
    if not retry.claim(Message, pk, now or timezone.now()):
        return None
    message = Message.objects.get(pk=pk)
    attempts = message.attempts + 1
    try:
        provider_id = get_backend().send(message.phone, message.text)
    except Exception as error:  # a broken backend must never stop the queue
        if not isinstance(error, SmsError):
            logger.exception("SMS backend failed on message %s", pk)
        error_text = f"{type(error).__name__}: {error}"
        logger.warning("SMS %s attempt %s failed: %s", pk, attempts, error_text)
        return retry.record_failure(Message, pk, attempts, error_text, BACKOFF)
    Message.objects.filter(pk=pk).update(
        status=Message.Status.SENT,
        attempts=attempts,
        sent_at=timezone.now(),
        next_attempt_at=None,
        provider_id=provider_id[:100],
        last_error="",
    )
    return None


def sweep(now: dt.datetime | None = None) -> list[int]:
    """Put back messages stuck mid-send; return the ids of those due for an attempt."""
    return retry.sweep(Message, now or timezone.now())
