"""The map of a round's coverage: each building (or village group) with a point, shaded
by the share of its households the round has visited.

The numbers are `lianxin.figures.coverage` grouped by building, over the households the
user may see; a building none of whose households the user may see is not on the map.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from lianxin.figures import coverage
from lianxin.figures.coverage_views import chosen_round
from lianxin.geo.points import for_display, tile_settings
from lianxin.geo.views import geojson_response
from lianxin.registry.models import Building, Round

# 覆盖率 bands, low to high, as the legend names them.
BANDS = [(0, "#b71c1c"), (50, "#ef6c00"), (80, "#f9a825"), (95, "#2e7d32")]


def _allowed(user) -> None:
    if not coverage.may_see(user):
        raise Http404


def band(percent) -> str:
    colour = BANDS[0][1]
    for floor, shade in BANDS:
        if percent is not None and percent >= floor:
            colour = shade
    return colour


@login_required
@require_GET
def coverage_map(request):
    _allowed(request.user)
    round_ = chosen_round(request.GET.get("round"))
    rounds = Round.objects.exclude(status=Round.Status.DRAFT).order_by("-number")
    config = {
        **tile_settings(),
        "bands": [{"from": floor, "colour": colour} for floor, colour in BANDS],
        "labels": {
            "households": _("在册户数"),
            "visited": _("已走访"),
            "coverage": _("覆盖率"),
            "not_visited": _("查看未走访住户"),
            "none": _("没有可显示的楼栋。"),
            "shown": _("地图上显示{n}个楼栋/村民小组（只含有坐标的）。"),
            "failed": _("地图数据加载失败，请刷新页面重试。"),
            "tiles_failed": _("底图无法加载，只显示楼栋点位。"),
        },
    }
    return render(
        request,
        "geo/coverage_map.html",
        {"round": round_, "rounds": rounds, "map_config": config},
    )


@require_GET
def building_coverage(request):
    """GeoJSON points: each building with its households, visited and 覆盖率."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "login_required", "message": _("请先登录。")}, status=401)
    try:
        _allowed(request.user)
        round_ = chosen_round(request.GET.get("round"))
    except Http404:
        return JsonResponse({"error": "not_found", "message": _("没有这个轮次。")}, status=404)
    if round_ is None:
        return geojson_response({"type": "FeatureCollection", "features": []})
    rows = coverage.breakdown(request.user, round_, "building")
    # Every building's point (a few thousand at most); only those with a row are drawn.
    points = {
        pk: (lat, lon)
        for pk, lat, lon in Building.objects.filter(latitude__isnull=False).values_list(
            "pk", "latitude", "longitude"
        )
    }
    list_url = reverse("figures:coverage_households")
    features = []
    for row in rows:
        if row.key not in points:
            continue
        lat, lon = for_display(*points[row.key])
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "name": row.label,
                    "households": row.households,
                    "visited": row.visited,
                    "coverage": None if row.coverage is None else round(row.coverage, 1),
                    "colour": band(row.coverage),
                    "url": f"{list_url}?round={round_.pk}&by=building&key={row.key}"
                    "&measure=not_visited",
                },
            }
        )
    return geojson_response({"type": "FeatureCollection", "features": features})
