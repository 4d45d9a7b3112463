"""Who is to be visited, in what order: queries over the registers, never rows of their own.

A round's worklist for a pair is the pair's active households; what a cadre sees first is
what is most pressing: a due already missed, then a 及时访, then a 重点访, then households
not yet visited this round, and last those already visited.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianxin.cases.access import standing_of
from lianxin.registry.access import _current_pair_ids, households_visible_to
from lianxin.registry.models import Household, Round, Visit, VisitDue
from lianxin.text import Message

RANK_OVERDUE, RANK_URGENT, RANK_PRIORITY, RANK_UNVISITED, RANK_VISITED = range(5)


def round_worklist(round_: Round, pair) -> QuerySet[Household]:
    """The households `pair` is to visit in `round_`, each with `visited` (this round)."""
    return (
        Household.objects.filter(pair=pair, active=True)
        .annotate(visited=Exists(Visit.objects.filter(round=round_, household=OuterRef("pk"))))
        .order_by("visited", "address_key")
    )


def visiting_scope(user) -> Q | None:
    """A filter on Household for those `user` visits or records visits for: a cadre's own
    pair's; else, for staff who may record visits, those of their community or grid (the
    office: all). None for those who visit no one."""
    pair_ids = _current_pair_ids(user)
    if pair_ids:
        return Q(pair__in=pair_ids)
    standing = standing_of(user)
    if standing.office or standing.admin:
        return Q()
    if standing.community_ids or standing.grid_ids:
        return Q(community__in=standing.community_ids) | Q(grid__in=standing.grid_ids)
    return None


def households_to_visit(user) -> QuerySet[Household]:
    scope = visiting_scope(user)
    if scope is None:
        return Household.objects.none()
    return households_visible_to(user).filter(scope, active=True)


def visiting_rank(
    households: QuerySet[Household], round_: Round | None, now: dt.datetime | None = None
) -> QuerySet[Household]:
    """`households` in visiting order (see the module), annotated with only what orders
    them, `rank` and `next_due_at`: cheap enough to sort a whole district by."""
    now = now or timezone.now()
    open_dues = VisitDue.objects.filter(household=OuterRef("pk"), visit__isnull=True)
    # The most pressing of a household's open dues in one subquery (its lowest rank), rather
    # than an EXISTS per kind of due that the ranking CASE would repeat.
    due_rank = open_dues.annotate(
        due_rank=Case(
            When(due_at__lt=now, then=Value(RANK_OVERDUE)),
            When(kind=VisitDue.Kind.URGENT, then=Value(RANK_URGENT)),
            default=Value(RANK_PRIORITY),
            output_field=IntegerField(),
        )
    )
    visited_rank: Case | Value
    if round_ is not None:
        visited_rank = Case(
            When(
                Exists(Visit.objects.filter(round=round_, household=OuterRef("pk"))),
                then=Value(RANK_VISITED),
            ),
            default=Value(RANK_UNVISITED),
            output_field=IntegerField(),
        )
    else:
        visited_rank = Value(RANK_UNVISITED)
    return households.annotate(
        rank=Coalesce(Subquery(due_rank.order_by("due_rank").values("due_rank")[:1]), visited_rank),
        # A subquery, not Min over a join: the join groups every household with its
        # dues, and the paginator's count would repeat that for the whole list.
        next_due_at=Subquery(open_dues.order_by("due_at").values("due_at")[:1]),
    ).order_by("rank", "next_due_at", "address_key")


def in_visiting_order(
    households: QuerySet[Household], round_: Round | None, now: dt.datetime | None = None
) -> QuerySet[Household]:
    """`households` ranked by what is due first (see the module), each annotated with
    `rank`, `next_due_at`, `overdue`, `urgent`, `priority` and `visited` (this round).
    For a page of a long list, rank with `visiting_rank` and annotate only the page."""
    now = now or timezone.now()
    open_dues = VisitDue.objects.filter(household=OuterRef("pk"), visit__isnull=True)
    visited: Exists | Value
    if round_ is not None:
        visited = Exists(Visit.objects.filter(round=round_, household=OuterRef("pk")))
    else:
        visited = Value(False)
    return visiting_rank(households, round_, now).annotate(
        overdue=Exists(open_dues.filter(due_at__lt=now)),
        urgent=Exists(open_dues.filter(kind=VisitDue.Kind.URGENT)),
        priority=Exists(open_dues.filter(kind=VisitDue.Kind.PRIORITY)),
        visited=visited,
    )


def open_dues_of(household: Household) -> QuerySet[VisitDue]:
    return household.visits_due.filter(visit__isnull=True).order_by("due_at")


@dataclass(frozen=True)
class VisitQueue:
    code: str
    label: Message
    count: int


DUE_FILTERS = {
    "overdue": lambda now: Q(due_at__lt=now),
    "urgent": lambda now: Q(kind=VisitDue.Kind.URGENT),
    "priority": lambda now: Q(kind=VisitDue.Kind.PRIORITY),
}
DUE_LABELS = {
    "overdue": _("走访已超期"),
    "urgent": _("待及时访"),
    "priority": _("待重点访"),
}


def households_due(households: QuerySet[Household], code: str, now=None) -> QuerySet[Household]:
    """Of `households`, those with an open due of this kind (`DUE_FILTERS`)."""
    condition = DUE_FILTERS[code](now or timezone.now())
    return households.filter(
        pk__in=VisitDue.objects.filter(condition, visit__isnull=True).values("household_id")
    )


def visit_queues(user, now=None) -> list[VisitQueue]:
    """The visits due among the households `user` visits or records visits for, counted by
    kind in one query: the registry's part of the staff inbox. Empty for those with none."""
    now = now or timezone.now()
    scope = visiting_scope(user)
    if scope is None:
        return []
    households = households_visible_to(user).filter(scope, active=True)
    counts = VisitDue.objects.filter(
        visit__isnull=True, household__in=households.values("pk")
    ).aggregate(
        **{
            code: Count("household", filter=condition(now), distinct=True)
            for code, condition in DUE_FILTERS.items()
        }
    )
    return [VisitQueue(code, DUE_LABELS[code], counts[code] or 0) for code in DUE_FILTERS]
