"""The demo district's invented outlines: nested, gap-free, and holding their cases."""

import datetime as dt
import random

from django.test import SimpleTestCase, TestCase
from django.utils import timezone

from lianxin.cases.models import Case
from lianxin.demo import places
from lianxin.demo.district import build_district
from lianxin.demo.history import History
from lianxin.geo.tessellation import contains
from lianxin.orgs.models import Unit


class OutlinesTest(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shapes = places.outlines()

    def grids(self):
        for _s, _n, communities in places.STREETS:
            for order, (c_code, *_rest) in enumerate(communities):
                for g in range(places.grid_count(order)):
                    yield c_code, self.shapes[(c_code, g)]

    def test_every_unit_has_a_shape_and_the_grids_number_150(self):
        self.assertEqual(sum(1 for _ in self.grids()), 150)
        for s_code, _n, communities in places.STREETS:
            self.assertIn(s_code, self.shapes)
            for c_code, *_rest in communities:
                self.assertIn(c_code, self.shapes)

    def test_the_district_lies_on_the_shandong_coast(self):
        lat, lon = self.shapes["district"].centre
        self.assertTrue(35.9 < lat < 36.3 and 120.3 < lon < 120.6, (lat, lon))
        self.assertEqual(self.shapes["district"].boundary["type"], "MultiPolygon")  # and an island

    def test_each_grid_holds_its_centre_and_lies_in_its_community_and_street(self):
        street_of = {c[0]: s for s, _n, cs in places.STREETS for c in cs}
        for c_code, shape in self.grids():
            lat, lon = shape.centre
            with self.subTest(grid=(c_code, shape.centre)):
                self.assertTrue(contains(shape.boundary, lat, lon))
                self.assertTrue(contains(self.shapes[c_code].boundary, lat, lon))
                self.assertTrue(contains(self.shapes[street_of[c_code]].boundary, lat, lon))
                self.assertTrue(contains(self.shapes["district"].boundary, lat, lon))

    def test_random_points_fall_in_exactly_one_grid(self):
        rng = random.Random(7)
        grids = list(self.grids())
        for c_code, shape in grids[::7]:
            for _ in range(20):
                lat, lon = places.point_in_cells(rng, shape.cells)
                holders = [g for g in grids if contains(g[1].boundary, lat, lon)]
                self.assertEqual(holders, [(c_code, shape)])

    def test_rings_are_closed_and_anticlockwise(self):
        for _c, shape in self.grids():
            ring = shape.boundary["coordinates"][0]
            self.assertEqual(ring[0], ring[-1])
            area = sum(
                x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False)
            )
            self.assertGreater(area, 0)


class DemoUnitsOnTheMapTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        rng = random.Random(2026)
        cast = build_district(rng)
        now = timezone.now()
        History(cast, rng, now).run(60, start=now - dt.timedelta(days=20))

    def test_streets_communities_and_grids_have_a_centre_and_an_outline(self):
        for kind in (Unit.Kind.STREET, Unit.Kind.COMMUNITY, Unit.Kind.GRID):
            units = Unit.objects.filter(kind=kind)
            self.assertFalse(units.filter(latitude__isnull=True).exists())
            self.assertFalse(units.filter(boundary__isnull=True).exists())

    def test_demo_cases_with_a_point_lie_in_their_grid(self):
        located = Case.objects.filter(latitude__isnull=False).select_related("grid")
        self.assertGreater(located.count(), 20)
        for case in located:
            with self.subTest(case=case.tracking_number):
                self.assertTrue(
                    contains(case.grid.boundary, float(case.latitude), float(case.longitude))
                )
