"""The case map (挂图作战): a page, and the two JSON endpoints its script draws from.

Both endpoints take the case list's query (queue and filters) and start from
the cases the user may see, so the map shows exactly what the list would.
"""

import json
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from lianxin.cases.access import require_staff
from lianxin.cases.filters import filtered_cases
from lianxin.geo import features
from lianxin.geo.points import tile_settings


def geojson_response(data: dict) -> HttpResponse:
    """JSON with <, > and & escaped inside strings: residents' words never reach a page
    as markup, even if the response is opened on its own."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    body = body.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return HttpResponse(body, content_type="application/json")


def staff_json(view):
    """Refuse with a JSON error (not a login page) anyone who is not signed-in staff."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return JsonResponse({"error": "login_required", "message": _("请先登录。")}, status=401)
        try:
            require_staff(request.user)
            return view(request, *args, **kwargs)
        except Http404:
            return JsonResponse({"error": "not_found", "message": _("没有这个列表。")}, status=404)

    return wrapper


@login_required
@require_GET
def case_map(request):
    require_staff(request.user)
    _cases, form, queue = filtered_cases(request.user, request.GET)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "geo/map.html",
        {
            "form": form,
            "queue": queue,
            "query": query.urlencode(),
            "map_config": {**tile_settings(), "legend": features.legend(), "labels": _labels()},
        },
    )


def _labels() -> dict:
    """The words the map's script shows; {n}-style slots are filled in there."""
    return {
        "shown": _("地图上显示{shown}件诉求（只含有坐标的诉求）。"),
        "none": _("没有符合条件且有坐标的诉求。"),
        "grids": _("{grids}个网格；{outside}件诉求不在已绘制边界的网格内。"),
        "failed": _("地图数据加载失败，请刷新页面重试。"),
        "tiles_failed": _("底图无法加载，只显示点位和网格边界。"),
        "status": _("状态"),
        "overdue": _("已逾期"),
        "open": _("查看诉求"),
        "legend_points": _("诉求状态"),
        "count": _("件数"),
        "late": _("逾期件数"),
        "share": _("逾期占比"),
        "outline": _("网格边界"),
        "street": _("街道（镇）边界"),
    }


@require_GET
@staff_json
def case_points(request):
    cases, _form, _queue = filtered_cases(request.user, request.GET)
    return geojson_response(features.case_points(cases))


@require_GET
@staff_json
def grid_shapes(request):
    cases, _form, _queue = filtered_cases(request.user, request.GET)
    return geojson_response(features.grid_shapes(cases))
