"""The periodic scan that records each missed deadline once."""

import datetime as dt
import functools

from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery

from lianxin.cases import chain
from lianxin.cases.actions.common import now_or
from lianxin.cases.models import (
    FINAL_STATUSES,
    HANDLING_STATUSES,
    Case,
    CaseEvent,
    DeadlineScan,
    Status,
)
from lianxin.cases.signals import announce

BATCH = 2000

# (event code, the deadline field, which cases still owe what that deadline asks)
WATCHES = (
    (
        "cases.case.reply_overdue",
        "reply_due_at",
        Q(replied_at__isnull=True) & ~Q(status__in=FINAL_STATUSES),
    ),
    (
        "cases.case.resolution_overdue",
        "resolve_due_at",
        Q(resolved_at__isnull=True, status__in=HANDLING_STATUSES),
    ),
    (
        "cases.case.constrained_review_due",
        "constrained_review_at",
        Q(status=Status.CONSTRAINED),
    ),
)


def do_record_overdue_cases(*, when: dt.datetime | None = None) -> dict[str, int]:
    """Record one event for each case whose deadline passed since the last scan.

    1. Lock the watch's cursor, so that two consumers never scan the same window.
    2. Select the cases whose deadline lies in (previous scan, now] and that still
       owe what it asked; the first scan ever looks at all of the past.
    3. Lock them, chain an event onto each (in batches), move the cursor, commit, and
       announce the events.

    A deadline that moves (an extension, a reopening, a resumed case) gets a new
    moment, which a later window catches. Case rows are never written here.
    """
    now = now_or(when)
    counts = {}
    for code, field, owing in WATCHES:
        with transaction.atomic():
            cursor, created = DeadlineScan.objects.select_for_update().get_or_create(
                watch=code, defaults={"scanned_to": now}
            )
            window = Q(**{f"{field}__lte": now})
            if not created:
                if cursor.scanned_to >= now:
                    counts[code] = 0
                    continue
                window &= Q(**{f"{field}__gt": cursor.scanned_to})
            event_ids = _insert_events(Case.objects.filter(window & owing), code, now)
            cursor.scanned_to = now
            cursor.save(update_fields=["scanned_to"])
            transaction.on_commit(functools.partial(announce, event_ids))
        counts[code] = len(event_ids)
    return counts


def _insert_events(cases: QuerySet[Case], code: str, at: dt.datetime) -> list[int]:
    """Chain one event onto each case, a batch at a time, without case objects in Python.

    The matched cases are locked in id order, as the actions lock them (so that an
    action on one of them waits, or is waited for, and the chain stays one line; the
    order rules out deadlocks with a merge, which locks two cases in id order too).
    Each case's chain head is then read by a subquery on the (case, seq) index.
    """
    # Lock first, read the heads after: a statement that waited for a lock still sees the
    # snapshot it started with, so heads read in the locking statement could be stale.
    locked = list(cases.select_for_update().order_by("pk").values_list("pk", flat=True))
    heads = CaseEvent.objects.filter(case=OuterRef("pk")).order_by("-seq")
    key = chain.chain_key()
    event_ids: list[int] = []
    for start in range(0, len(locked), BATCH):
        matched = (
            Case.objects.filter(pk__in=locked[start : start + BATCH])
            .annotate(
                head_seq=Subquery(heads.values("seq")[:1]),
                head_chain=Subquery(heads.values("chain")[:1]),
            )
            .values_list("pk", "status", "head_seq", "head_chain")
        )
        batch = []
        for case_id, status, head_seq, head_chain in matched:
            event = CaseEvent(
                case_id=case_id,
                code=code,
                at=at,
                from_status=status,
                to_status=status,
                seq=(head_seq or 0) + 1,
            )
            event.chain = chain.link(chain.values_of(event), head_chain or "", key)
            batch.append(event)
        event_ids += [e.pk for e in CaseEvent.objects.bulk_create(batch)]
    return event_ids
