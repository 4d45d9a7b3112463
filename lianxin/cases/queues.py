"""The work queues of the staff inbox: which of the cases a user sees wait on him, and for what.

Each queue is a filter on the cases the user may see; the inbox counts them all
in one query, and each count opens the list of exactly those cases.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Actor
from lianxin.cases.access import Standing, standing_of
from lianxin.cases.models import (
    FINAL_STATUSES,
    HANDLING_STATUSES,
    Case,
    CasePart,
    CaseQuerySet,
    ExtensionRequest,
    Status,
)
from lianxin.orgs.models import DistrictSettings
from lianxin.text import Message
from lianxin.workdays.days import add_working_days, end_of_day


@dataclass(frozen=True)
class Queue:
    code: str
    label: Message
    # Who has the queue, and the filter given the user's standing and the moments that matter.
    applies: Callable[[Standing], bool]
    condition: Callable[[Standing, "Moments"], Q]


@dataclass(frozen=True)
class Moments:
    now: dt.datetime
    due_soon_until: dt.datetime


def moments(now: dt.datetime | None = None) -> Moments:
    now = now or timezone.now()
    days = DistrictSettings.load().due_soon_working_days
    return Moments(now, end_of_day(add_working_days(timezone.localtime(now).date(), days)))


def _handles(standing: Standing) -> bool:
    return bool(standing.handling_unit_ids)


def _everyone(standing: Standing) -> bool:
    return True


def _office(standing: Standing) -> bool:
    return standing.office


# Conditions on a case's parts or extension requests are `pk IN (subquery)`, not EXISTS:
# PostgreSQL then reads the few matching rows once into a hash, instead of probing the
# subquery once for every open case the inbox counts.


def _my_parts(standing: Standing, status: str) -> Q:
    return Q(
        pk__in=CasePart.objects.filter(unit__in=standing.handling_unit_ids, status=status).values(
            "case_id"
        )
    )


def _mine(standing: Standing) -> Q:
    """Cases the user's units lead; the office and leaders answer for all."""
    if standing.sees_whole_district:
        return Q()
    return (
        Q(lead_unit__in=standing.handling_unit_ids)
        | Q(street__in=standing.area_unit_ids)
        | Q(community__in=standing.area_unit_ids)
        | Q(grid__in=standing.area_unit_ids)
    )


def overdue(m: Moments) -> Q:
    reply_missed = Q(replied_at__isnull=True, reply_due_at__lt=m.now) & ~Q(
        status__in=FINAL_STATUSES
    )
    resolution_missed = Q(
        resolved_at__isnull=True, resolve_due_at__lt=m.now, status__in=HANDLING_STATUSES
    )
    return reply_missed | resolution_missed


def reply_due_soon(m: Moments) -> Q:
    return Q(
        replied_at__isnull=True,
        reply_due_at__gte=m.now,
        reply_due_at__lte=m.due_soon_until,
        status__in=HANDLING_STATUSES,
    )


QUEUES = [
    Queue(
        "to_dispatch",
        _("待派单"),
        _office,
        lambda s, m: Q(status=Status.REGISTERED, open_for_claim=False),
    ),
    Queue(
        "to_claim",
        _("待认领"),
        lambda s: bool(s.department_ids),
        lambda s, m: Q(status=Status.REGISTERED, open_for_claim=True),
    ),
    Queue("to_accept", _("待接单"), _handles, lambda s, m: _my_parts(s, "assigned")),
    Queue(
        "in_progress",
        _("办理中"),
        _everyone,
        lambda s, m: Q(status__in=(Status.IN_PROGRESS, Status.REPLIED)) & _mine(s),
    ),
    Queue("reply_due_soon", _("答复临期"), _everyone, lambda s, m: reply_due_soon(m) & _mine(s)),
    Queue("overdue", _("已逾期"), _everyone, lambda s, m: overdue(m) & _mine(s)),
    Queue(
        "returned",
        _("退单待审核"),
        _office,
        lambda s, m: Q(
            pk__in=CasePart.objects.filter(
                status=CasePart.PartStatus.RETURNED, return_reviewed_at__isnull=True
            ).values("case_id")
        ),
    ),
    Queue(
        "extensions",
        _("延期待审批"),
        _office,
        lambda s, m: Q(
            pk__in=ExtensionRequest.objects.filter(
                decision=ExtensionRequest.Decision.PENDING
            ).values("case_id")
        ),
    ),
    Queue("to_verify", _("待核查"), _office, lambda s, m: Q(status=Status.RESOLVED)),
    Queue("to_revisit", _("待回访"), _office, lambda s, m: Q(status=Status.VERIFIED)),
    Queue(
        "escalated",
        _("已提级"),
        lambda s: s.office or s.leader,
        lambda s, m: Q(escalated=True) & ~Q(status__in=FINAL_STATUSES),
    ),
    Queue(
        "my_leadership",
        _("我包案的"),
        lambda s: s.leader,
        lambda s, m: Q(leader_id=s.user_id) & ~Q(status__in=FINAL_STATUSES),
    ),
]
BY_CODE = {queue.code: queue for queue in QUEUES}


def _open_cases_of(user: Actor) -> CaseQuerySet:
    """Where every queue looks: no queue holds a case that is over, and leaving those out
    lets PostgreSQL read the open cases alone (the partial index `case_open`), a few
    percent of a district's history."""
    return Case.objects.visible_to(user).exclude(status__in=FINAL_STATUSES)


def queues_for(user: Actor) -> list[Queue]:
    standing = standing_of(user)
    return [queue for queue in QUEUES if queue.applies(standing)]


def queue_cases(user: Actor, code: str, m: Moments | None = None) -> CaseQuerySet | None:
    """The cases in one of the user's queues (None if the queue is not his)."""
    queue = BY_CODE.get(code)
    standing = standing_of(user)
    if queue is None or not queue.applies(standing):
        return None
    return _open_cases_of(user).filter(queue.condition(standing, m or moments()))


def queue_counts(user: Actor, m: Moments | None = None) -> list[tuple[Queue, int]]:
    """Every queue of the user with its count, in one query."""
    standing = standing_of(user)
    m = m or moments()
    mine = queues_for(user)
    counts = _open_cases_of(user).aggregate(
        **{q.code: Count("pk", filter=q.condition(standing, m)) for q in mine}
    )
    return [(queue, counts[queue.code]) for queue in mine]


def overdue_by_unit(user: Actor, m: Moments | None = None) -> list[dict[str, Any]]:
    """Overdue cases counted by their lead unit, worst first (the leader's view)."""
    m = m or moments()
    return list(
        Case.objects.visible_to(user)
        .filter(overdue(m), lead_unit__isnull=False)
        .values("lead_unit", "lead_unit__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "lead_unit__name")
    )
