"""Builders for rounds and visits in tests and the demo's checks.

Visits are recorded by the visits part's action (do_record_visit), which is not on this
branch: these builders write the rows the action would, with the model's fields as fixed
on main, so that the read side can be tested now.
"""

import datetime as dt

from lianxin.registry.models import Household, Round, Visit, VisitDue
from lianxin.workdays.days import local_date


def a_round(number: int, starts: dt.datetime, ends: dt.datetime, status="open") -> Round:
    return Round.objects.create(
        number=number,
        title=f"第{number}轮大走访",
        status=status,
        starts_on=local_date(starts),
        ends_on=local_date(ends),
        opened_at=starts,
    )


def visit(
    household: Household,
    round_: Round | None,
    when: dt.datetime,
    *,
    met: bool = True,
    method: str = Visit.Method.IN_PERSON,
    by,
) -> Visit:
    return Visit.objects.create(
        round=round_,
        household=household,
        pair_id=household.pair_id,
        visited_at=when,
        method=method,
        met=met,
        recorded_by=by,
        recorded_at=when,
    )


def due(
    household: Household,
    round_: Round | None,
    *,
    opened: dt.datetime,
    due_at: dt.datetime,
    kind: str = VisitDue.Kind.PRIORITY,
    done_by: Visit | None = None,
) -> VisitDue:
    return VisitDue.objects.create(
        kind=kind, household=household, round=round_, opened_at=opened, due_at=due_at, visit=done_by
    )
