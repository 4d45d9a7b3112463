"""Huey jobs: make deliveries for committed case events, send them, retry the lost ones."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from lianxin.webhooks.sending import deliver, make_deliveries, sweep, wanted_codes

logger = logging.getLogger(__name__)


@db_task()
def fan_out_events(event_ids: list[int]) -> int:
    ids = make_deliveries(event_ids)
    for pk in ids:
        send_delivery(pk)
    return len(ids)


@db_task()
def send_delivery(delivery_pk: int) -> None:
    """One POST; a failure schedules the next attempt after a growing delay."""
    delay = deliver(delivery_pk)
    if delay is not None:
        send_delivery.schedule(args=(delivery_pk,), delay=delay)


@db_periodic_task(crontab(minute="*/5"))
def resend_due_deliveries() -> int:
    """Catch deliveries whose job was lost: the rows remember them."""
    ids = sweep()
    for pk in ids:
        send_delivery(pk)
    return len(ids)


def on_case_events_committed(sender, event_ids, **kwargs) -> None:
    """Receiver of `case_events_committed`: only enqueue; a queue that is down is logged
    and never turns a committed case change into an error page."""
    if not event_ids:
        return  # the overdue scan announces each watch, found or not
    try:
        if not wanted_codes():
            return  # nobody subscribes: not even a job
        fan_out_events(list(event_ids))
    except Exception:
        logger.exception("Could not queue webhook deliveries for events %s", event_ids)
