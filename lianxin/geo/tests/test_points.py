"""parse_point: what every coordinate entering the platform goes through."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase

from lianxin.geo.coords import distance_m, wgs84_to_bd09, wgs84_to_gcj02
from lianxin.geo.points import parse_point

WGS = (36.105123, 120.405456)


class ParsePointTest(SimpleTestCase):
    def test_blank_is_no_point(self):
        self.assertIsNone(parse_point("", ""))
        self.assertIsNone(parse_point(None, "  "))

    def test_wgs84_is_stored_as_given_to_six_places(self):
        self.assertEqual(
            parse_point("36.1051234", "120.4054561"), (Decimal("36.105123"), Decimal("120.405456"))
        )
        self.assertEqual(
            parse_point(36.5, 120, "wgs84"), (Decimal("36.500000"), Decimal("120.000000"))
        )

    def test_chinese_datums_are_brought_to_wgs84(self):
        for datum, convert in (("gcj02", wgs84_to_gcj02), ("bd09", wgs84_to_bd09)):
            with self.subTest(datum=datum):
                shifted = convert(*WGS)
                lat, lon = parse_point(f"{shifted[0]:.9f}", f"{shifted[1]:.9f}", datum)
                self.assertLess(distance_m(float(lat), float(lon), *WGS), 0.1)

    def test_points_outside_china_are_not_shifted(self):
        self.assertEqual(
            parse_point("51.5", "-0.12", "gcj02"), (Decimal("51.500000"), Decimal("-0.120000"))
        )

    def test_bad_points_are_refused_in_chinese(self):
        for lat, lon, datum, code in (
            ("36.1", "", "wgs84", "half_point"),
            ("北纬36度", "120.1", "wgs84", "not_a_number"),
            ("inf", "120.1", "wgs84", "not_a_number"),
            ("90.5", "120.1", "wgs84", "out_of_range"),
            ("36.1", "-181", "wgs84", "out_of_range"),
            ("36.1", "120.1", "beijing54", "bad_datum"),
        ):
            with (
                self.subTest(lat=lat, lon=lon, datum=datum),
                self.assertRaises(ValidationError) as caught,
            ):
                parse_point(lat, lon, datum)
            self.assertEqual(caught.exception.code, code)
            self.assertRegex(caught.exception.messages[0], "[\u4e00-\u9fff]")
