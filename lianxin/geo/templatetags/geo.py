"""Template helpers for the small maps: the case page's place and the residents' pin."""

from django import template
from django.templatetags.static import static
from django.utils.translation import gettext as _

from lianxin.geo.points import for_display, geometry_for_display, tile_settings
from lianxin.orgs.models import Unit

register = template.Library()


def _leaflet() -> dict:
    return {
        "leaflet_js": static("vendor/leaflet-1.9.4/leaflet.js"),
        "tiles_failed": _("底图无法加载，只显示点位和网格边界。"),
    }


@register.simple_tag
def case_map_data(case) -> dict:
    """What the case page's small map draws: the case's point and its grid's outline
    (each None if unknown), in the tiles' datum. Uses `case.grid`, which the page loads."""
    point = None
    if case.latitude is not None and case.longitude is not None:
        point = for_display(case.latitude, case.longitude)
    grid = case.grid if case.grid_id else None
    outline = geometry_for_display(grid.boundary) if grid is not None else None
    return {
        **tile_settings(),
        **_leaflet(),
        "point": point,
        "outline": outline,
        "grid": grid.name if grid is not None else "",
        "title": case.title,
    }


@register.simple_tag
def pin_map_data() -> dict:
    """Where the residents' pin map opens: the district's centre if it has one."""
    centre = (
        Unit.objects.filter(kind=Unit.Kind.DISTRICT, latitude__isnull=False)
        .values_list("latitude", "longitude")
        .first()
    )
    return {
        **tile_settings(),
        **_leaflet(),
        "centre": for_display(*centre) if centre else None,
        "tiles_failed": _("底图无法加载；仍可在地图上点选，或只填写地址。"),
        "pinned": _("已在地图上标出位置。"),
        "cleared": _("已清除地图上的位置。"),
        "located": _("已附上您当前的位置。"),
    }
