"""Builders for rounds and visits in tests and the demo's checks.

These write the rows directly (a visit at any moment, a due already done), which the
actions would refuse or could not set up; each one recounts its household in the
coverage tally, as a batch write around the actions must.
"""

import datetime as dt

from lianxin.registry.coverage_tally import recounting
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
    with recounting([household.pk]):
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
    with recounting([household.pk]):
        return VisitDue.objects.create(
            kind=kind,
            household=household,
            round=round_,
            opened_at=opened,
            due_at=due_at,
            visit=done_by,
        )
