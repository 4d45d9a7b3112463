"""The hazards as a layer on the case map: GeoJSON points coloured by rectification state
(red when the notice is overdue), in the user's hazard scope (`lianxin.hazards.access`).

The map page includes `templates/hazards/_map_layer.html`, whose script adds a checkbox and
a legend to the case map and fetches this endpoint; nothing else of the map changes.
"""

import datetime as dt

from django.db.models import QuerySet
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from lianxin.geo.points import for_display
from lianxin.geo.views import geojson_response
from lianxin.hazards.access import hazards_visible_to
from lianxin.hazards.models import Hazard, HazardStatus, Notice
from lianxin.workdays.days import local_date

POINT_LIMIT = 5000
COLOURS = {
    HazardStatus.OPEN: "#e07b00",
    HazardStatus.RECTIFYING: "#1f6fb2",
    HazardStatus.REPORTED: "#7b4fb3",
    HazardStatus.FIXED: "#2a9d4b",
}
OVERDUE_COLOUR = "#d62728"


def legend() -> list[dict]:
    rows = [
        {"code": status.value, "label": str(status.label), "colour": COLOURS[status]}
        for status in HazardStatus
    ]
    rows.append({"code": "overdue", "label": str(_("整改逾期")), "colour": OVERDUE_COLOUR})
    return rows


def hazard_points(hazards: QuerySet[Hazard], today: dt.date) -> dict:
    late = set(
        Notice.objects.filter(
            status=Notice.Status.ISSUED, deadline__lt=today, hazard__in=hazards.values("pk")
        ).values_list("hazard_id", flat=True)
    )
    located = hazards.filter(latitude__isnull=False, longitude__isnull=False)
    rows = located.order_by("-found_at", "-pk").values(
        "pk", "latitude", "longitude", "status", "text", "place__name", "relapse_count"
    )[:POINT_LIMIT]
    features = []
    for row in rows:
        lat, lon = for_display(row["latitude"], row["longitude"])
        status = HazardStatus(row["status"])
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "id": row["pk"],
                    "place": row["place__name"],
                    "text": row["text"][:60],
                    "status": row["status"],
                    "label": str(status.label),
                    "overdue": row["pk"] in late,
                    "relapses": row["relapse_count"],
                    "colour": OVERDUE_COLOUR if row["pk"] in late else COLOURS[status],
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "total": located.count(),
        "legend": legend(),
    }


@require_GET
def hazard_points_view(request):
    """The layer's data; a user without the hazards' pages gets an empty layer."""
    if not request.user.is_authenticated:
        return JsonResponse(
            {"error": "login_required", "message": gettext("请先登录。")}, status=401
        )
    today = local_date(timezone.now())
    return geojson_response(hazard_points(hazards_visible_to(request.user), today))
