"""The coverage page, the households behind its numbers and the registers' ledgers:
each role sees its own households only (404 or an empty list for the rest), phones
whole only for those who call and visit, and every whole phone logged."""

import io
from urllib.parse import urlencode

from django.urls import reverse
from openpyxl import load_workbook

from lianxin.accounts.models import Disclosure
from lianxin.figures.tests.test_coverage import CountedRegister

# The register of test_coverage: what each role may see of the 7 households.
SCOPES = {
    "dispatcher": 7,
    "leader": 7,
    "admin": 7,
    "street_staff": 6,
    "community_staff": 6,
    "grid_worker": 6,
    "handler_a": 6,  # 区城市管理局 is attached to 福临片区
    "other_grid_worker": 1,
    "handler_c": 0,  # a department attached to nothing
    "outside_cadre_user": 2,  # a cadre without a staff role: his pair's
}


def xlsx(response) -> list[list]:
    data = b"".join(response.streaming_content)
    return [list(r) for r in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]


class CoveragePageTest(CountedRegister):
    def page(self, user, **params):
        self.client.force_login(user)
        return self.client.get(reverse("figures:coverage"), params)

    def behind(self, user, **params):
        self.client.force_login(user)
        return self.client.get(reverse("figures:coverage_households"), params)

    def export(self, user, kind, **params):
        self.client.force_login(user)
        url = reverse("ledgers:export", args=[kind, "xlsx"])
        return self.client.get(f"{url}?{urlencode(params)}")

    def test_each_role_sees_the_coverage_of_its_own_households(self):
        for name, households in SCOPES.items():
            with self.subTest(user=name):
                response = self.page(getattr(self, name), round=self.second.pk)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.context["total"].households, households)
                listed = self.behind(
                    getattr(self, name), round=self.second.pk, measure="households"
                )
                self.assertEqual(listed.context["page"].paginator.count, households)

    def test_the_open_round_is_shown_by_default_grouped_by_community(self):
        response = self.page(self.community_staff)
        self.assertEqual(response.context["round"], self.second)
        self.assertContains(response, "福临社区")
        self.assertContains(response, "66.7%")  # 4 of 6 visited
        self.assertNotContains(response, "青峰社区")

    def test_residents_and_strangers_get_a_404(self):
        for name in ("resident", "other_resident"):
            user = getattr(self, name)
            with self.subTest(user=name):
                self.assertEqual(self.page(user).status_code, 404)
                self.assertEqual(self.behind(user, round=self.second.pk).status_code, 404)
                for kind in ("households", "pairs", "visits", "coverage"):
                    response = self.export(user, kind, round=self.second.pk)
                    self.assertEqual(response.status_code, 404, kind)
        self.client.logout()
        response = self.client.get(reverse("figures:coverage"))
        self.assertEqual(response.status_code, 302)

    def test_bad_parameters_are_a_404(self):
        for params in (
            {"round": 9999},
            {"round": "x"},
            {"round": self.second.pk, "measure": "bogus"},
            {"round": self.second.pk, "by": "bogus", "key": 1},
            {"round": self.second.pk, "by": "pair", "key": "abc"},
        ):
            with self.subTest(params=params):
                self.assertEqual(self.behind(self.dispatcher, **params).status_code, 404)

    def test_the_not_visited_list_of_a_pair_is_exactly_its_number(self):
        response = self.behind(
            self.dispatcher,
            round=self.second.pk,
            by="pair",
            key=self.pair2.pk,
            measure="not_visited",
        )
        listed = {item["household"] for item in response.context["items"]}
        self.assertEqual(listed, {self.h4, self.h5})

    def test_another_communitys_pair_is_an_empty_list(self):
        response = self.behind(
            self.other_grid_worker,
            round=self.second.pk,
            by="pair",
            key=self.pair2.pk,
            measure="households",
        )
        self.assertEqual(response.context["page"].paginator.count, 0)

    def test_phones_whole_for_the_community_masked_for_the_department_and_logged(self):
        params = {
            "round": self.second.pk,
            "by": "pair",
            "key": self.pair2.pk,
            "measure": "households",
        }
        whole = self.behind(self.community_staff, **params)
        self.assertContains(whole, "13500001010")
        logged = Disclosure.objects.filter(user=self.community_staff)
        self.assertEqual(
            set(logged.values_list("object_id", flat=True)), {self.h3.pk, self.h4.pk, self.h5.pk}
        )
        masked = self.behind(self.handler_a, **params)
        self.assertNotContains(masked, "13500001010")
        self.assertContains(masked, "135****1010")
        self.assertFalse(Disclosure.objects.filter(user=self.handler_a).exists())

    def test_a_cadre_sees_his_pairs_phones(self):
        response = self.behind(self.outside_cadre_user, round=self.second.pk, measure="households")
        self.assertContains(response, "13812341234")


class RegisterLedgerTest(CountedRegister):
    def export(self, user, kind, **params):
        self.client.force_login(user)
        url = reverse("ledgers:export", args=[kind, "xlsx"])
        return self.client.get(f"{url}?{urlencode(params)}")

    def test_household_ledger_per_role(self):
        for name, households in SCOPES.items():
            with self.subTest(user=name):
                rows = xlsx(self.export(getattr(self, name), "households"))
                self.assertEqual(rows[0][:3], ["街道/镇", "社区/村", "网格"])
                self.assertEqual(len(rows) - 1, households)

    def test_household_ledger_masks_phones_and_tags_for_the_department(self):
        rows = xlsx(self.export(self.handler_a, "households"))
        wang = next(r for r in rows if r[5] == "王秀兰")
        self.assertEqual(wang[6], "138****1234")
        self.assertIsNone(wang[8])
        self.assertFalse(Disclosure.objects.filter(user=self.handler_a).exists())

    def test_household_ledger_shows_the_community_its_phones_and_tags_and_logs_them(self):
        rows = xlsx(self.export(self.community_staff, "households", round=self.second.pk))
        wang = next(r for r in rows if r[5] == "王秀兰")
        self.assertEqual(wang[6], "13812341234")
        self.assertIn("低保", wang[8])
        self.assertEqual(wang[10:], ["是", "是"])
        self.assertEqual(Disclosure.objects.filter(user=self.community_staff).count(), 6)

    def test_household_ledger_of_the_not_visited(self):
        rows = xlsx(
            self.export(self.dispatcher, "households", round=self.second.pk, measure="not_visited")
        )
        self.assertEqual({r[5] for r in rows[1:]}, {"吴二", "郑三", "刘芳"})

    def test_pair_ledger_lists_pairs_with_households_in_scope(self):
        expected = {
            "dispatcher": {"FL-01", "FL-02"},
            "community_staff": {"FL-01", "FL-02"},
            "outside_cadre_user": {"FL-01"},
            "other_grid_worker": set(),
            "handler_c": set(),
        }
        for name, codes in expected.items():
            with self.subTest(user=name):
                rows = xlsx(self.export(getattr(self, name), "pairs"))
                self.assertEqual({r[0] for r in rows[1:]}, codes)
        rows = xlsx(self.export(self.dispatcher, "pairs"))
        fl01 = next(r for r in rows if r[0] == "FL-01")
        self.assertEqual((fl01[3], fl01[6], fl01[9]), ("张明", "李娜", 2))
        self.assertIn("福临苑3号楼2单元301室（王秀兰）", fl01[10])

    def test_visit_ledger_per_role_and_round(self):
        # Round 2 has six visits; the moved-away household's is not in the register.
        for name, count in [
            ("dispatcher", 5),
            ("community_staff", 5),
            ("outside_cadre_user", 2),
            ("other_grid_worker", 0),
        ]:
            with self.subTest(user=name):
                rows = xlsx(self.export(getattr(self, name), "visits", round=self.second.pk))
                self.assertEqual(len(rows) - 1, count)
        rows = xlsx(self.export(self.dispatcher, "visits", round=self.first.pk))
        self.assertEqual([r[4] for r in rows[1:]], ["郑三"])

    def test_coverage_ledger_is_the_pages_table(self):
        rows = xlsx(self.export(self.dispatcher, "coverage", round=self.second.pk, by="pair"))
        self.assertEqual(rows[0][:4], ["联户组", "在册户数", "已走访", "覆盖率"])
        self.assertEqual(rows[1][:3], ["FL-01（福临社区）", 2, 2])
        self.assertEqual(rows[-1][:3], ["合计", 7, 4])
        rows = xlsx(self.export(self.other_grid_worker, "coverage", round=self.second.pk))
        self.assertEqual([r[:3] for r in rows[1:]], [["青峰社区", 1, 0], ["合计", 1, 0]])
