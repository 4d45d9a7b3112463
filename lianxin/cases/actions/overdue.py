"""The periodic scan that records each missed deadline once."""

import datetime as dt

from django.db import transaction
from django.db.models import Q

from lianxin.cases.actions.common import now_or
from lianxin.cases.models import FINAL_STATUSES, HANDLING_STATUSES, Case, CaseEvent, Status
from lianxin.cases.signals import case_event_committed

BATCH = 2000

# (event code, the cases that just missed it, the field that remembers it was recorded)
WATCHES = (
    (
        "cases.case.reply_overdue",
        lambda now: (
            Q(replied_at__isnull=True, reply_overdue_at__isnull=True, reply_due_at__lt=now)
            & ~Q(status__in=FINAL_STATUSES)
        ),
        "reply_overdue_at",
    ),
    (
        "cases.case.resolution_overdue",
        lambda now: Q(
            resolved_at__isnull=True,
            resolve_overdue_at__isnull=True,
            resolve_due_at__lt=now,
            status__in=HANDLING_STATUSES,
        ),
        "resolve_overdue_at",
    ),
    (
        "cases.case.constrained_review_due",
        lambda now: Q(
            status=Status.CONSTRAINED,
            review_reminded_at__isnull=True,
            constrained_review_at__lt=now,
        ),
        "review_reminded_at",
    ),
)


def do_record_overdue_cases(*, when: dt.datetime | None = None) -> dict[str, int]:
    """Find cases that went past a deadline since the last scan and record one event each.

    1. Take a batch of matching cases, skipping rows someone is acting on right now
       (they are picked up by the next scan).
    2. Stamp the remembering field, so that no later scan records them again.
    3. Write one event per case, in bulk, in the same transaction.
    """
    now = now_or(when)
    counts = {}
    for code, condition, stamp in WATCHES:
        counts[code] = 0
        while True:
            with transaction.atomic():
                batch = list(
                    Case.objects.filter(condition(now))
                    .select_for_update(skip_locked=True)
                    .order_by("pk")
                    .values_list("pk", "status")[:BATCH]
                )
                if not batch:
                    break
                Case.objects.filter(pk__in=[pk for pk, _status in batch]).update(**{stamp: now})
                events = CaseEvent.objects.bulk_create(
                    CaseEvent(
                        case_id=pk, code=code, at=now, from_status=status, to_status=status, data={}
                    )
                    for pk, status in batch
                )
                transaction.on_commit(
                    lambda events=events: [
                        case_event_committed.send(sender=CaseEvent, event=event) for event in events
                    ]
                )
            counts[code] += len(batch)
    return counts
