"""The hazards' figures: places and 家次 inspected, hazards found, fixed and overdue, the
rectification and relapse rates, by campaign, responsible unit, street and village; and
the year-end ranking of villages and estates by their inspections' scores.

Definitions (docs/hazards.md):
- places inspected: distinct places with a submitted inspection; 家次: submitted inspections;
- found: hazards recorded; fixed: hazards whose re-inspection passed (status fixed);
- overdue: hazards whose live notice is still waiting for its fix past its deadline;
- rectification rate: fixed / found;
- relapse rate: re-inspections that found a relapse / all re-inspections.
A rate with nothing under it is None (shown "—"), never 0 % or 100 %.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from lianxin.hazards.models import (
    RANKED_KINDS,
    Hazard,
    HazardStatus,
    Inspection,
    Notice,
    Place,
)

MEASURES = {
    "places": _("检查单位数"),
    "inspections": _("检查家次"),
    "found": _("发现隐患"),
    "fixed": _("已整改"),
    "overdue": _("逾期未整改"),
    "rectification_rate": _("整改率"),
    "relapse_rate": _("反弹率"),
}
DIMENSIONS = {
    "campaign": (_("专项"), "campaign", "campaign__name"),
    "unit": (_("责任单位"), "place__responsible_unit", "place__responsible_unit__name"),
    "street": (_("街道/镇"), "place__street", "place__street__name"),
    "village": (_("社区/村"), "place__community", "place__community__name"),
}


def rate(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


@dataclass
class Row:
    key: object = None
    label: str = ""
    places: int = 0
    inspections: int = 0
    found: int = 0
    fixed: int = 0
    overdue: int = 0
    relapses: int = 0
    reinspections: int = 0

    @property
    def rectification_rate(self) -> float | None:
        return rate(self.fixed, self.found)

    @property
    def relapse_rate(self) -> float | None:
        return rate(self.relapses, self.reinspections)


def _overdue_hazards(today: dt.date) -> QuerySet:
    return Notice.objects.filter(status=Notice.Status.ISSUED, deadline__lt=today).values("hazard")


def _rows(hazards: QuerySet[Hazard], inspections: QuerySet[Inspection], key, label, today):
    """One Row per value of `key` (a path from Hazard and from Inspection alike)."""
    rows: dict[object, Row] = defaultdict(Row)
    submitted = inspections.filter(status=Inspection.Status.SUBMITTED)
    for row in (
        submitted.values(k=F(key), name=F(label))
        .annotate(n=Count("pk"), p=Count("place", distinct=True))
        .order_by()
    ):
        target = rows[row["k"]]
        target.key, target.label = row["k"], row["name"] or "—"
        target.inspections, target.places = row["n"], row["p"]
    late = _overdue_hazards(today)
    for row in (
        hazards.values(k=F(key), name=F(label))
        .annotate(
            found=Count("pk"),
            fixed=Count("pk", filter=Q(status=HazardStatus.FIXED)),
            overdue=Count("pk", filter=Q(pk__in=late)),
        )
        .order_by()
    ):
        target = rows[row["k"]]
        target.key, target.label = row["k"], row["name"] or "—"
        target.found, target.fixed, target.overdue = row["found"], row["fixed"], row["overdue"]
    notices = Notice.objects.filter(hazard__in=hazards.values("pk"))
    for row in (
        notices.filter(status__in=(Notice.Status.PASSED, Notice.Status.RELAPSED))
        .values(k=F(f"hazard__{key}"))
        .annotate(n=Count("pk"), relapsed=Count("pk", filter=Q(status=Notice.Status.RELAPSED)))
        .order_by()
    ):
        target = rows[row["k"]]
        target.reinspections, target.relapses = row["n"], row["relapsed"]
    return sorted(rows.values(), key=lambda r: (-r.found, -r.inspections, r.label))


def totals(hazards: QuerySet[Hazard], inspections: QuerySet[Inspection], today: dt.date) -> Row:
    submitted = inspections.filter(status=Inspection.Status.SUBMITTED)
    counts = hazards.aggregate(
        found=Count("pk"),
        fixed=Count("pk", filter=Q(status=HazardStatus.FIXED)),
        overdue=Count("pk", filter=Q(pk__in=_overdue_hazards(today))),
    )
    reinspected = Notice.objects.filter(
        hazard__in=hazards.values("pk"),
        status__in=(Notice.Status.PASSED, Notice.Status.RELAPSED),
    ).aggregate(n=Count("pk"), relapsed=Count("pk", filter=Q(status=Notice.Status.RELAPSED)))
    return Row(
        label=str(_("合计")),
        places=submitted.values("place").distinct().count(),
        inspections=submitted.count(),
        found=counts["found"],
        fixed=counts["fixed"],
        overdue=counts["overdue"],
        reinspections=reinspected["n"],
        relapses=reinspected["relapsed"],
    )


def by(
    dimension: str, hazards: QuerySet[Hazard], inspections: QuerySet[Inspection], today: dt.date
) -> list[Row]:
    _label, key, label = DIMENSIONS[dimension]
    return _rows(hazards, inspections, key, label, today)


@dataclass
class Ranked:
    place: Place
    inspections: int
    score: float | None  # the mean of its inspections' percentages
    open_hazards: int = 0
    rank: int | None = None  # None: below the minimum volume, not ranked
    scores: list[float] = field(default_factory=list)


def min_inspections() -> int:
    return settings.HAZARD_RANKING_MIN_INSPECTIONS


def ranking(places: QuerySet[Place], inspections: QuerySet[Inspection], year: int) -> list[Ranked]:
    """Villages and estates ranked by the mean percentage score of their submitted
    inspections started in `year` (competition ranking: 1, 2, 2, 4); a place with fewer
    than `HAZARD_RANKING_MIN_INSPECTIONS` inspections is listed after them, unranked."""
    scored = (
        inspections.filter(
            status=Inspection.Status.SUBMITTED,
            place__kind__in=RANKED_KINDS,
            started_at__year=year,
            max_score__gt=0,
        )
        .values_list("place_id", "score", "max_score")
        .order_by("place_id", "pk")
    )
    percents: dict[int, list[float]] = defaultdict(list)
    for place_id, score, max_score in scored:
        percents[place_id].append(score * 100 / max_score)
    candidates = places.filter(kind__in=RANKED_KINDS).annotate(
        open_hazards=Count(
            "hazards",
            filter=~Q(hazards__status=HazardStatus.FIXED) & Q(hazards__found_at__year=year),
        )
    )
    floor = min_inspections()
    rows = []
    for place in candidates:
        mine = percents.get(place.pk, [])
        mean = round(sum(mine) / len(mine), 1) if mine else None
        rows.append(Ranked(place, len(mine), mean, place.open_hazards, scores=mine))
    ranked = sorted(
        (row for row in rows if row.inspections >= floor),
        key=lambda row: (-(row.score or 0), -row.inspections, row.place.name),
    )
    previous = None
    for position, row in enumerate(ranked, start=1):
        row.rank = previous.rank if previous and previous.score == row.score else position
        previous = row
    rest = sorted(
        (row for row in rows if row.inspections < floor),
        key=lambda row: (-row.inspections, row.place.name),
    )
    return ranked + rest
