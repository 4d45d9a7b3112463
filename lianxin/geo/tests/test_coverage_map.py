"""The coverage map's buildings: each with the round's numbers over the households the
user may see, shaded by 覆盖率; nothing for those who may not see coverage."""

import json
from decimal import Decimal

from django.urls import reverse

from lianxin.figures.tests.test_coverage import CountedRegister
from lianxin.geo.coverage_views import band
from lianxin.registry import coverage_tally
from lianxin.registry.models import Building, Household


class CoverageMapTest(CountedRegister):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()

        def building(name, community, grid, lat):
            return Building.objects.create(
                community=community,
                grid=grid,
                name=name,
                address=name,
                address_key=name,
                latitude=Decimal(lat),
                longitude=Decimal("120.400000"),
            )

        cls.no3 = building("福临苑3号楼", cls.community, cls.grid, "36.100000")
        cls.no5 = building("福临苑5号楼", cls.community, cls.grid, "36.101000")
        cls.far = building("青峰路12号", cls.other_community, cls.other_grid, "36.120000")
        Household.objects.filter(pk__in=[cls.household.pk, cls.neighbour.pk]).update(
            building=cls.no3
        )
        Household.objects.filter(pk__in=[cls.h3.pk, cls.h4.pk, cls.h5.pk]).update(building=cls.no5)
        Household.objects.filter(pk=cls.far_household.pk).update(building=cls.far)
        coverage_tally.rebuild()  # the updates above went around the actions

    def features(self, user, **params):
        self.client.force_login(user)
        response = self.client.get(reverse("geo:building_coverage"), params)
        return response, json.loads(response.content)

    def test_the_office_sees_every_building_shaded_by_its_coverage(self):
        response, data = self.features(self.dispatcher, round=self.second.pk)
        self.assertEqual(response.status_code, 200)
        found = {
            f["properties"]["name"]: (
                f["properties"]["households"],
                f["properties"]["visited"],
                f["properties"]["coverage"],
                f["properties"]["colour"],
            )
            for f in data["features"]
        }
        self.assertEqual(
            found,
            {
                "福临苑3号楼": (2, 2, 100.0, "#2e7d32"),
                "福临苑5号楼": (3, 1, 33.3, "#b71c1c"),
                "青峰路12号": (1, 0, 0.0, "#b71c1c"),
            },
        )
        point = next(f for f in data["features"] if f["properties"]["name"] == "福临苑5号楼")
        self.assertIn("by=building", point["properties"]["url"])
        listed = self.client.get(point["properties"]["url"])
        self.assertEqual({i["household"] for i in listed.context["items"]}, {self.h4, self.h5})

    def test_each_sees_only_the_buildings_of_his_households(self):
        for user, names in [
            (self.other_grid_worker, {"青峰路12号"}),
            (self.outside_cadre_user, {"福临苑3号楼"}),
            (self.handler_c, set()),
        ]:
            with self.subTest(user=user.username):
                _response, data = self.features(user, round=self.second.pk)
                self.assertEqual({f["properties"]["name"] for f in data["features"]}, names)

    def test_residents_and_strangers_get_json_errors(self):
        response, data = self.features(self.resident, round=self.second.pk)
        self.assertEqual((response.status_code, data["error"]), (404, "not_found"))
        response, _data = self.features(self.dispatcher, round=9999)
        self.assertEqual(response.status_code, 404)
        self.client.logout()
        response = self.client.get(reverse("geo:building_coverage"))
        self.assertEqual(response.status_code, 401)
        self.client.force_login(self.resident)
        self.assertEqual(self.client.get(reverse("geo:coverage")).status_code, 404)

    def test_bands(self):
        self.assertEqual(
            [band(v) for v in (None, 0, 49.9, 50, 80, 94.9, 95, 100)],
            [
                "#b71c1c",
                "#b71c1c",
                "#b71c1c",
                "#ef6c00",
                "#f9a825",
                "#f9a825",
                "#2e7d32",
                "#2e7d32",
            ],
        )
