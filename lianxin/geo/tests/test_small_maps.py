"""The case page's small map and the residents' map pin."""

import json
import re
from decimal import Decimal

from django.test import override_settings
from django.urls import reverse

from lianxin.cases.models import Case
from lianxin.geo.coords import distance_m, wgs84_to_gcj02
from lianxin.geo.tessellation import Lattice, polygon
from lianxin.test import LianxinTestCase


class Still:
    def uniform(self, a, b):
        return 0.0


def outline(south, west, size=0.01) -> dict:
    return polygon(Lattice.over((south, west, south + size, west + size), 1, 1, Still()).ring(0, 0))


def place_data(response) -> dict | None:
    found = re.search(
        r'<script id="case-place-data" type="application/json">(.*?)</script>',
        response.content.decode(),
    )
    return json.loads(found.group(1)) if found else None


class CasePageMapTest(LianxinTestCase):
    def page(self, case, user=None):
        self.client.force_login(user or self.dispatcher)
        return self.client.get(reverse("workbench:case", args=[case.pk]))

    def test_a_case_with_a_point_shows_it_and_its_grid(self):
        self.grid.boundary = outline(36.10, 120.40)
        self.grid.save(update_fields=["boundary"])
        case = self.dispatched(latitude=Decimal("36.105"), longitude=Decimal("120.405"))
        data = place_data(self.page(case))
        self.assertEqual(data["point"], [36.105, 120.405])
        self.assertEqual(data["outline"]["type"], "Polygon")
        self.assertEqual(data["grid"], self.grid.name)
        self.assertIn("tile_url", data)

    def test_a_case_without_a_point_shows_its_grid_and_says_so(self):
        self.grid.boundary = outline(36.10, 120.40)
        self.grid.save(update_fields=["boundary"])
        response = self.page(self.dispatched())
        self.assertIsNone(place_data(response)["point"])
        self.assertContains(response, "没有标注具体位置")

    def test_a_place_without_coordinates_says_so(self):
        response = self.page(self.dispatched())
        self.assertIsNone(place_data(response))
        self.assertContains(response, "没有坐标")

    def test_the_title_in_the_map_data_is_escaped(self):
        case = self.dispatched(
            title="</script><script>alert(1)</script>",
            latitude=Decimal("36.105"),
            longitude=Decimal("120.405"),
        )
        response = self.page(case)
        self.assertNotContains(response, "<script>alert(1)")
        self.assertEqual(place_data(response)["title"], case.title)

    @override_settings(MAP_TILE_DATUM="gcj02")
    def test_on_gcj02_tiles_the_point_is_shifted(self):
        case = self.dispatched(latitude=Decimal("36.105"), longitude=Decimal("120.405"))
        lat, lon = place_data(self.page(case))["point"]
        self.assertLess(distance_m(lat, lon, *wgs84_to_gcj02(36.105, 120.405)), 0.2)

    def test_the_map_comes_back_with_an_htmx_action(self):
        case = self.register(latitude=Decimal("36.105"), longitude=Decimal("120.405"))
        self.client.force_login(self.dispatcher)
        response = self.client.post(
            reverse("workbench:case_action", args=[case.pk, "dispatch"]),
            {"unit": self.dept_a.pk},
            HTTP_HX_REQUEST="true",
        )
        self.assertEqual(place_data(response)["point"], [36.105, 120.405])
        self.assertContains(response, "js/geo/case_map.js")


def concern(**changes) -> dict:
    data = {
        "category": "",
        "title": "小区北门路灯不亮",
        "text": "福临苑小区北门的两盏路灯坏了快两周，晚上出入不方便。",
        "address": "福临苑小区北门",
        "latitude": "",
        "longitude": "",
        "name": "张建国",
        "phone": "13912345678",
        "token": "0123456789abcdef0123456789abcdef",
    }
    data.update(changes)
    return data


class PinTest(LianxinTestCase):
    url = reverse("portal:submit")

    def test_the_form_offers_the_pin_map_hidden_until_script_shows_it(self):
        response = self.client.get(self.url)
        self.assertContains(response, 'id="pin" hidden')
        self.assertContains(response, 'name="datum"')
        self.assertContains(response, "js/geo/pin.js")

    def test_a_pin_on_wgs84_tiles_is_stored_as_it_is(self):
        self.client.post(
            self.url, concern(latitude="36.105123", longitude="120.405456", datum="wgs84")
        )
        case = Case.objects.get()
        self.assertEqual(
            (case.latitude, case.longitude), (Decimal("36.105123"), Decimal("120.405456"))
        )

    def test_a_pin_on_gcj02_tiles_is_converted_to_wgs84(self):
        wgs = (36.105123, 120.405456)
        gcj = wgs84_to_gcj02(*wgs)
        self.client.post(
            self.url, concern(latitude=f"{gcj[0]:.6f}", longitude=f"{gcj[1]:.6f}", datum="gcj02")
        )
        case = Case.objects.get()
        # Six decimals are 0.1 m; the conversion adds nothing worth measuring.
        self.assertLess(distance_m(float(case.latitude), float(case.longitude), *wgs), 0.2)
        self.assertGreater(distance_m(*gcj, *wgs), 300)

    def test_without_a_datum_the_point_is_taken_as_gps(self):
        self.client.post(self.url, concern(latitude="36.0703", longitude="120.3826"))
        self.assertEqual(Case.objects.get().latitude, Decimal("36.070300"))

    def test_a_bad_pin_is_refused_in_chinese_and_cleared_keeping_the_rest(self):
        for lat, lon, words in (
            ("999", "120.1", "超出范围"),
            ("abc", "120.1", "须是数字"),
            ("36.1", "", "同时有纬度和经度"),
            ("nan", "120.1", "须是数字"),
        ):
            with self.subTest(lat=lat, lon=lon):
                response = self.client.post(self.url, concern(latitude=lat, longitude=lon))
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, words)
                self.assertContains(response, "地图上的位置无效")
                self.assertContains(response, 'value="小区北门路灯不亮"')  # what was typed stays
                self.assertContains(
                    response, '<input type="hidden" name="latitude" id="id_latitude">', html=True
                )
                self.assertFalse(Case.objects.exists())

    def test_an_unknown_datum_is_refused(self):
        response = self.client.post(
            self.url, concern(latitude="36.1", longitude="120.1", datum="bj54")
        )
        self.assertContains(response, "未知的坐标系")
        self.assertFalse(Case.objects.exists())
