"""Queue planned messages as rows, and send one: the row is the truth, jobs only carry it.

1. `queue_messages` renders each planned message with its kind's active template and
   inserts the rows; a row that exists already (same dedupe key) is left alone.
2. `send_message` claims a pending row with a conditional UPDATE (so two workers never
   send the same message), calls the backend outside any transaction, and records
   the outcome: sent, or the error and the time of the next attempt, with back-off,
   until MAX_ATTEMPTS; then the message is marked failed.
3. `sweep` puts back rows whose worker died mid-send and lists rows due for an
   attempt, so a lost job loses no message.
"""

import datetime as dt
import logging

from django.db.models import Q
from django.utils import timezone

from lianxin.notify.backends import SmsError, get_backend
from lianxin.notify.kinds import render
from lianxin.notify.models import Channel, Message, MessageTemplate
from lianxin.notify.routing import Planned

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
FIRST_RETRY_SECONDS = 60
MAX_RETRY_SECONDS = 3600
# A message claimed longer ago than this was in a worker that died.
STUCK_AFTER = dt.timedelta(minutes=10)
# The sweep leaves a just-due message to the job already queued for it.
SWEEP_GRACE = dt.timedelta(minutes=2)


def retry_delay(attempts: int) -> int:
    """Seconds before the next attempt after `attempts` failures: 60, 120, 240, … ≤ 1 hour."""
    return min(FIRST_RETRY_SECONDS * 2 ** (attempts - 1), MAX_RETRY_SECONDS)


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
    now = now or timezone.now()
    claimed = Message.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        pk=pk,
        status=Message.Status.PENDING,
    ).update(status=Message.Status.SENDING, next_attempt_at=now)
    if not claimed:
        return None
    message = Message.objects.get(pk=pk)
    attempts = message.attempts + 1
    try:
        provider_id = get_backend().send(message.phone, message.text)
    except Exception as error:  # a broken backend must never stop the queue
        if not isinstance(error, SmsError):
            logger.exception("SMS backend failed on message %s", pk)
        return _failed(message, attempts, f"{type(error).__name__}: {error}")
    Message.objects.filter(pk=pk).update(
        status=Message.Status.SENT,
        attempts=attempts,
        sent_at=timezone.now(),
        next_attempt_at=None,
        provider_id=provider_id[:100],
        last_error="",
    )
    return None


def _failed(message: Message, attempts: int, error: str) -> int | None:
    final = attempts >= MAX_ATTEMPTS
    delay = None if final else retry_delay(attempts)
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.FAILED if final else Message.Status.PENDING,
        attempts=attempts,
        last_error=error[:2000],
        next_attempt_at=None if final else timezone.now() + dt.timedelta(seconds=delay),
    )
    logger.warning("SMS %s attempt %s failed: %s", message.pk, attempts, error)
    return delay


def sweep(now: dt.datetime | None = None) -> list[int]:
    """Put back messages stuck mid-send; return the ids of those due for an attempt."""
    now = now or timezone.now()
    Message.objects.filter(
        status=Message.Status.SENDING, next_attempt_at__lt=now - STUCK_AFTER
    ).update(status=Message.Status.PENDING)
    due = Message.objects.filter(
        status=Message.Status.PENDING, next_attempt_at__lte=now - SWEEP_GRACE
    )
    return list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:1000])
