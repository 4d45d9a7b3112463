"""Coverage of a visit round (不漏一户、不少一人): how many households each pair, grid,
community, street, 片区, attached department or attached leader answers for, how many of
them a round has visited, met in person, or not yet reached, and how many 重点访/及时访
were done on time.

The counts are read from the coverage tally (`lianxin.registry.coverage_tally`: rows per
round and cell — a household's community, grid, pair and building — kept by the
registry's actions in the transaction of each write), summed by the grouping's key and
filtered by the user's scope (`lianxin.registry.access.household_scope`, whose filters
name the same four fields). A scope the tally cannot express falls back to the same
aggregates over the households and visits (GROUP BY over the households a user may see);
nothing walks the households in Python. The drill-down (`households_behind`) always
reads the households, so a number and its list are counted apart and must agree.
Groupings that overlap (a grid in two 片区, a department attached to both, a leader over
a street and an officer over a grid in it) are summed from a partition of the households
by street and grid, so that no household is counted twice without a COUNT(DISTINCT).

Definitions, held against a plain-Python recomputation in tests/coverage_reference.py:
- households: active households in the group;
- visited: those with at least one visit of the round (any method, met or not);
- met: those with a visit of the round where the household was met in person (met=True);
- not visited: households − visited;
- dues: the round's 重点访/及时访 (VisitDue with this round, or a 及时访 with no round opened
  within the round's dates) of active households in the group; on time: its visit took
  place (visited_at) no later than due_at.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from lianxin.orgs.models import Unit
from lianxin.registry.access import household_scope, households_visible_to
from lianxin.registry.coverage_tally import CELL, COUNTS, round_dues_q
from lianxin.registry.models import (
    Attachment,
    Building,
    CoverageTally,
    Household,
    Pair,
    Round,
    Visit,
    VisitDue,
    Zone,
)
from lianxin.text import Message
from lianxin.workdays.days import local_date

NONE_KEY = "none"


@dataclass(frozen=True)
class Grouping:
    code: str
    label: Message
    # The path from Household to the group's key, for GROUP BY; None when the group is
    # computed one query per group (attached leaders: a street or a grid each).
    path: str | None


GROUPINGS = {
    g.code: g
    for g in [
        Grouping("pair", _("联户组"), "pair"),
        Grouping("grid", _("网格"), "grid"),
        Grouping("community", _("社区/村"), "community"),
        Grouping("street", _("街道/镇"), "community__parent"),
        Grouping("zone", _("片区"), "grid__zones_of_grid"),
        Grouping("department", _("包联部门"), "grid__zones_of_grid__attachments__department"),
        Grouping("leader", _("包联领导"), None),
        # The map's: one row per building, not a tab of the page.
        Grouping("building", _("楼栋/村民小组"), "building"),
    ]
}
# Groupings where each household is in exactly one group (its key may be None): the
# groups' rows add up to the total.
PARTITIONS = ("pair", "grid", "community", "street", "building")
TABS = ("pair", "grid", "community", "street", "zone", "department", "leader")

MEASURES = {
    "households": _("在册户数"),
    "visited": _("已走访"),
    "met": _("见面户数"),
    "not_visited": _("未走访"),
    "dues": _("重点访/及时访"),
    "on_time": _("按时完成"),
}


@dataclass
class Row:
    # The group's id (None: households in no group); a partition's cell has its paths' ids.
    key: int | tuple[int | None, ...] | None
    label: str
    households: int = 0
    visited: int = 0
    met: int = 0
    dues: int = 0
    on_time: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def not_visited(self) -> int:
        return self.households - self.visited

    @property
    def coverage(self) -> float | None:
        """覆盖率: visited / households, in percent."""
        return None if not self.households else 100 * self.visited / self.households

    @property
    def met_rate(self) -> float | None:
        return None if not self.households else 100 * self.met / self.households

    @property
    def on_time_rate(self) -> float | None:
        return None if not self.dues else 100 * self.on_time / self.dues

    def add(self, other: "Row") -> None:
        for name in ("households", "visited", "met", "dues", "on_time"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "households": self.households,
            "visited": self.visited,
            "met": self.met,
            "not_visited": self.not_visited,
            "coverage": self.coverage,
            "met_rate": self.met_rate,
            "dues": self.dues,
            "on_time": self.on_time,
            "on_time_rate": self.on_time_rate,
        }


def visited_ids(round_: Round, *, met: bool = False) -> QuerySet:
    visits = Visit.objects.filter(round=round_)
    if met:
        visits = visits.filter(met=True)
    return visits.values("household_id")


def round_dues(round_: Round) -> QuerySet[VisitDue]:
    """The 重点访/及时访 of a round: its own, and the 及时访 opened during it without one."""
    return VisitDue.objects.filter(round_dues_q(round_))


def on_time_q(prefix: str = "") -> Q:
    """A due whose visit took place by its deadline. Written as EXISTS on the visit's
    primary key: a join would make PostgreSQL hash every visit of every round."""
    return Q(
        Exists(
            Visit.objects.filter(
                pk=OuterRef(f"{prefix}visit_id"), visited_at__lte=OuterRef(f"{prefix}due_at")
            )
        )
    )


def scoped_households(user) -> QuerySet[Household]:
    return households_visible_to(user).filter(active=True)


def _household_counts(round_: Round) -> dict:
    return {
        "households": Count("pk"),
        "visited": Count("pk", filter=Q(pk__in=visited_ids(round_))),
        "met": Count("pk", filter=Q(pk__in=visited_ids(round_, met=True))),
    }


def _due_counts() -> dict:
    return {"dues": Count("pk"), "on_time": Count("pk", filter=on_time_q())}


def _dues_of(households, round_: Round) -> QuerySet[VisitDue]:
    return round_dues(round_).filter(household__in=households.values("pk"))


# The fields a scope may name to be read from the tally: the cell's (and what hangs off
# them, such as a community's street).
CELL_FIELDS = tuple(name.removesuffix("_id") for name in CELL)


def tally_scope(user) -> Q | None:
    """The user's scope as a filter on the tally's rows, or None when it names anything
    but a household's cell (then the figures are counted from the households)."""
    return _on_tally(household_scope(user))


def _on_tally(q: Q) -> Q | None:
    children: list = []
    for child in q.children:
        if isinstance(child, Q):
            found = _on_tally(child)
            if found is None:
                return None
            children.append(found)
            continue
        lookup, value = child  # type: ignore[misc]  # a leaf of a Q is a (lookup, value)
        empty = lookup == "pk__in" and not list(value)  # the scope of no one
        if not empty and lookup.split("__")[0] not in CELL_FIELDS:
            return None
        children.append(child)
    return Q(*children, _connector=q.connector, _negated=q.negated)


def _tally_rows(scope: Q, round_: Round) -> QuerySet[CoverageTally]:
    """The tally's rows for a round: its own and the shared households rows."""
    return CoverageTally.objects.filter(scope).filter(Q(round=round_) | Q(round__isnull=True))


def _counted_row(key, label: str, sums: dict) -> Row:
    """A row from SUMs (None where no row was summed)."""
    return Row(
        key,
        label,
        households=sums["households"] or 0,
        visited=sums["visited"] or 0,
        met=sums["met"] or 0,
        dues=sums["dues"] or 0,
        on_time=sums["on_time"] or 0,
    )


def _sums() -> dict:
    return {name: Sum(name) for name in COUNTS}


def summary(user, round_: Round, *, from_tally: bool = True) -> Row:
    """The totals over the households `user` may see. `from_tally=False` counts them from
    the households (the tests and the benchmark hold the two against each other)."""
    scope = tally_scope(user) if from_tally else None
    if scope is not None:
        found = _tally_rows(scope, round_).aggregate(**_sums())
        return _counted_row(None, str(_("合计")), found)
    households = scoped_households(user)
    row = Row(None, str(_("合计")), **households.aggregate(**_household_counts(round_)))
    dues = _dues_of(households, round_).aggregate(**_due_counts())
    row.dues, row.on_time = dues["dues"], dues["on_time"]
    return row


def _leader_areas() -> dict[int, Q]:
    """For each user attached as a leader (to a street) or officer (to a grid), the
    households he answers for."""
    areas: dict[int, Q] = {}
    attachments = Attachment.objects.filter(
        kind__in=[Attachment.Kind.LEADER_STREET, Attachment.Kind.OFFICER_GRID],
        user__isnull=False,
        area__isnull=False,
    ).values_list("user_id", "kind", "area_id")
    for user_id, kind, area_id in attachments:
        if kind == Attachment.Kind.LEADER_STREET:
            q = Q(community__parent=area_id)
        else:
            q = Q(grid=area_id)
        areas[user_id] = areas[user_id] | q if user_id in areas else q
    return areas


def _department_grids(department_id) -> list[int]:
    return [
        g
        for g in Attachment.objects.filter(
            kind=Attachment.Kind.DEPARTMENT_ZONE, department=department_id
        ).values_list("zone__grids", flat=True)
        if g is not None
    ]


def _path(by: str) -> str:
    """The path from Household to the key of a grouping that has one (all but leaders)."""
    path = GROUPINGS[by].path
    if path is None:
        raise ValueError(f"the grouping {by!r} has no path")
    return path


def group_q(by: str, key) -> Q:
    """The households of one group (for the list behind a number)."""
    if by == "leader":
        return _leader_areas().get(key, Q(pk__in=[]))
    if by == "department":
        return Q(grid__in=_department_grids(key))
    if by == "zone":
        if key is None:
            zoned = Zone.objects.filter(grids__isnull=False).values("grids")
            return Q(grid__isnull=True) | ~Q(grid__in=zoned)
        return Q(grid__in=Zone.objects.filter(pk=key).values("grids"))
    path = _path(by)
    return Q(**{f"{path}__isnull": True}) if key is None else Q(**{path: key})


def _partition(
    user, round_: Round, paths: tuple[str, ...], from_tally: bool = True
) -> dict[tuple, Row]:
    """Rows keyed by the values of `paths` (one group per household): one GROUP BY over
    the tally, or two over the households and their dues."""
    scope = tally_scope(user) if from_tally else None
    if scope is not None:
        return _tally_partition(scope, round_, paths)
    return _counted_partition(user, round_, paths)


def _tally_partition(scope: Q, round_: Round, paths: tuple[str, ...]) -> dict[tuple, Row]:
    rows: dict[tuple, Row] = {}
    for item in _tally_rows(scope, round_).values(*paths).annotate(**_sums()).order_by():
        key = tuple(item.pop(path) for path in paths)
        if item["households"]:  # a cell everyone moved out of
            rows[key] = _counted_row(key, "", item)
    return rows


def _counted_partition(user, round_: Round, paths: tuple[str, ...]) -> dict[tuple, Row]:
    """`_partition` counted from the households and their visits and dues."""
    households = scoped_households(user)
    rows: dict[tuple, Row] = {}
    for item in households.values(*paths).annotate(**_household_counts(round_)).order_by():
        key = tuple(item.pop(path) for path in paths)
        rows[key] = Row(key, "", **item)
    due_paths = [f"household__{path}" for path in paths]
    dues = _dues_of(households, round_).values(*due_paths).annotate(**_due_counts()).order_by()
    for item in dues:
        row = rows.get(tuple(item[path] for path in due_paths))
        if row is not None:
            row.dues, row.on_time = item["dues"], item["on_time"]
    return rows


def _zone_grids() -> dict[int, set]:
    zones: dict[int, set] = {}
    for zone_id, grid_id in Zone.grids.through.objects.values_list("zone_id", "unit_id"):
        zones.setdefault(zone_id, set()).add(grid_id)
    return zones


def _areas(by: str) -> dict:
    """For the groupings that overlap (a grid in two 片区, a leader over a street and a
    grid in it): each group's (streets, grids). A household is in the group when its
    street or its grid is among them."""
    if by == "zone":
        return {zone: (set(), grids) for zone, grids in _zone_grids().items()}
    if by == "department":
        zones = _zone_grids()
        areas: dict = {}
        for dept, zone in Attachment.objects.filter(
            kind=Attachment.Kind.DEPARTMENT_ZONE, department__isnull=False, zone__isnull=False
        ).values_list("department_id", "zone_id"):
            areas.setdefault(dept, (set(), set()))[1].update(zones.get(zone, ()))
        return areas
    areas = {}
    for user_id, kind, area_id in Attachment.objects.filter(
        kind__in=[Attachment.Kind.LEADER_STREET, Attachment.Kind.OFFICER_GRID],
        user__isnull=False,
        area__isnull=False,
    ).values_list("user_id", "kind", "area_id"):
        streets, grids = areas.setdefault(user_id, (set(), set()))
        (streets if kind == Attachment.Kind.LEADER_STREET else grids).add(area_id)
    return areas


def breakdown_and_total(
    user, round_: Round, by: str, *, from_tally: bool = True
) -> tuple[list[Row], Row]:
    """One row per group of `by` over the households `user` may see (groups with none
    left out), and the total. Every grouping is summed from a partition of the
    households (by the grouping itself, or by street and grid for those that overlap),
    so no household is counted twice and no COUNT(DISTINCT) is needed."""
    rows: dict = {}
    if by in PARTITIONS:
        path = _path(by)
        for (key,), row in _partition(user, round_, (path,), from_tally).items():
            row.key = key
            rows[key] = row
        everything = total(rows.values())
    else:
        cells = _partition(user, round_, ("community__parent", "grid"), from_tally)
        everything = total(cells.values())
        areas = _areas(by)
        for key, (streets, grids) in areas.items():
            row = Row(key, "")
            for (street, grid), cell in cells.items():
                if street in streets or grid in grids:
                    row.add(cell)
            if row.households:
                rows[key] = row
        if by == "zone":
            zoned = set().union(*(grids for _streets, grids in areas.values()))
            row = Row(None, "")
            for (_street, grid), cell in cells.items():
                if grid not in zoned:
                    row.add(cell)
            if row.households:
                rows[None] = row
    labels = group_labels(by, list(rows))
    for key, row in rows.items():
        row.label = labels.get(key, "")
    ordered = sorted(rows.values(), key=lambda r: (r.key is None, r.label, r.key or 0))
    return ordered, everything


def breakdown(user, round_: Round, by: str, *, from_tally: bool = True) -> list[Row]:
    return breakdown_and_total(user, round_, by, from_tally=from_tally)[0]


def total(rows) -> Row:
    """The total of a partition's rows: the summary without a query."""
    found = Row(None, str(_("合计")))
    for row in rows:
        found.add(row)
    return found


def group_labels(by: str, keys) -> dict:
    ids = [k for k in keys if k is not None]
    labels: dict = {None: str(_("未编组") if by == "pair" else _("未划分"))}
    if by == "pair":
        labels.update(
            {
                p.pk: f"{p.code}（{p.community.name}）"
                for p in Pair.objects.filter(pk__in=ids).select_related("community")
            }
        )
    elif by == "zone":
        labels.update(dict(Zone.objects.filter(pk__in=ids).values_list("pk", "name")))
    elif by == "building":
        labels.update(dict(Building.objects.filter(pk__in=ids).values_list("pk", "name")))
    elif by == "leader":
        from django.contrib.auth import get_user_model

        labels.update({u.pk: str(u) for u in get_user_model().objects.filter(pk__in=ids)})
    else:
        labels.update(dict(Unit.objects.filter(pk__in=ids).values_list("pk", "name")))
    return labels


def households_behind(user, round_: Round, by: str | None, key, measure: str) -> QuerySet:
    """The households a number counts: exactly as many as the number."""
    households = scoped_households(user)
    if by is not None:
        households = households.filter(group_q(by, key))
    # EXISTS rather than IN: for one pair's 25 households PostgreSQL then probes the
    # (round, household) index instead of hashing every visit of the round.
    visits = Visit.objects.filter(round=round_, household=OuterRef("pk"))
    if measure == "visited":
        households = households.filter(Exists(visits))
    elif measure == "met":
        households = households.filter(Exists(visits.filter(met=True)))
    elif measure == "not_visited":
        households = households.filter(~Exists(visits))
    elif measure in ("dues", "on_time"):
        dues = round_dues(round_)
        if measure == "on_time":
            dues = dues.filter(on_time_q())
        households = households.filter(pk__in=dues.values("household_id"))
    elif measure != "households":
        raise ValueError(measure)
    return households


def current_round(now: dt.datetime | None = None) -> Round | None:
    """The open round, else the latest that has started."""
    rounds = Round.objects.exclude(status=Round.Status.DRAFT)
    found = rounds.filter(status=Round.Status.OPEN).order_by("-number").first()
    if found is None and now is not None:
        found = rounds.filter(starts_on__lte=local_date(now)).order_by("-number").first()
    return found or rounds.order_by("-number").first()


def may_see(user) -> bool:
    """Staff who see households, and cadres of a pair (their own pair's coverage); others
    get a 404, as for any page that is not theirs."""
    from lianxin.cases.access import standing_of
    from lianxin.registry.models import PairMember

    standing = standing_of(user)
    if standing.sees_whole_district or standing.handling_unit_ids:
        return True
    return PairMember.objects.filter(
        cadre__user=user, cadre__active=True, until__isnull=True
    ).exists()
