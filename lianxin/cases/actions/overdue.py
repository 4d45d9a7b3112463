"""The periodic scan that records each missed deadline once."""

import datetime as dt
import functools

from django.db import connection, transaction
from django.db.models import F, Q, QuerySet

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
    3. Insert their events with one INSERT … SELECT, move the cursor, commit, and
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
    """One statement for any number of cases: no case or event objects in Python."""
    matched = cases.order_by().values(ref=F("pk"), state=F("status"))
    select_sql, select_params = matched.query.sql_with_params()
    table = CaseEvent._meta.db_table
    sql = (
        f"INSERT INTO {table} (case_id, code, at, from_status, to_status, note, public, data) "  # noqa: S608
        f"SELECT matched.ref, %s, %s, matched.state, matched.state, '', %s, '{{}}' "
        f"FROM ({select_sql}) AS matched RETURNING id"
    )
    at_param = connection.ops.adapt_datetimefield_value(at)
    with connection.cursor() as cursor:
        cursor.execute(sql, [code, at_param, False, *select_params])
        return [row[0] for row in cursor.fetchall()]
