"""The map's data: cases as points and grids as shaded outlines, in GeoJSON.

Both start from a queryset the caller has already scoped to the user and
filtered like the case list; this module only shapes it for the map. Points go
out in the datum of the configured tiles (see `points.for_display`).
"""

import math
from dataclasses import dataclass

from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.utils.translation import gettext_lazy as _

from lianxin.cases.models import Status
from lianxin.cases.queues import Moments, moments, overdue
from lianxin.geo.points import for_display, geometry_for_display, tile_datum
from lianxin.orgs.models import Unit
from lianxin.text import Message

# More points than this and the map shows the most recent ones and says so: a browser
# draws five thousand circles on a canvas smoothly, and the grid view counts them all.
POINT_LIMIT = 5000


@dataclass(frozen=True)
class StatusGroup:
    code: str
    label: Message
    colour: str
    statuses: tuple[str, ...]


S = Status
# Twelve statuses are too many colours to tell apart: the map groups them by whose move it is.
STATUS_GROUPS = [
    StatusGroup("waiting", _("待派单、已退单"), "#7b4fb3", (S.REGISTERED, S.RETURNED)),
    StatusGroup("handling", _("待接单、办理中"), "#e07b00", (S.DISPATCHED, S.IN_PROGRESS)),
    StatusGroup("replied", _("已答复"), "#b8860b", (S.REPLIED,)),
    StatusGroup("constrained", _("疑难受限"), "#7a5230", (S.CONSTRAINED,)),
    StatusGroup("checking", _("待核查、待回访"), "#1f6fb2", (S.RESOLVED, S.VERIFIED)),
    StatusGroup("closed", _("已办结归档"), "#2a9d4b", (S.CLOSED,)),
    StatusGroup("ended", _("已合并、撤回、作废"), "#8a9399", (S.MERGED, S.WITHDRAWN, S.VOIDED)),
]
OVERDUE_COLOUR = "#d62728"
GROUP_OF = {status: group.code for group in STATUS_GROUPS for status in group.statuses}

# The grid view's classes: five shades, light to dark (class 0 is "none" or "below 5%").
COUNT_SHADES = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]
SHARE_SHADES = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"]
SHARE_BREAKS = [0.05, 0.10, 0.20, 0.40]  # an overdue share below 5% is the lightest shade


def legend() -> dict:
    """The colours the map uses, with their labels, for the legend and the drawing."""
    return {
        "groups": [
            {"code": g.code, "label": str(g.label), "colour": g.colour} for g in STATUS_GROUPS
        ],
        "overdue": {"label": str(_("已逾期（任何状态）")), "colour": OVERDUE_COLOUR},
        "group_of": GROUP_OF,
        "statuses": {code: str(label) for code, label in Status.choices},
    }


def with_overdue(cases, m: Moments | None = None):
    return cases.annotate(
        is_overdue=ExpressionWrapper(overdue(m or moments()), output_field=BooleanField())
    )


def case_points(cases, *, limit: int = POINT_LIMIT, m: Moments | None = None) -> dict:
    """A FeatureCollection of the cases that have a point (at most `limit`, in the
    queryset's order), with how many there are in all; two queries when capped, else one."""
    located = cases.filter(latitude__isnull=False, longitude__isnull=False)
    rows = list(
        with_overdue(located, m).values_list(
            "pk", "tracking_number", "title", "status", "is_overdue", "latitude", "longitude"
        )[: limit + 1]
    )
    truncated = len(rows) > limit
    rows = rows[:limit]
    total = located.count() if truncated else len(rows)
    features = []
    for pk, number, title, status, is_overdue, lat, lon in rows:
        shown_lat, shown_lon = for_display(lat, lon)
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [shown_lon, shown_lat]},
                "properties": {
                    "id": pk,
                    "no": number,
                    "title": title,
                    "status": status,
                    "overdue": bool(is_overdue),
                },
            }
        )
    message = ""
    if truncated:
        message = str(
            _(
                "符合条件且有坐标的诉求共%(total)s件，地图只显示最近的%(limit)s件；请缩小筛选范围，或切换到网格视图看全部件数。"
            )
            % {"total": total, "limit": limit}
        )
    return {
        "type": "FeatureCollection",
        "datum": tile_datum(),
        "features": features,
        "total": total,
        "shown": len(features),
        "truncated": truncated,
        "message": message,
    }


def count_bounds(top: int) -> list[int]:
    """The upper bounds of the four shades for grids with cases: equal steps up to the busiest."""
    return [math.ceil(top * i / 4) for i in range(1, 5)]


def count_class(count: int, bounds: list[int]) -> int:
    """0 for a grid without a case, else 1-4 by the first bound the count does not exceed."""
    if count <= 0:
        return 0
    return 1 + next((i for i, bound in enumerate(bounds) if count <= bound), len(bounds) - 1)


def count_labels(bounds: list[int]) -> list[str]:
    """The legend's label for each class ("" for a class no count can fall in)."""
    labels, low = ["0"], 1
    for high in bounds:
        labels.append("" if low > high else str(low) if low == high else f"{low}–{high}")
        low = max(low, high + 1)
    return labels


def share_class(share: float) -> int:
    return sum(1 for bound in SHARE_BREAKS if share >= bound)


def grid_shapes(cases, *, m: Moments | None = None) -> dict:
    """A FeatureCollection of the grids with an outline, each with its number of cases
    (from `cases`), overdue ones, the overdue share, and a shade class for each measure."""
    by_grid = {
        row["grid"]: row
        for row in cases.order_by()
        .values("grid")
        .annotate(count=Count("pk"), overdue=Count("pk", filter=Q(overdue(m or moments()))))
    }
    grids = (
        Unit.objects.filter(kind=Unit.Kind.GRID, active=True, boundary__isnull=False)
        .select_related("parent")
        .order_by("parent__sort_order", "parent__name", "sort_order", "name")
    )
    rows, unmapped = [], 0
    for grid in grids:
        geometry = geometry_for_display(grid.boundary)
        if geometry is None:
            unmapped += 1
            continue
        rows.append((grid, geometry, by_grid.get(grid.pk, {"count": 0, "overdue": 0})))
    bounds = count_bounds(max((row["count"] for _g, _geo, row in rows), default=0))
    features = []
    for grid, geometry, row in rows:
        count, late = row["count"], row["overdue"]
        share = late / count if count else 0.0
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "id": grid.pk,
                    "name": grid.name,
                    "community": grid.parent.name if grid.parent else "",
                    "count": count,
                    "overdue": late,
                    "share": round(share, 4),
                    "count_class": count_class(count, bounds),
                    "share_class": share_class(share),
                },
            }
        )
    drawn = {grid.pk for grid, _geo, _row in rows}
    streets = []
    for street in Unit.objects.filter(kind=Unit.Kind.STREET, active=True, boundary__isnull=False):
        geometry = geometry_for_display(street.boundary)
        if geometry is not None:
            streets.append(
                {"type": "Feature", "geometry": geometry, "properties": {"name": street.name}}
            )
    pct = [f"{int(b * 100)}%" for b in SHARE_BREAKS]
    return {
        "type": "FeatureCollection",
        "datum": tile_datum(),
        "features": features,
        # Cases the outlines cannot show: no grid, or a grid without an outline.
        "outside": sum(row["count"] for grid_id, row in by_grid.items() if grid_id not in drawn),
        "legend": {
            "count": {
                "title": str(_("诉求件数")),
                "shades": COUNT_SHADES,
                "labels": count_labels(bounds),
            },
            "share": {
                "title": str(_("逾期占比")),
                "shades": SHARE_SHADES,
                "labels": [
                    f"<{pct[0]}",
                    f"{pct[0]}–{pct[1]}",
                    f"{pct[1]}–{pct[2]}",
                    f"{pct[2]}–{pct[3]}",
                    f"≥{pct[3]}",
                ],
            },
        },
        "unmapped": unmapped,
        # The streets' outlines, drawn bolder over the grids to find one's way.
        "streets": {"type": "FeatureCollection", "features": streets},
    }
