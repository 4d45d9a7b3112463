"""The case map's JSON: scoped like the lists, filtered like the lists, text kept as text."""

from decimal import Decimal

import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lianxin.cases.models import Case, Status
from lianxin.geo import features
from lianxin.geo.coords import distance_m, wgs84_to_gcj02
from lianxin.geo.tessellation import Lattice, polygon
from lianxin.test import LianxinTestCase, at

POINTS = reverse("geo:case_points")
GRIDS = reverse("geo:grid_shapes")
XSS_TITLE = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'


class Rng:  # Lattice.over draws nothing when jitter is 0, but wants something to call
    def uniform(self, a, b):
        return 0.0


def outline(south, west, size=0.01) -> dict:
    lattice = Lattice.over((south, west, south + size, west + size), 1, 1, Rng(), jitter=0)
    return polygon(lattice.ring(0, 0))


def ids(collection) -> set:
    return {f["properties"]["id"] for f in collection["features"]}


class MapDataTest(LianxinTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.grid.boundary = outline(36.10, 120.40)
        cls.grid.save(update_fields=["boundary"])
        cls.other_grid.boundary = outline(36.12, 120.42)
        cls.other_grid.save(update_fields=["boundary"])

    def located(self, unit=None, lat="36.105", lon="120.405", **fields):
        return self.dispatched(unit=unit, latitude=Decimal(lat), longitude=Decimal(lon), **fields)

    def get(self, user, url=POINTS, **params):
        self.client.force_login(user)
        response = self.client.get(url, params)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response["Content-Type"], "application/json")
        return response.json()

    def test_a_department_sees_only_its_cases_points(self):
        mine = self.located(self.dept_a)
        theirs = self.located(self.dept_b)
        self.assertEqual(ids(self.get(self.handler_a)), {mine.pk})
        self.assertEqual(ids(self.get(self.handler_b)), {theirs.pk})
        self.assertEqual(ids(self.get(self.dispatcher)), {mine.pk, theirs.pk})

    def test_a_department_counts_only_its_cases_per_grid(self):
        self.located(self.dept_a)
        self.located(self.dept_b)
        self.located(self.dept_b)
        counts = {
            f["properties"]["id"]: f["properties"]["count"]
            for f in self.get(self.handler_b, GRIDS)["features"]
        }
        self.assertEqual(counts, {self.grid.pk: 2, self.other_grid.pk: 0})
        counts = {
            f["properties"]["id"]: f["properties"]["count"]
            for f in self.get(self.dispatcher, GRIDS)["features"]
        }
        self.assertEqual(counts[self.grid.pk], 3)

    def test_the_lists_filters_apply(self):
        lights = self.located(title="小区路灯不亮")
        other = self.located(category=None, title="楼道堆放杂物")
        replied = self.replied(latitude=Decimal("36.11"), longitude=Decimal("120.41"))
        self.assertEqual(
            ids(self.get(self.dispatcher, category=self.category.pk)), {lights.pk, replied.pk}
        )
        self.assertEqual(ids(self.get(self.dispatcher, status=Status.REPLIED)), {replied.pk})
        self.assertEqual(ids(self.get(self.dispatcher, q="杂物")), {other.pk})
        self.assertEqual(ids(self.get(self.dispatcher, unit=self.dept_b.pk)), set())
        # A queue from the inbox narrows the map as it narrows the list.
        self.assertEqual(ids(self.get(self.dispatcher, queue="to_dispatch")), set())
        self.assertEqual(ids(self.get(self.handler_a, queue="to_accept")), {lights.pk, other.pk})

    @time_machine.travel(at(2026, 10, 13, 10), tick=False)
    def test_overdue_cases_are_marked_and_the_grid_view_gives_the_share(self):
        late = self.located(when=at(2026, 9, 20), category=None)  # reply due 30 September
        self.located(when=at(2026, 10, 12), category=None)
        self.located(when=at(2026, 10, 12), category=None)
        self.located(when=at(2026, 10, 12), category=None, lat="36.125", lon="120.425")
        points = self.get(self.dispatcher)
        self.assertEqual(
            {f["properties"]["id"] for f in points["features"] if f["properties"]["overdue"]},
            {late.pk},
        )
        self.assertEqual(ids(self.get(self.dispatcher, deadline="overdue")), {late.pk})
        grids = {
            f["properties"]["id"]: f["properties"]
            for f in self.get(self.dispatcher, GRIDS)["features"]
        }
        # The cases' grid is their registered grid (g1), whatever their point.
        self.assertEqual((grids[self.grid.pk]["count"], grids[self.grid.pk]["overdue"]), (4, 1))
        self.assertEqual(grids[self.grid.pk]["share"], 0.25)
        self.assertEqual(grids[self.grid.pk]["share_class"], features.share_class(0.25))
        self.assertEqual(grids[self.grid.pk]["count_class"], 4)  # the busiest grid: darkest
        self.assertEqual(grids[self.other_grid.pk]["count_class"], 0)

    def test_titles_travel_as_json_text(self):
        case = self.located(title=XSS_TITLE)
        self.client.force_login(self.dispatcher)
        raw = self.client.get(POINTS).content.decode()
        self.assertNotIn("<", raw)
        self.assertNotIn(">", raw)
        feature = self.get(self.dispatcher)["features"][0]
        self.assertEqual(feature["properties"]["title"], XSS_TITLE)  # drawn with textContent
        self.assertEqual(feature["properties"]["no"], case.tracking_number)
        # The page itself carries no case titles: only the script's JSON does.
        page = self.client.get(reverse("geo:map")).content.decode()
        self.assertNotIn("alert(1)", page)

    def test_cases_without_a_point_are_left_out(self):
        self.dispatched()
        located = self.located()
        data = self.get(self.dispatcher)
        self.assertEqual(ids(data), {located.pk})
        self.assertEqual(data["features"][0]["geometry"]["coordinates"], [120.405, 36.105])

    def test_too_many_points_are_capped_with_a_message(self):
        cases = [self.located() for _ in range(4)]
        data = features.case_points(Case.objects.order_by("-registered_at", "-pk"), limit=3)
        self.assertTrue(data["truncated"])
        self.assertEqual((data["shown"], data["total"]), (3, 4))
        self.assertEqual(ids(data), {c.pk for c in cases[1:]})  # the most recent three
        self.assertIn("共4件", data["message"])
        self.assertFalse(self.get(self.dispatcher)["truncated"])

    def test_the_endpoints_query_a_fixed_number_of_times(self):
        self.located()
        self.client.force_login(self.dispatcher)
        for url in (POINTS, GRIDS):
            with CaptureQueriesContext(connection) as one:
                self.client.get(url)
            for _ in range(5):
                self.located(lat="36.125", lon="120.425")
            with self.subTest(url=url), self.assertNumQueries(len(one.captured_queries)):
                self.client.get(url)

    @override_settings(MAP_TILE_DATUM="gcj02")
    def test_on_gcj02_tiles_points_and_outlines_are_shifted_to_match(self):
        self.located(lat="36.105", lon="120.405")
        data = self.get(self.dispatcher)
        self.assertEqual(data["datum"], "gcj02")
        lon, lat = data["features"][0]["geometry"]["coordinates"]
        expected = wgs84_to_gcj02(36.105, 120.405)
        self.assertLess(distance_m(lat, lon, *expected), 0.2)
        corner = self.get(self.dispatcher, GRIDS)["features"][0]["geometry"]["coordinates"][0][0]
        stored = self.grid.boundary["coordinates"][0][0]
        shifted = wgs84_to_gcj02(stored[1], stored[0])
        self.assertLess(distance_m(corner[1], corner[0], *shifted), 0.2)

    def test_grids_without_an_outline_are_counted_aside(self):
        self.other_grid.boundary = None
        self.other_grid.save(update_fields=["boundary"])
        self.located(grid=self.other_grid)
        self.located()
        data = self.get(self.dispatcher, GRIDS)
        self.assertEqual(ids(data), {self.grid.pk})
        self.assertEqual(data["outside"], 1)

    def test_the_streets_outlines_come_with_the_grids(self):
        self.street.boundary = outline(36.10, 120.40, 0.02)
        self.street.save(update_fields=["boundary"])
        streets = self.get(self.dispatcher, GRIDS)["streets"]["features"]
        self.assertEqual([f["properties"]["name"] for f in streets], [self.street.name])

    def test_a_broken_outline_is_left_off_not_fatal(self):
        self.other_grid.boundary = {"type": "Polygon", "coordinates": "nonsense"}
        self.other_grid.save(update_fields=["boundary"])
        self.assertEqual(ids(self.get(self.dispatcher, GRIDS)), {self.grid.pk})


class MapAccessTest(LianxinTestCase):
    def test_signed_out_gets_a_json_error(self):
        for url in (POINTS, GRIDS):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 401)
            self.assertEqual(response.json()["error"], "login_required")

    def test_residents_have_no_map(self):
        self.client.force_login(self.resident)
        for url in (POINTS, GRIDS):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 404)  # as for a list that is not there
            self.assertEqual(response.json()["error"], "not_found")
        self.assertEqual(self.client.get(reverse("geo:map")).status_code, 404)

    def test_an_unknown_queue_is_a_json_404(self):
        self.client.force_login(self.handler_a)
        response = self.client.get(POINTS, {"queue": "to_dispatch"})  # the office's queue
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.json()["error"], "not_found")

    def test_the_endpoints_take_only_get(self):
        self.client.force_login(self.dispatcher)
        self.assertEqual(self.client.post(POINTS).status_code, 405)
        self.assertEqual(self.client.post(reverse("geo:map")).status_code, 405)

    def test_the_page_keeps_the_filters_for_its_data_and_the_list(self):
        self.client.force_login(self.dispatcher)
        page = self.client.get(reverse("geo:map"), {"status": "replied", "deadline": "overdue"})
        self.assertContains(page, "status=replied&amp;deadline=overdue")
        self.assertContains(page, 'id="map-config"')
        self.assertContains(page, "vendor/leaflet-1.9.4/leaflet.js")
        self.assertContains(page, "网格汇总")
