"""Huey jobs: turn committed case events into messages, send them, remind, retry."""

import datetime as dt
import logging

from django.db.models import Q
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from lianxin.cases.models import CaseEvent
from lianxin.notify.models import PhoneCode
from lianxin.notify.outbox import queue_messages, send_message, sweep
from lianxin.notify.routing import plan_event, plan_reply_due

logger = logging.getLogger(__name__)

# How old an event may be, when its transaction commits, and still be news.
NEWS_WINDOW = dt.timedelta(days=2)


@db_task()
def notify_events(event_ids: list[int]) -> int:
    """Queue the messages that committed case events call for, then send them."""
    events = (
        CaseEvent.objects.filter(pk__in=event_ids)
        .select_related("case", "part__unit", "actor_unit")
        .order_by("pk")
    )
    planned = [item for event in events for item in plan_event(event)]
    ids = queue_messages(planned)
    if ids:
        send_messages(ids)
    return len(ids)


@db_task()
def send_messages(message_ids: list[int]) -> None:
    """Send each message; a failure schedules its own retry after a growing delay."""
    for pk in message_ids:
        delay = send_message(pk)
        if delay is not None:
            send_messages.schedule(args=([pk],), delay=delay)


@db_periodic_task(crontab(minute="5"))
def remind_reply_due() -> int:
    """Hourly, and once a day per case and person: replies due by the next working day."""
    ids = queue_messages(plan_reply_due())
    if ids:
        send_messages(ids)
    return len(ids)


@db_periodic_task(crontab(minute="*/5"))
def resend_due_messages() -> int:
    """Catch messages whose job was lost (a restart, a full queue): the rows remember them."""
    ids = sweep()
    if ids:
        send_messages(ids)
    return len(ids)


# How long a spent or expired code is kept: a day, the longest window of the code limits,
# so that the rows still show what was asked that day when someone looks into abuse.
PHONE_CODE_KEEP = dt.timedelta(days=1)


@db_periodic_task(crontab(hour="3", minute="17"))
def remove_old_phone_codes() -> int:
    """Delete codes expired more than a day ago, except a signed-in resident's proof of
    his account's phone, which `account_phone_verified` reads for as long as he keeps it
    (an account whose phone is proved asks for no more codes, so these stay few). The
    rate limits count in the cache, not in these rows."""
    stale = PhoneCode.objects.filter(expires_at__lt=timezone.now() - PHONE_CODE_KEEP)
    proofs = Q(user__isnull=False, verified_at__isnull=False)
    deleted, _ = stale.exclude(proofs).delete()
    return deleted


def on_case_events_committed(sender, event_ids, **kwargs) -> None:
    """Receiver of `case_events_committed`: one job per committed batch, nothing more.

    It runs in the request that committed the case, so it only enqueues; if the queue
    is unreachable the case change still stands (and is logged), never an error page.
    Events recorded with a time long past (imports, the demo's history, an order the
    city platform sends late) are history, not news: they text nobody and queue nothing.
    """
    if not event_ids:
        return  # the overdue scan announces each watch, found or not
    try:
        news = list(
            CaseEvent.objects.filter(
                pk__in=event_ids, at__gte=timezone.now() - NEWS_WINDOW
            ).values_list("pk", flat=True)
        )
        if news:
            notify_events(news)
    except Exception:
        logger.exception("Could not queue notifications for events %s", event_ids)
