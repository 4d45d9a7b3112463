"""Who sees which household, and whose phone is unmasked for whom."""

from django.http import Http404

from lianxin.accounts.models import Disclosure
from lianxin.registry import access
from lianxin.test import LianxinTestCase


class HouseholdScopeTest(LianxinTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build_registers(cls)

    def person(self, username):
        # The pair's cadre without a staff role is not one of the district's cast.
        return self.outside_cadre_user if username == "cadre_li" else getattr(self, username)

    def visible(self, user) -> set[str]:
        return set(access.households_visible_to(user).values_list("head_name", flat=True))

    def test_each_role_sees_its_own_households(self):
        ours = {"王秀兰", "陈建华"}
        expected = {
            "dispatcher": ours | {"刘芳"},
            "leader": ours | {"刘芳"},
            "admin": ours | {"刘芳"},
            "street_staff": ours,
            "community_staff": ours,
            "grid_worker": ours,
            "other_grid_worker": {"刘芳"},
            "handler_a": ours,  # attached to the 片区 of 福临第一网格
            "handler_b": set(),
            "cadre_li": ours,  # a pair member without any staff role
            "resident": set(),
        }
        for username, households in expected.items():
            user = self.person(username)
            with self.subTest(user=username):
                self.assertEqual(self.visible(user), households)

    def test_not_yours_is_the_same_404_as_missing(self):
        for pk in (self.far_household.pk, 999999, "x"):
            with self.subTest(pk=pk), self.assertRaises(Http404):
                access.access_household_by_id(self.handler_a, pk)
        self.assertEqual(
            access.access_household_by_id(self.handler_a, self.household.pk), self.household
        )

    def test_phones_are_unmasked_for_the_pair_the_community_and_the_office_only(self):
        unmasked = {
            "dispatcher": True,
            "community_staff": True,
            "cadre_li": True,
            "street_staff": False,
            "grid_worker": False,
            "handler_a": False,
            "leader": False,
        }
        for username, expected in unmasked.items():
            user = self.person(username)
            with self.subTest(user=username):
                self.assertEqual(access.sees_personal_data(user, self.household), expected)
                ids = access.personal_data_household_ids(user, [self.household, self.neighbour])
                self.assertEqual(bool(ids), expected)
        self.assertEqual(access.shown_phone("13812341234", False), "138****1234")

    def test_an_unmasked_view_is_logged(self):
        access.log_unmasked(self.community_staff, {self.household.pk}, "phone", "/registry/1/")
        entry = Disclosure.objects.get()
        self.assertEqual(
            (entry.user, entry.subject, entry.object_id, entry.fields),
            (self.community_staff, "household", self.household.pk, "phone"),
        )
