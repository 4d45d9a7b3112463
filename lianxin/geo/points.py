"""Points as they enter the platform: parsed, checked and brought to WGS-84 for storage.

Every place a coordinate comes in (the residents' map pin, an import column, an
API field) goes through `parse_point`, naming the datum the point was given in;
what it returns is what the Case and Unit columns hold: WGS-84, six decimals.
"""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lianxin.geo import coords

SIX_PLACES = Decimal("0.000001")


def parse_point(latitude, longitude, datum: str = coords.WGS84) -> tuple[Decimal, Decimal] | None:
    """The stored (latitude, longitude) for a point given in `datum`, or None if both are blank.

    Raises ValidationError (in Chinese) for half a point, text that is not a number,
    a value out of range, or an unknown datum."""
    lat_text = str(latitude if latitude is not None else "").strip()
    lon_text = str(longitude if longitude is not None else "").strip()
    if not lat_text and not lon_text:
        return None
    if not lat_text or not lon_text:
        raise ValidationError(_("位置须同时有纬度和经度。"), code="half_point")
    try:
        lat, lon = Decimal(lat_text), Decimal(lon_text)
    except InvalidOperation:
        raise ValidationError(_("位置的纬度和经度须是数字。"), code="not_a_number") from None
    if not (lat.is_finite() and lon.is_finite()):
        raise ValidationError(_("位置的纬度和经度须是数字。"), code="not_a_number")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationError(
            _("位置超出范围：纬度须在-90到90之间，经度须在-180到180之间。"), code="out_of_range"
        )
    if datum not in coords.DATUMS:
        raise ValidationError(
            _("未知的坐标系：%(datum)s。"), code="bad_datum", params={"datum": datum}
        )
    wgs_lat, wgs_lon = coords.to_wgs84(float(lat), float(lon), datum)
    return Decimal(wgs_lat).quantize(SIX_PLACES), Decimal(wgs_lon).quantize(SIX_PLACES)


def tile_settings() -> dict:
    """The configured tiles, as every map's script needs them."""
    return {
        "tile_url": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "datum": settings.MAP_TILE_DATUM,
    }


def tile_datum() -> str:
    """The datum the configured map tiles are drawn in (settings.MAP_TILE_DATUM)."""
    return settings.MAP_TILE_DATUM


def for_display(lat, lon) -> tuple[float, float]:
    """A stored WGS-84 point where the configured tiles draw it, rounded for the wire."""
    shown = coords.from_wgs84(float(lat), float(lon), tile_datum())
    return round(shown[0], 6), round(shown[1], 6)


def ring_for_display(ring: list) -> list:
    """A GeoJSON ring ([lon, lat] pairs, WGS-84) in the tiles' datum."""
    if tile_datum() == coords.WGS84:
        return [[round(float(lon), 6), round(float(lat), 6)] for lon, lat, *_z in ring]
    return [list(reversed(for_display(lat, lon))) for lon, lat, *_z in ring]


def geometry_for_display(geometry: dict | None) -> dict | None:
    """A stored Polygon or MultiPolygon (WGS-84) in the tiles' datum; None if it is not one."""
    if not isinstance(geometry, dict):
        return None
    try:
        if geometry.get("type") == "Polygon":
            rings = [ring_for_display(ring) for ring in geometry["coordinates"]]
            return {"type": "Polygon", "coordinates": rings}
        if geometry.get("type") == "MultiPolygon":
            polygons = [
                [ring_for_display(ring) for ring in polygon] for polygon in geometry["coordinates"]
            ]
            return {"type": "MultiPolygon", "coordinates": polygons}
    except (KeyError, TypeError, ValueError):
        return None  # a malformed outline is left off the map rather than breaking it
    return None
