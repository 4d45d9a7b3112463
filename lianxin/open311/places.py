"""Finding the grid of an Open311 location, when we can.

A point (WGS-84) falls in a grid when the grid has an outline (`Unit.boundary`,
GeoJSON Polygon or MultiPolygon) that contains it. An `address_id` that is the
code of a grid or a community names the place directly. Otherwise the case keeps
its address text and no grid: the office sets the grid when it dispatches
(`do_dispatch_case(grid=...)`), as for a resident's own report from the portal.
"""

from dataclasses import dataclass

from lianxin.cache import memo
from lianxin.orgs.models import Unit


@dataclass(frozen=True)
class Place:
    grid: Unit | None = None
    community: Unit | None = None


def _rings_contain(rings: list, lon: float, lat: float) -> bool:
    """Inside the outer ring and outside every hole (GeoJSON: [lon, lat] pairs)."""
    if not rings or not _ring_contains(rings[0], lon, lat):
        return False
    return not any(_ring_contains(hole, lon, lat) for hole in rings[1:])


def _ring_contains(ring: list, x: float, y: float) -> bool:
    inside = False
    n = len(ring)
    for i in range(n):
        x1, y1 = ring[i][0], ring[i][1]
        x2, y2 = ring[i - 1][0], ring[i - 1][1]
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def boundary_contains(boundary, lat: float, lon: float) -> bool:
    if not isinstance(boundary, dict):
        return False
    geometry = boundary.get("geometry", boundary) if boundary.get("type") == "Feature" else boundary
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    try:
        if kind == "Polygon":
            return _rings_contain(coordinates, lon, lat)
        if kind == "MultiPolygon":
            return any(_rings_contain(polygon, lon, lat) for polygon in coordinates)
    except (TypeError, IndexError, ZeroDivisionError):
        return False  # a malformed outline places nothing
    return False


# Outlines change rarely; reading them once a minute per process keeps POSTs cheap.
@memo(60)
def _grids_with_outlines() -> list[Unit]:
    return list(
        Unit.objects.filter(kind=Unit.Kind.GRID, active=True, boundary__isnull=False)
        .select_related("parent")
        .order_by("pk")
    )


def place_of(*, lat: float | None, lon: float | None, address_id: str | None) -> Place:
    if address_id:
        unit = (
            Unit.objects.filter(
                code=address_id, kind__in=(Unit.Kind.GRID, Unit.Kind.COMMUNITY), active=True
            )
            .select_related("parent")
            .first()
        )
        if unit is not None:
            if unit.kind == Unit.Kind.GRID:
                return Place(grid=unit, community=unit.parent)
            return Place(community=unit)
    if lat is not None and lon is not None:
        for grid in _grids_with_outlines():
            if boundary_contains(grid.boundary, lat, lon):
                return Place(grid=grid, community=grid.parent)
    return Place()
