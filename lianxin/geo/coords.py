"""Datum conversions between WGS-84, GCJ-02 and BD-09 (no Django).

The platform stores WGS-84 (what GPS receivers, OpenStreetMap and 天地图 use).
Maps published in mainland China must shift their coordinates: GCJ-02 (国测局坐标,
"Mars coordinates") is used by AutoNavi/高德, Tencent and Google's China tiles;
Baidu adds its own BD-09 shift on top of GCJ-02. A point picked on one of those
maps must be converted before it is stored, or it lands 300-600 m off.

The forward WGS-84 → GCJ-02 transform is the widely published formula (the
Krasovsky-ellipsoid version found in the leaked `wgtochina_lb` code); its
inverse has no closed form, so `gcj02_to_wgs84` iterates to sub-millimetre
agreement instead of the usual one-step approximation (which is 1-2 m off).
The BD-09 shift is Baidu's published formula, likewise inverted iteratively.

Outside China (a rough bounding box, as every implementation uses) the shift is
not applied and points pass through unchanged. Coordinates are (latitude,
longitude) pairs in degrees everywhere in this module.
"""

import math

# Krasovsky 1940 semi-major axis and first eccentricity squared, as in the original.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0
# Converged when a forward transform of the estimate lands within this of the target
# (1e-10 degree is about 0.01 mm).
_TOLERANCE = 1e-10
_MAX_ITERATIONS = 30

WGS84 = "wgs84"
GCJ02 = "gcj02"
BD09 = "bd09"
DATUMS = (WGS84, GCJ02, BD09)


def out_of_china(lat: float, lon: float) -> bool:
    """Whether the point lies outside the box in which Chinese maps shift coordinates."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _shift(x: float, y: float) -> tuple[float, float]:
    """The published offset polynomial, in "metres" before scaling, at x = lon-105, y = lat-35."""
    xp, yp = x * math.pi, y * math.pi
    common = (20.0 * math.sin(6.0 * xp) + 20.0 * math.sin(2.0 * xp)) * 2.0 / 3.0
    lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    lat += common
    lat += (20.0 * math.sin(yp) + 40.0 * math.sin(yp / 3.0)) * 2.0 / 3.0
    lat += (160.0 * math.sin(yp / 12.0) + 320.0 * math.sin(yp / 30.0)) * 2.0 / 3.0
    lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    lon += common
    lon += (20.0 * math.sin(xp) + 40.0 * math.sin(xp / 3.0)) * 2.0 / 3.0
    lon += (150.0 * math.sin(xp / 12.0) + 300.0 * math.sin(xp / 30.0)) * 2.0 / 3.0
    return lat, lon


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """A WGS-84 point as Chinese maps (高德, 腾讯) show it."""
    if out_of_china(lat, lon):
        return lat, lon
    d_lat, d_lon = _shift(lon - 105.0, lat - 35.0)
    rad_lat = lat / 180.0 * math.pi
    magic = 1.0 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return lat + d_lat, lon + d_lon


def _invert(forward, lat: float, lon: float, guess: tuple[float, float]) -> tuple[float, float]:
    """The point p with forward(p) == (lat, lon), by fixed-point iteration from `guess`.

    The shift changes by well under a millionth per degree, so each step removes
    almost all the remaining error; three or four steps reach the tolerance."""
    est_lat, est_lon = guess
    for _ in range(_MAX_ITERATIONS):
        got_lat, got_lon = forward(est_lat, est_lon)
        err_lat, err_lon = got_lat - lat, got_lon - lon
        if abs(err_lat) < _TOLERANCE and abs(err_lon) < _TOLERANCE:
            break
        est_lat, est_lon = est_lat - err_lat, est_lon - err_lon
    return est_lat, est_lon


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """A point read off a GCJ-02 map, in WGS-84 (iterated to sub-millimetre accuracy)."""
    if out_of_china(lat, lon):
        return lat, lon
    return _invert(wgs84_to_gcj02, lat, lon, (lat, lon))


def gcj02_to_bd09(lat: float, lon: float) -> tuple[float, float]:
    """A GCJ-02 point as Baidu's maps show it."""
    if out_of_china(lat, lon):
        return lat, lon
    z = math.hypot(lon, lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _X_PI)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


def bd09_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """A point read off a Baidu map, in GCJ-02: Baidu's one-step inverse, then refined."""
    if out_of_china(lat, lon):
        return lat, lon
    x, y = lon - 0.0065, lat - 0.006
    z = math.hypot(x, y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return _invert(gcj02_to_bd09, lat, lon, (z * math.sin(theta), z * math.cos(theta)))


def wgs84_to_bd09(lat: float, lon: float) -> tuple[float, float]:
    return gcj02_to_bd09(*wgs84_to_gcj02(lat, lon))


def bd09_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    return gcj02_to_wgs84(*bd09_to_gcj02(lat, lon))


def to_wgs84(lat: float, lon: float, datum: str) -> tuple[float, float]:
    """A point given in `datum` ("wgs84", "gcj02" or "bd09"), in WGS-84."""
    if datum == WGS84:
        return lat, lon
    if datum == GCJ02:
        return gcj02_to_wgs84(lat, lon)
    if datum == BD09:
        return bd09_to_wgs84(lat, lon)
    raise ValueError(f"unknown datum {datum!r}; expected one of {', '.join(DATUMS)}")


def from_wgs84(lat: float, lon: float, datum: str) -> tuple[float, float]:
    """A WGS-84 point in `datum`, for drawing on a map whose tiles use it."""
    if datum == WGS84:
        return lat, lon
    if datum == GCJ02:
        return wgs84_to_gcj02(lat, lon)
    if datum == BD09:
        return wgs84_to_bd09(lat, lon)
    raise ValueError(f"unknown datum {datum!r}; expected one of {', '.join(DATUMS)}")


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine on the mean Earth radius)."""
    r = 6371008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(h))
