"""The periodic scan that records each missed deadline once."""

import datetime as dt
import functools
from typing import Any

from django.db import connection, transaction
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

BATCH = 1000  # 8 parameters a row: within SQLite's limit of 32,766

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

    1. Lock the matched cases in id order, as the actions lock them (so that an action on
       one of them waits, or is waited for, and the chain stays one line; the order rules
       out deadlocks with a merge, which locks two cases in id order too).
    2. Per batch of locked ids, read each case's chain head (a subquery on the (case, seq)
       index) in a statement of its own: a statement that waited for a lock still sees
       the snapshot it started with, so heads read by the locking statement could be
       stale. The batch is an id range of the same filter, not a list of ids, and a case
       that came to match after the lock is left for the next scan.
    3. Insert the batch's events with one multi-row INSERT.
    """
    locked = list(cases.select_for_update().order_by("pk").values_list("pk", flat=True))
    heads = CaseEvent.objects.filter(case=OuterRef("pk")).order_by("-seq")
    key = chain.chain_key()
    event_ids: list[int] = []
    for start in range(0, len(locked), BATCH):
        ids = locked[start : start + BATCH]
        wanted = set(ids)
        matched = (
            cases.filter(pk__gte=ids[0], pk__lte=ids[-1])
            .order_by()
            .annotate(
                head_seq=Subquery(heads.values("seq")[:1]),
                head_chain=Subquery(heads.values("chain")[:1]),
            )
            .values_list("pk", "status", "head_seq", "head_chain")
        )
        rows: list[tuple[int, str, int, str]] = []
        for case_id, status, head_seq, head_chain in matched:
            if case_id not in wanted:
                continue
            seq = (head_seq or 0) + 1
            values: dict[str, Any] = {
                "case_id": case_id,
                "seq": seq,
                "part_id": None,
                "code": code,
                "actor_id": None,
                "actor_unit_id": None,
                "at": at,
                "from_status": status,
                "to_status": status,
                "note": "",
                "public": False,
                "data": {},
            }
            rows.append((case_id, status, seq, chain.link(values, head_chain or "", key)))
        event_ids += _insert_rows(rows, code, at)
    return event_ids


def _insert_rows(rows: list[tuple[int, str, int, str]], code: str, at: dt.datetime) -> list[int]:
    """One INSERT for a batch of (case, status, seq, chain), without model objects (which
    cost more than the statement on a first scan of every case). On PostgreSQL the batch
    goes as four arrays, so that the statement stays short to build and to parse."""
    if not rows:
        return []
    table = CaseEvent._meta.db_table
    columns = "case_id, code, at, from_status, to_status, note, public, data, seq, chain"
    at_param = connection.ops.adapt_datetimefield_value(at)
    if connection.vendor == "postgresql":
        case_ids, statuses, seqs, links = (list(column) for column in zip(*rows, strict=True))
        sql = (
            f"INSERT INTO {table} ({columns}) "  # noqa: S608
            "SELECT u.case_id, %s, %s, u.status, u.status, '', false, '{}', u.seq, u.chain "
            "FROM unnest(%s::bigint[], %s::text[], %s::integer[], %s::text[]) "
            "AS u(case_id, status, seq, chain) RETURNING id"
        )
        params: list[Any] = [code, at_param, case_ids, statuses, seqs, links]
    else:
        values = ", ".join(["(%s, %s, %s, %s, %s, '', %s, '{}', %s, %s)"] * len(rows))
        sql = f"INSERT INTO {table} ({columns}) VALUES {values} RETURNING id"  # noqa: S608
        params = []
        for case_id, status, seq, link in rows:
            params += [case_id, code, at_param, status, status, False, seq, link]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]
