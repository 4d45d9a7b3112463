"""Datum conversions, against published pairs of coordinates and by round trips."""

from django.test import SimpleTestCase
from hypothesis import given, settings
from hypothesis import strategies as st

from lianxin.geo import coords
from lianxin.geo.coords import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    distance_m,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

# AutoNavi's own example for its coordinate-conversion web service ("坐标转换",
# https://lbs.amap.com/api/webservice/guide/api/convert): the GPS (WGS-84) points
# 116.481499,39.990475 and 116.481499,39.990375 come back as these GCJ-02 points.
# (longitude, latitude) as AutoNavi writes them.
AMAP_EXAMPLES = [
    ((116.481499, 39.990475), (116.487585177952, 39.991754014757)),
    ((116.481499, 39.990375), (116.487585177952, 39.991653917101)),
]
# The test pairs of googollee/eviltransform (python/test.py), an implementation used in
# several languages: (WGS-84 lat, lon, GCJ-02 lat, lon) in Shanghai, Shenzhen, Beijing.
EVILTRANSFORM_PAIRS = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
]
# wandergis/coordtransform's published results (test/app.js) for the point
# 116.404,39.915 (Tian'anmen), read as GCJ-02 → BD-09 and BD-09 → GCJ-02.
COORDTRANSFORM_BD = {
    "gcj02_to_bd09": (116.41036949371029, 39.92133699351021),
    "bd09_to_gcj02": (116.39762729119315, 39.90865673957631),
}

# Mainland China, a little inside the box outside which nothing is shifted.
china_lat = st.floats(min_value=18.2, max_value=53.5)
china_lon = st.floats(min_value=73.7, max_value=134.7)


class KnownPairsTest(SimpleTestCase):
    def test_autonavis_published_conversion(self):
        for (lon, lat), (gcj_lon, gcj_lat) in AMAP_EXAMPLES:
            with self.subTest(lat=lat):
                got = wgs84_to_gcj02(lat, lon)
                # AutoNavi's server agrees with the published formula to a few centimetres.
                self.assertLess(distance_m(*got, gcj_lat, gcj_lon), 0.1)
                back = gcj02_to_wgs84(gcj_lat, gcj_lon)
                self.assertLess(distance_m(*back, lat, lon), 0.1)

    def test_the_shift_is_hundreds_of_metres(self):
        # The reason for all this: an unconverted GCJ-02 pin lands far from the place.
        for (lon, lat), (gcj_lon, gcj_lat) in AMAP_EXAMPLES:
            self.assertGreater(distance_m(lat, lon, gcj_lat, gcj_lon), 400)

    def test_eviltransform_pairs_both_ways(self):
        for wgs_lat, wgs_lon, gcj_lat, gcj_lon in EVILTRANSFORM_PAIRS:
            with self.subTest(lat=wgs_lat):
                self.assertLess(
                    distance_m(*wgs84_to_gcj02(wgs_lat, wgs_lon), gcj_lat, gcj_lon), 0.01
                )
                # Their one-step inverse is 1-2 m off; ours iterates to well under that.
                self.assertLess(
                    distance_m(*gcj02_to_wgs84(gcj_lat, gcj_lon), wgs_lat, wgs_lon), 0.01
                )

    def test_baidu_offsets(self):
        lon, lat = 116.404, 39.915
        bd_lat, bd_lon = gcj02_to_bd09(lat, lon)
        self.assertAlmostEqual(bd_lon, COORDTRANSFORM_BD["gcj02_to_bd09"][0], places=9)
        self.assertAlmostEqual(bd_lat, COORDTRANSFORM_BD["gcj02_to_bd09"][1], places=9)
        gcj = bd09_to_gcj02(lat, lon)
        expected_lon, expected_lat = COORDTRANSFORM_BD["bd09_to_gcj02"]
        # Theirs is Baidu's one-step inverse; ours refines it, a couple of centimetres away.
        self.assertLess(distance_m(*gcj, expected_lat, expected_lon), 0.1)

    def test_points_outside_china_pass_through(self):
        for lat, lon in [
            (51.5007, -0.1246),
            (48.8584, 2.2945),
            (-33.8568, 151.2153),
            (37.5665, 140.0),
        ]:
            for convert in (wgs84_to_gcj02, gcj02_to_wgs84, gcj02_to_bd09, bd09_to_gcj02):
                self.assertEqual(convert(lat, lon), (lat, lon))

    def test_to_wgs84_by_datum_name(self):
        lat, lon = 36.0671, 120.3826
        self.assertEqual(to_wgs84(lat, lon, "wgs84"), (lat, lon))
        self.assertEqual(
            to_wgs84(*wgs84_to_gcj02(lat, lon), "gcj02")[0],
            gcj02_to_wgs84(*wgs84_to_gcj02(lat, lon))[0],
        )
        self.assertLess(distance_m(*to_wgs84(*wgs84_to_bd09(lat, lon), "bd09"), lat, lon), 0.01)
        with self.assertRaises(ValueError):
            to_wgs84(lat, lon, "cgcs2000")


class RoundTripTest(SimpleTestCase):
    @settings(max_examples=400, deadline=None)
    @given(china_lat, china_lon)
    def test_gcj02_round_trip_within_half_a_metre(self, lat, lon):
        self.assertFalse(coords.out_of_china(lat, lon))
        self.assertLess(distance_m(*gcj02_to_wgs84(*wgs84_to_gcj02(lat, lon)), lat, lon), 0.5)
        # And from a point read off a Chinese map.
        self.assertLess(distance_m(*wgs84_to_gcj02(*gcj02_to_wgs84(lat, lon)), lat, lon), 0.5)

    @settings(max_examples=400, deadline=None)
    @given(china_lat, china_lon)
    def test_bd09_round_trip_within_half_a_metre(self, lat, lon):
        self.assertLess(distance_m(*bd09_to_wgs84(*wgs84_to_bd09(lat, lon)), lat, lon), 0.5)
        self.assertLess(distance_m(*bd09_to_gcj02(*gcj02_to_bd09(lat, lon)), lat, lon), 0.5)

    @settings(max_examples=200, deadline=None)
    @given(china_lat, china_lon)
    def test_the_iterative_inverse_beats_the_one_step_one(self, lat, lon):
        gcj = wgs84_to_gcj02(lat, lon)
        one_step = (2 * gcj[0] - wgs84_to_gcj02(*gcj)[0], 2 * gcj[1] - wgs84_to_gcj02(*gcj)[1])
        exact = gcj02_to_wgs84(*gcj)
        self.assertLessEqual(distance_m(*exact, lat, lon), distance_m(*one_step, lat, lon) + 1e-6)
        self.assertLess(distance_m(*exact, lat, lon), 0.01)
