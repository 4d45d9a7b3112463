"""Pushing our progress on cases that came from the city platform back to it.

Which events are owed: the table `PUSHED` below. How nothing is lost: the case
event row itself is the durable record, written in the action's transaction. A
receiver of `case_events_committed` turns new events into outbox rows at once
(`record_pushes`), and the periodic job sweeps for events that have none
(`sweep_missing`), so an event whose receiver never ran (the process died just
after the commit) is still pushed. The event's primary key is unique in the
outbox, so the two paths never write two rows. How nothing is sent twice: a row
is claimed with a lease before it is sent and marked sent after a 2xx; a resend
after a lost response carries the same `update_id` for upstream to drop.
"""

import datetime as dt
import logging
from collections.abc import Callable

from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from lianxin import retry
from lianxin.cases.models import CaseEvent, CasePart, Satisfaction
from lianxin.orgs.models import Unit
from lianxin.upstream.client import GeoReportClient, UpstreamError, format_w3c
from lianxin.upstream.models import PushState, UpstreamOrder, UpstreamPush, UpstreamSettings

logger = logging.getLogger(__name__)

# Statuses of mySociety's servicerequestupdates extension.
OPEN, INVESTIGATING, IN_PROGRESS, FIXED, CLOSED = (
    "OPEN",
    "INVESTIGATING",
    "IN_PROGRESS",
    "FIXED",
    "CLOSED",
)
DUPLICATE, NO_FURTHER_ACTION = "DUPLICATE", "NO_FURTHER_ACTION"
CLOSING = frozenset({CLOSED, DUPLICATE, NO_FURTHER_ACTION})

# A claimed row is not claimed again for this long (longer than one request can take).
# Not `lianxin.retry.claim`'s pending → sending: a row out for sending must stay pending
# to hold back its order's later rows (`_due_heads`), and a dead worker's row is free
# again when its lease runs out, with no sweep.
CLAIM_LEASE = dt.timedelta(minutes=5)
BATCH = 200


def _unit_name(pk) -> str:
    return Unit.objects.filter(pk=pk).values_list("name", flat=True).first() or ""


def _dispatched(event: CaseEvent):
    return INVESTIGATING, _("已派至%(unit)s办理。") % {"unit": _unit_name(event.data.get("lead"))}


def _accepted(event: CaseEvent):
    if event.part is None or event.part.role != CasePart.Role.LEAD:
        return None  # co-handlers and summoned units: the city hears of the lead's work
    return IN_PROGRESS, _("%(unit)s已接单，正在办理。") % {"unit": event.part.unit.name}


def _claimed(event: CaseEvent):
    unit = event.actor_unit.name if event.actor_unit else ""
    return IN_PROGRESS, _("%(unit)s已认领并开始办理。") % {"unit": unit}


def _return_visited(event: CaseEvent):
    satisfaction = event.data.get("satisfaction")
    label = Satisfaction(satisfaction).label if satisfaction in Satisfaction.values else ""
    text = _("回访结果：%(satisfaction)s。") % {"satisfaction": label}
    if event.note:
        comment = event.note.strip()
        text += comment if comment.endswith(("。", "！", "？", ".", "!", "?")) else comment + "。"
    if satisfaction == Satisfaction.UNSATISFIED:
        return IN_PROGRESS, text + _("已退回重新办理。")
    return CLOSED, text


def _with_note(status: str, fallback: str | None = None) -> Callable:
    def build(event: CaseEvent):
        return status, event.note or str(fallback or "")

    return build


# Our event code → (upstream status, description). Codes not listed are not pushed:
# internal steps (notes, returns, extensions, escalations) stay in the district.
PUSHED: dict[str, Callable] = {
    "cases.case.dispatched": _dispatched,
    "cases.case.split": _dispatched,
    "cases.part.accepted": _accepted,
    "cases.case.claimed": _claimed,
    "cases.case.replied": _with_note(IN_PROGRESS),
    "cases.case.constrained": _with_note(IN_PROGRESS),
    "cases.case.resumed": _with_note(IN_PROGRESS),
    "cases.case.resolved": _with_note(FIXED),
    "cases.case.verification_failed": lambda event: (
        IN_PROGRESS,
        _("核查未通过，已退回重新办理。"),
    ),
    "cases.case.return_visited": _return_visited,
    "cases.case.withdrawn": _with_note(CLOSED),
    "cases.case.voided": _with_note(NO_FURTHER_ACTION),
    "cases.case.merged": _with_note(DUPLICATE),
}


def update_id(event_id: int) -> str:
    """The idempotency key of a push: our event id, stable across resends."""
    return f"lianxin-{event_id}"


def build_payload(event: CaseEvent, order: UpstreamOrder) -> dict | None:
    """The body of the servicerequestupdates POST for `event`; None when nothing is owed."""
    builder = PUSHED.get(event.code)
    built = builder(event) if builder else None
    if built is None:
        return None
    status, description = built
    if status in CLOSING and order.upstream_status == "closed":
        return None  # upstream closed it first (and we followed): nothing to tell it
    return {
        "service_request_id": order.upstream_id,
        "update_id": update_id(event.pk),
        "updated_datetime": format_w3c(event.at),
        "status": status,
        "description": str(description),
        # Beyond the extension: our own status, for an upstream that wants the detail.
        "external_status_code": event.to_status,
        "last_name": event.actor_unit.name if event.actor_unit else "",
    }


def _rows_for(events, now: dt.datetime) -> list[UpstreamPush]:
    rows = []
    for event in events:
        order = event.case.upstream_order
        payload = build_payload(event, order)
        rows.append(
            UpstreamPush(
                order=order,
                event=event,
                payload=payload or {},
                state=PushState.PENDING if payload else PushState.SKIPPED,
                next_attempt_at=now,
            )
        )
    return rows


def _events():
    return CaseEvent.objects.filter(
        code__in=PUSHED, case__upstream_order__isnull=False
    ).select_related("case__upstream_order", "part__unit", "actor_unit")


def _any_upstream_case(event_ids) -> bool:
    """Whether any of the events is of a case that came from the city platform.

    Every workflow action asks this after its commit, and most cases never came from
    there: one indexed lookup in plain SQL spares them the outbox query, whose joins cost
    the ORM about as much CPU as the registration itself."""
    events, orders = CaseEvent._meta.db_table, UpstreamOrder._meta.db_table
    marks = ", ".join(["%s"] * len(event_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {events} e JOIN {orders} o ON o.case_id = e.case_id "  # noqa: S608
            f"WHERE e.id IN ({marks}) LIMIT 1",
            list(event_ids),
        )
        return cursor.fetchone() is not None


def record_pushes(event_ids, *, now: dt.datetime | None = None) -> int:
    """Outbox rows for the given events of upstream cases; returns how many are to be sent."""
    if not event_ids or not _any_upstream_case(event_ids):
        return 0
    rows = _rows_for(_events().filter(pk__in=event_ids), now or timezone.now())
    UpstreamPush.objects.bulk_create(rows, ignore_conflicts=True)
    return sum(row.state == PushState.PENDING for row in rows)


def sweep_missing(*, now: dt.datetime | None = None) -> int:
    """Outbox rows for events of watched orders that have none (their receiver never ran)."""
    events = (
        _events()
        .filter(case__upstream_order__watching=True, upstream_push__isnull=True)
        .order_by("pk")[:BATCH]
    )
    rows = _rows_for(events, now or timezone.now())
    if rows:
        UpstreamPush.objects.bulk_create(rows, ignore_conflicts=True)
        logger.warning("upstream outbox: %d event(s) found without a push row", len(rows))
    return len(rows)


def on_case_events_committed(sender, event_ids, **kwargs) -> None:
    """Receiver: write the outbox rows and wake the push job. Never raises: the case's
    change is committed already, and the sweep catches anything missed here."""
    try:
        if record_pushes(event_ids):
            from lianxin.upstream.tasks import push_to_upstream

            push_to_upstream()
    except Exception:
        logger.exception("upstream outbox: could not record events %s", event_ids)


def push_due(
    config: UpstreamSettings,
    *,
    now: dt.datetime | None = None,
    client: GeoReportClient | None = None,
) -> dict:
    """Send the pending rows that are due, oldest event first within each order.

    Only an order's oldest pending row may go: a failure puts it into back-off and
    holds back the order's later rows, so upstream never sees our steps out of order.
    A failure to reach upstream at all (no HTTP status) ends the run: the other rows
    would only wait for the same timeout.
    """
    now = now or timezone.now()
    client = client or GeoReportClient(config)
    summary = {"sent": 0, "failed": 0, "unreachable": 0}
    for _round in range(MAX_ROUNDS):
        heads = list(_due_heads(now)[:BATCH])
        if not heads:
            break
        for row in heads:
            outcome = _send(config, client, row, now)
            if outcome is not None:
                summary[outcome] += 1
            if outcome == "unreachable":
                return summary
    return summary


MAX_ROUNDS = 50


def _due_heads(now: dt.datetime):
    earlier = UpstreamPush.objects.filter(
        order=OuterRef("order"), state=PushState.PENDING, event_id__lt=OuterRef("event_id")
    )
    return (
        UpstreamPush.objects.filter(state=PushState.PENDING, next_attempt_at__lte=now)
        .exclude(Exists(earlier))
        .select_related("order")
        .order_by("event_id")
    )


def _send(config, client, row: UpstreamPush, now: dt.datetime) -> str | None:
    claimed = UpstreamPush.objects.filter(
        pk=row.pk, state=PushState.PENDING, next_attempt_at=row.next_attempt_at
    ).update(next_attempt_at=now + CLAIM_LEASE)
    if not claimed:
        return None  # another consumer has it
    try:
        status_code, answer = client.post_update(row.payload)
    except UpstreamError as exc:
        attempts = row.attempts + 1
        # The schedule the pull keeps too, capped in the settings. Never given up, unlike
        # messages and deliveries: the order's later steps wait behind this row, so
        # dropping it would either stall the order or tell the city our steps out of order.
        wait = config.backoff(attempts)
        UpstreamPush.objects.filter(pk=row.pk).update(
            attempts=attempts,
            next_attempt_at=now + wait,
            last_error=str(exc)[: retry.ERROR_LENGTH],
            last_status_code=exc.status_code,
        )
        logger.warning(
            "upstream push of event %s for order %s failed (attempt %d, next in %s): %s",
            row.event_id,
            row.order.upstream_id,
            attempts,
            wait,
            exc,
        )
        return "failed" if exc.status_code is not None else "unreachable"
    UpstreamPush.objects.filter(pk=row.pk).update(
        state=PushState.SENT,
        attempts=row.attempts + 1,
        sent_at=now,
        last_error="",
        last_status_code=status_code,
        remote_update_id=str(answer.get("update_id") or "")[:100],
    )
    return "sent"
