"""The registers' staff pages: each role sees its own households and no others (404, as
for a missing one), phones and tags only where its work needs them, and every unmasked
view is logged."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from lianxin.accounts.models import Disclosure
from lianxin.registry import actions
from lianxin.registry.models import HeardCase, Household, RegistryImportJob, Visit
from lianxin.registry.tests.test_import import households_file
from lianxin.test import LianxinTestCase, at

MASKED = "138****1234"
FULL = "13812341234"


class HouseholdPagesTest(LianxinTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build_registers(cls)
        # Who sees which of the three households, and whether unmasked.
        cls.expected = {
            "dispatcher": ({"王秀兰", "陈建华", "刘芳"}, True),
            "admin": ({"王秀兰", "陈建华", "刘芳"}, True),
            "leader": ({"王秀兰", "陈建华", "刘芳"}, False),
            "street_staff": ({"王秀兰", "陈建华"}, False),
            "community_staff": ({"王秀兰", "陈建华"}, True),
            "grid_worker": ({"王秀兰", "陈建华"}, False),
            "handler_a": ({"王秀兰", "陈建华"}, False),  # attached to the 片区 of 福临第一网格
            "other_grid_worker": ({"刘芳"}, False),
            "cadre_zhang": ({"王秀兰", "陈建华"}, True),
            "cadre_li": ({"王秀兰", "陈建华"}, True),  # a cadre of the pair, no staff role
            "handler_b": (set(), False),  # a department attached to nothing: an empty list
        }

    def login(self, username):
        self.client.force_login(self.users[username])

    @property
    def users(self):
        from lianxin.accounts.models import User

        return {u.username: u for u in User.objects.all()}

    def test_each_role_lists_its_households_masked_or_not(self):
        for username, (heads, unmasked) in self.expected.items():
            with self.subTest(username):
                self.login(username)
                response = self.client.get(reverse("registry:households"))
                shown = {row["household"].head_name for row in response.context["rows"]}
                self.assertEqual(shown, heads)
                page = response.content.decode()
                if "王秀兰" in heads:
                    self.assertEqual(FULL in page, unmasked)
                    self.assertEqual(MASKED in page, not unmasked)
                    self.assertEqual("低保" in page.split("<tbody>")[1], unmasked)

    def test_each_role_opens_only_its_households_cards(self):
        for username, (heads, unmasked) in self.expected.items():
            for household in (self.household, self.far_household):
                with self.subTest(username, household=household.head_name):
                    self.login(username)
                    url = reverse("registry:household", args=[household.pk])
                    response = self.client.get(url)
                    if household.head_name not in heads:
                        self.assertEqual(response.status_code, 404)
                        continue
                    self.assertEqual(response.status_code, 200)
                    if household == self.household:
                        page = response.content.decode()
                        self.assertEqual(FULL in page, unmasked)
                        self.assertEqual("低保" in page, unmasked)
        self.login("dispatcher")
        self.assertEqual(self.client.get(reverse("registry:household", args=[0])).status_code, 404)

    def test_unmasked_views_are_logged_and_masked_ones_are_not(self):
        self.login("community_staff")
        self.client.get(reverse("registry:households"))
        self.client.get(reverse("registry:household", args=[self.household.pk]))
        logged = Disclosure.objects.filter(user=self.community_staff)
        self.assertEqual(
            sorted(logged.values_list("object_id", "place")),
            sorted(
                [
                    (self.household.pk, "registry:households"),
                    (self.neighbour.pk, "registry:households"),
                    (self.household.pk, "registry:household"),
                ]
            ),
        )
        self.login("street_staff")
        self.client.get(reverse("registry:households"))
        self.client.get(reverse("registry:household", args=[self.household.pk]))
        self.assertFalse(Disclosure.objects.filter(user=self.street_staff).exists())

    def test_the_list_filters_and_a_tag_tells_only_those_who_see_tags(self):
        self.login("dispatcher")
        url = reverse("registry:households")
        cases = [
            ({"community": self.other_community.pk}, {"刘芳"}),
            ({"grid": self.grid.pk}, {"王秀兰", "陈建华"}),
            ({"pair": self.pair.pk}, {"王秀兰", "陈建华"}),
            ({"tag": self.tag("dibao").pk}, {"王秀兰"}),
            ({"q": "302"}, {"陈建华"}),
        ]
        for params, heads in cases:
            with self.subTest(params):
                rows = self.client.get(url, params).context["rows"]
                self.assertEqual({r["household"].head_name for r in rows}, heads)
        self.login("street_staff")
        response = self.client.get(url, {"tag": self.tag("dibao").pk})
        self.assertNotIn("tag", response.context["form"].fields, "no tag filter offered")
        self.assertEqual(len(response.context["rows"]), 2, "and a tag in the query is ignored")

    def tag(self, code):
        from lianxin.registry.models import Tag

        return Tag.objects.get(code=code)

    def test_the_list_does_not_query_per_row(self):
        for n in range(30):
            actions.do_save_household(
                actor=self.dispatcher,
                community=self.community,
                grid=self.grid,
                address=f"福临苑8号楼{n + 101}室",
                head_name=f"住户{n}",
                phone="13800000000",
                residents=[{"name": f"住户{n}", "relation": "head", "tags": ["dibao"]}],
            )
        self.login("community_staff")
        url = reverse("registry:households")
        from django.db import connection

        with CaptureQueriesContext(connection) as few:
            self.client.get(url, {"q": "302"})
        with CaptureQueriesContext(connection) as many:
            response = self.client.get(url)
        self.assertEqual(len(response.context["rows"]), 32)
        self.assertEqual(len(many), len(few))

    def test_the_card_shows_residents_pair_history_visits_and_heard_cases(self):
        visit = Visit.objects.create(
            household=self.household,
            pair=self.pair,
            visited_at=at(2026, 3, 3),
            method=Visit.Method.IN_PERSON,
            recorded_by=self.dispatcher,
            recorded_at=at(2026, 3, 3),
        )
        case = self.register(title="楼道灯不亮")
        HeardCase.objects.create(case=case, household=self.household, visit=visit)
        actions.do_save_household(
            actor=self.dispatcher,
            community=self.community,
            grid=self.grid,
            address="福临苑3号楼2单元301室",
            head_name="王秀兰",
            phone="13812349999",
            member_count=2,
        )
        self.login("dispatcher")
        page = self.client.get(reverse("registry:household", args=[self.household.pk]))
        text = page.content.decode()
        for expected in ("赵国强", "老军人", "FL-01", "张明", "李娜", "建档", "分配联户组"):
            self.assertIn(expected, text)
        self.assertIn("13812341234 → 13812349999", text)
        self.assertIn("联户组：— → FL-01", text)
        self.assertIn(case.tracking_number, text)
        self.assertIn("2026-03-03", text)
        self.login("handler_a")
        text = self.client.get(reverse("registry:household", args=[self.household.pk])).content
        self.assertIn("138****1234 → 138****9999", text.decode(), "history is masked too")

    def test_the_card_lists_only_the_heard_cases_the_viewer_may_see(self):
        # A case heard in the household's own grid, and one filed on its behalf in the
        # other community's grid (where the resident reported a problem at work, say).
        own = self.register(actor=self.dispatcher, title="楼道灯不亮", grid=self.grid)
        elsewhere = self.register(actor=self.dispatcher, title="单位门口积水", grid=self.other_grid)
        for case in (own, elsewhere):
            HeardCase.objects.create(case=case, household=self.household)
        expected = {
            "dispatcher": {"楼道灯不亮", "单位门口积水"},
            "community_staff": {"楼道灯不亮"},
            "grid_worker": {"楼道灯不亮"},
            "cadre_li": set(),  # in the pair, but no case of his to see
            "handler_a": set(),  # attached to the 片区, handling neither case
        }
        for username, titles in expected.items():
            with self.subTest(username):
                self.login(username)
                response = self.client.get(reverse("registry:household", args=[self.household.pk]))
                shown = {link.case.title for link in response.context["heard"]}
                self.assertEqual(shown, titles)
                page = response.content.decode()
                for title in {"楼道灯不亮", "单位门口积水"} - titles:
                    self.assertNotIn(title, page)

    def test_the_card_offers_a_visit_and_an_urgent_visit_to_those_allowed(self):
        visit_url = reverse("visits:form", args=[self.household.pk])
        urgent_url = reverse("visits:urgent", args=[self.household.pk])
        # (records visits, raises urgent visits): rules.py's record_visit and
        # open_urgent_visit; anyone who sees the household may raise an urgent visit.
        expected = {
            "dispatcher": (True, True),
            "community_staff": (True, True),
            "grid_worker": (True, True),
            "cadre_li": (True, True),
            "street_staff": (False, True),
            "handler_a": (False, True),
            "leader": (False, True),
        }
        for username, (records, raises) in expected.items():
            with self.subTest(username):
                self.login(username)
                url = reverse("registry:household", args=[self.household.pk])
                page = self.client.get(url).content.decode()
                self.assertEqual(f'href="{visit_url}"' in page, records)
                self.assertEqual(f'href="{urgent_url}"' in page, raises)

    def test_a_household_that_moved_away_offers_no_visit(self):
        actions.do_decide_correction(
            actions.do_propose_correction(
                self.neighbour, actor=self.community_staff, changes={"active": False}
            ),
            actor=self.community_staff,
            approve=True,
        )
        self.login("dispatcher")
        page = self.client.get(reverse("registry:household", args=[self.neighbour.pk]))
        self.assertNotContains(page, reverse("visits:form", args=[self.neighbour.pk]))
        self.assertNotContains(page, reverse("visits:urgent", args=[self.neighbour.pk]))


class PairListTest(LianxinTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build_registers(cls)

    def test_pairs_with_their_warnings_for_those_in_scope(self):
        self.client.force_login(self.community_staff)
        response = self.client.get(reverse("registry:pairs"))
        rows = response.context["rows"]
        self.assertEqual([r["pair"].code for r in rows], ["FL-01"])
        self.assertEqual(rows[0]["pair"].household_count, 2)
        self.assertEqual(rows[0]["warnings"], [])
        self.client.force_login(self.other_grid_worker)
        self.assertEqual(self.client.get(reverse("registry:pairs")).context["rows"], [])
        self.client.force_login(self.handler_b)
        self.assertEqual(self.client.get(reverse("registry:pairs")).context["rows"], [])
        self.client.force_login(self.resident)
        self.assertEqual(self.client.get(reverse("registry:pairs")).status_code, 404)

    def test_the_list_does_not_query_per_pair(self):
        from django.db import connection

        self.client.force_login(self.dispatcher)
        with CaptureQueriesContext(connection) as one:
            self.client.get(reverse("registry:pairs"))
        for n in range(5):
            cadre = actions.do_save_cadre(
                actor=self.dispatcher, name=f"干部{n}", employer=self.community
            ).row
            actions.do_save_pair(
                actor=self.dispatcher, code=f"P{n}", community=self.community, cadres=[cadre]
            )
        with CaptureQueriesContext(connection) as six:
            response = self.client.get(reverse("registry:pairs"))
        self.assertEqual(len(six), len(one))
        self.assertIn("联户组不足两人。", response.content.decode())


class ImportPageTest(LianxinTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build_registers(cls)

    def post(self, upload, kind="households"):
        return self.client.post(reverse("registry:import"), {"kind": kind, "file": upload})

    def test_an_import_reports_each_refused_row_and_takes_the_others(self):
        self.client.force_login(self.dispatcher)
        response = self.post(households_file())
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["report"].summary()["created"], 3)
        rows = [["无此社区", "", "某路1号", "甲", "", 1, ""]]
        response = self.post(households_file(rows))
        text = response.content.decode()
        self.assertIn("第 2 行", text)
        self.assertIn("未找到社区“无此社区”", text)
        again = self.post(households_file())
        self.assertEqual(again.context["report"].summary()["unchanged"], 3)

    def test_a_bad_file_is_refused_on_the_page_in_chinese(self):
        self.client.force_login(self.dispatcher)
        response = self.post(SimpleUploadedFile("a.xlsx", b"nope"))
        self.assertEqual(response.status_code, 400)
        self.assertIn("不是 Excel", response.content.decode())
        self.assertEqual(Household.objects.count(), 3)

    @override_settings(REGISTRY_IMPORT_PAGE_ROWS=2)
    def test_a_list_too_long_for_the_page_goes_to_a_job(self):
        # test_import_jobs.py follows the job itself.
        self.client.force_login(self.dispatcher)
        response = self.post(households_file())
        self.assertEqual(response.status_code, 302)
        self.assertIn("/registry/import/jobs/", response.url)
        self.assertEqual(Household.objects.count(), 3, "the job has not run yet")
        RegistryImportJob.objects.get().file.delete(save=False)

    def test_who_may_import(self):
        self.client.force_login(self.community_staff)
        response = self.post(households_file())
        self.assertEqual(
            [r.outcome for r in response.context["report"].results],
            ["created", "created", "error"],
            "a community imports its own rows only",
        )
        for user in (self.grid_worker, self.handler_a, self.leader, self.outside_cadre_user):
            with self.subTest(user.username):
                self.client.force_login(user)
                self.assertEqual(self.post(households_file()).status_code, 404)
                self.assertEqual(self.client.get(reverse("registry:import")).status_code, 404)
        self.assertEqual(Household.objects.count(), 5)

    def test_wrong_method_and_logged_out(self):
        self.client.force_login(self.dispatcher)
        self.assertEqual(self.client.put(reverse("registry:import")).status_code, 405)
        url = reverse("registry:households")
        self.assertEqual(self.client.post(url).status_code, 405)
        self.client.logout()
        response = self.post(households_file())
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Household.objects.count(), 3)

    def test_templates_download_for_every_kind(self):
        self.client.force_login(self.street_staff)
        for kind in ("households", "buildings", "shops", "cadres", "pairs"):
            with self.subTest(kind):
                response = self.client.get(reverse("registry:import_template", args=[kind]))
                self.assertEqual(response.status_code, 200)
                workbook = load_workbook(io.BytesIO(response.content))
                self.assertEqual(workbook.worksheets[1].title, "填写说明")
        self.assertEqual(
            self.client.get(reverse("registry:import_template", args=["cases"])).status_code, 404
        )
        self.client.force_login(self.grid_worker)
        url = reverse("registry:import_template", args=["households"])
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_the_nav_offers_the_registers_to_staff(self):
        self.client.force_login(self.grid_worker)
        self.assertIn("四库台账", self.client.get(reverse("workbench:home")).content.decode())
        self.client.force_login(self.resident)
        self.assertEqual(self.client.get(reverse("registry:households")).status_code, 404)
