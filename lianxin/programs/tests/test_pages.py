"""The staff pages: scoped like the registers (not yours is a 404), the wisher unmasked
only for those whose work needs him (and logged), every action through its form."""

import io
import json
import shutil
import tempfile

import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from lianxin.accounts.models import Disclosure, Role
from lianxin.programs import actions
from lianxin.programs.models import Wish, WishClaim, WishStatus
from lianxin.programs.tests.builders import Wishes
from lianxin.programs.tests.test_actions import png
from lianxin.test import LianxinTestCase, at, make_user

S = WishStatus


class PagesTestCase(Wishes, LianxinTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build_registers(cls)
        cls.other_community_staff = make_user(
            "other_community_staff", Role.COMMUNITY_STAFF, cls.other_community
        )
        cls.other_street_staff = make_user(
            "other_street_staff", Role.STREET_STAFF, cls.other_street
        )

    def setUp(self):
        self.enterContext(time_machine.travel(at(2026, 6, 17, 10), tick=False))
        media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, media)
        self.enterContext(override_settings(MEDIA_ROOT=media))

    def get(self, user, url, **params):
        self.client.force_login(user)
        return self.client.get(url, params)

    def act(self, user, wish, action, **data):
        self.client.force_login(user)
        return self.client.post(reverse("programs:wish_action", args=[wish.pk, action]), data)


class ScopeTest(PagesTestCase):
    def test_a_pending_wish_is_seen_by_its_community_street_and_the_office_only(self):
        wish = self.posted()
        url = reverse("programs:wish", args=[wish.pk])
        for user in (self.community_staff, self.street_staff, self.dispatcher, self.leader):
            self.assertEqual(self.get(user, url).status_code, 200, user)
        for user in (
            self.other_community_staff,
            self.other_street_staff,
            self.handler_a,
            self.resident,
        ):
            self.assertEqual(self.get(user, url).status_code, 404, user)

    def test_a_published_wish_is_open_to_claimers_and_a_claimed_one_to_its_claimers(self):
        wish = self.published()
        url = reverse("programs:wish", args=[wish.pk])
        self.assertEqual(self.get(self.handler_b, url).status_code, 200)
        actions.do_claim_wish(wish, actor=self.handler_a, promised_date=self.promise())
        self.assertEqual(self.get(self.handler_b, url).status_code, 404)
        self.assertEqual(self.get(self.handler_a, url).status_code, 200)
        actions.do_release_wish_claim(wish, actor=self.handler_a, reason="人手不够")
        actions.do_claim_wish(wish, actor=self.handler_b, promised_date=self.promise())
        self.assertEqual(self.get(self.handler_a, url).status_code, 200, "his history stays his")

    def test_the_review_queue_holds_one_s_own_community_s_wishes(self):
        mine = self.posted()
        self.posted(community=self.other_community)
        page = self.get(self.community_staff, reverse("programs:wishes"), queue="review")
        self.assertEqual([w.pk for w in page.context["page"]], [mine.pk])
        page = self.get(self.street_staff, reverse("programs:wishes"), queue="all")
        self.assertEqual([w.pk for w in page.context["page"]], [mine.pk])
        page = self.get(self.dispatcher, reverse("programs:wishes"), queue="review")
        self.assertEqual(len(page.context["page"]), 2)

    def test_residents_have_no_staff_list(self):
        self.assertEqual(self.get(self.resident, reverse("programs:wishes")).status_code, 404)
        self.assertEqual(
            self.get(self.community_staff, reverse("programs:wishes"), queue="x").status_code, 404
        )

    def test_the_list_costs_the_same_queries_for_two_wishes_or_ten(self):
        for _ in range(2):
            self.claimed()
        url = reverse("programs:wishes")
        self.client.force_login(self.community_staff)
        with CaptureQueriesContext(connection) as two:
            self.client.get(url, {"queue": "all"})
        for _ in range(8):
            self.claimed()
        with self.assertNumQueries(len(two.captured_queries)):
            self.client.get(url, {"queue": "all"})

    def test_a_photo_is_served_to_those_who_see_the_wish(self):
        wish = self.posted(photos=[png()])
        url = reverse("programs:wish_photo", args=[wish.pk, wish.photos.get().pk])
        self.assertEqual(self.get(self.community_staff, url)["Content-Type"], "image/png")
        self.assertEqual(self.get(self.handler_a, url).status_code, 404)


class MaskingTest(PagesTestCase):
    def test_the_community_sees_the_wisher_whole_and_the_view_is_logged(self):
        wish = self.posted(wisher_phone="13812345678")
        page = self.get(self.community_staff, reverse("programs:wish", args=[wish.pk]))
        self.assertContains(page, "13812345678")
        self.assertContains(page, "王秀兰")
        self.assertTrue(
            Disclosure.objects.filter(
                user=self.community_staff, subject="wish", object_id=wish.pk
            ).exists()
        )

    def test_a_claimer_sees_him_masked_until_he_holds_the_wish(self):
        wish = self.published(wisher_phone="13812345678")
        page = self.get(self.handler_a, reverse("programs:wish", args=[wish.pk])).content.decode()
        self.assertNotIn("13812345678", page)
        self.assertNotIn("王秀兰", page)
        self.assertIn("王**", page)
        self.assertFalse(Disclosure.objects.filter(user=self.handler_a).exists())
        actions.do_claim_wish(wish, actor=self.handler_a, promised_date=self.promise())
        page = self.get(self.handler_a, reverse("programs:wish", args=[wish.pk]))
        self.assertContains(page, "13812345678")


class ActionPagesTest(PagesTestCase):
    def test_the_community_publishes_from_the_wish_page(self):
        wish = self.posted()
        response = self.act(self.community_staff, wish, "publish")
        self.assertRedirects(response, reverse("programs:wish", args=[wish.pk]))
        self.assertEqual(Wish.objects.get(pk=wish.pk).status, S.PUBLISHED)

    def test_an_outsider_gets_a_404_and_a_visible_wrong_actor_a_refusal(self):
        wish = self.posted()
        self.assertEqual(self.act(self.handler_a, wish, "publish").status_code, 404)
        self.assertEqual(self.act(self.street_staff, wish, "publish").status_code, 302)
        self.assertEqual(Wish.objects.get(pk=wish.pk).status, S.PENDING, "the street only sees")
        self.assertEqual(self.act(self.community_staff, wish, "nonsense").status_code, 404)

    def test_a_decline_without_a_reason_comes_back_with_the_error(self):
        wish = self.posted()
        response = self.act(self.community_staff, wish, "decline", reason="")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Wish.objects.get(pk=wish.pk).status, S.PENDING)

    def test_the_holder_records_fulfilment_with_a_photo(self):
        wish = self.claimed()
        self.client.force_login(self.handler_a)
        self.client.post(
            reverse("programs:wish_action", args=[wish.pk, "fulfil"]),
            {"note": "已送达助行器。", "photos": png()},
        )
        wish.refresh_from_db()
        self.assertEqual(wish.status, S.FULFILLED)
        self.assertEqual(wish.photos.get().stage, "fulfilment")

    def test_the_community_confirms_for_the_wisher(self):
        wish = self.fulfilled()
        self.act(self.community_staff, wish, "confirm")
        self.assertEqual(Wish.objects.get(pk=wish.pk).status, S.CONFIRMED)

    def test_actions_want_a_post(self):
        wish = self.posted()
        self.client.force_login(self.community_staff)
        url = reverse("programs:wish_action", args=[wish.pk, "publish"])
        self.assertEqual(self.client.get(url).status_code, 405)


class RecordForHouseholdTest(PagesTestCase):
    def test_a_cadre_records_a_wish_from_the_household_card(self):
        card = self.get(self.cadre_user, reverse("registry:household", args=[self.household.pk]))
        url = reverse("programs:record", args=[self.household.pk])
        self.assertContains(card, url)
        response = self.client.post(url, {"text": "想要一台老年手机。"})
        wish = Wish.objects.get()
        self.assertRedirects(response, reverse("programs:wish", args=[wish.pk]))
        self.assertEqual((wish.household, wish.recorded_by), (self.household, self.cadre_user))

    def test_a_pair_s_cadre_without_a_staff_role_records_and_follows_his_wish(self):
        self.client.force_login(self.outside_cadre_user)  # 李娜, of the household's pair
        url = reverse("programs:record", args=[self.household.pk])
        response = self.client.post(url, {"text": "想要一台老年手机。"})
        wish = Wish.objects.get()
        self.assertRedirects(response, reverse("programs:wish", args=[wish.pk]))
        self.assertContains(self.client.get(response.url), "13812341234")

    def test_someone_outside_the_household_s_scope_gets_a_404(self):
        self.client.force_login(self.other_grid_worker)
        response = self.client.post(
            reverse("programs:record", args=[self.household.pk]), {"text": "想要一台老年手机。"}
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(Wish.objects.exists())


class MyClaimsTest(PagesTestCase):
    def test_my_claims_keep_the_released_ones(self):
        released = self.claimed()
        actions.do_release_wish_claim(released, actor=self.handler_a, reason="人手不够")
        self.claimed()
        self.claimed(claimer=self.handler_b)
        page = self.get(self.handler_a, reverse("programs:claims"))
        self.assertEqual(len(page.context["page"]), 2)
        self.assertContains(page, "已放弃")


class FiguresTest(PagesTestCase):
    def build(self):
        self.posted()
        self.published()
        self.claimed()
        self.fulfilled()
        self.confirmed()
        late = self.claimed(claimer=self.handler_b)
        WishClaim.objects.filter(wish=late).update(promised_date="2026-06-10")
        actions.do_publish_wish(self.posted(community=self.other_community), actor=self.dispatcher)

    def test_the_office_sees_every_count_by_community_and_by_unit(self):
        self.build()
        page = self.get(self.dispatcher, reverse("programs:figures"))
        total = page.context["total"]
        self.assertEqual(
            (
                total.posted,
                total.published,
                total.claimed,
                total.fulfilled,
                total.confirmed,
                total.overdue,
            ),
            (7, 6, 4, 2, 1, 1),
        )
        by_unit = {
            row.label: (row.claimed, row.fulfilled, row.confirmed, row.overdue)
            for row in page.context["units"]
        }
        self.assertEqual(
            by_unit, {"区城市管理局": (3, 2, 1, 0), "区住房和城乡建设局": (1, 0, 0, 1)}
        )
        by_community = {row.label: row.posted for row in page.context["communities"]}
        self.assertEqual(by_community, {"福临社区": 6, "青峰社区": 1})

    def test_a_community_counts_its_own_and_a_department_has_no_figures(self):
        self.build()
        page = self.get(self.other_community_staff, reverse("programs:figures"))
        self.assertEqual(page.context["total"].posted, 1)
        self.assertEqual(self.get(self.handler_a, reverse("programs:figures")).status_code, 404)

    def test_stats_prints_one_json_line(self):
        self.build()
        out = io.StringIO()
        call_command("programs", "stats", stdout=out)
        lines = out.getvalue().strip().splitlines()
        self.assertEqual(len(lines), 1)
        wishes = json.loads(lines[0])["wishes"]
        self.assertEqual(
            {
                k: wishes[k]
                for k in (
                    "posted",
                    "published",
                    "claimed",
                    "fulfilled",
                    "confirmed",
                    "overdue_claims",
                )
            },
            {
                "posted": 7,
                "published": 6,
                "claimed": 4,
                "fulfilled": 2,
                "confirmed": 1,
                "overdue_claims": 1,
            },
        )
        self.assertEqual(wishes["by_status"]["pending"], 1)


class LedgerTest(PagesTestCase):
    def rows(self, user, **params):
        self.client.force_login(user)
        response = self.client.get(reverse("ledgers:export", args=["wishes", "xlsx"]), params)
        self.assertEqual(response.status_code, 200)
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        return [[cell.value for cell in row] for row in sheet.iter_rows()]

    def test_the_ledger_lists_the_wishes_with_their_claim(self):
        self.claimed(wisher_phone="13812345678")
        rows = self.rows(self.community_staff)
        header, row = rows[0], rows[1]
        self.assertEqual(header[:2], ["街道/镇", "社区/村"])
        record = dict(zip(header, row, strict=True))
        self.assertEqual(
            (record["心愿人"], record["联系电话"], record["状态"], record["认领单位"]),
            ("王秀兰", "13812345678", "已认领", "区城市管理局"),
        )
        self.assertTrue(
            Disclosure.objects.filter(user=self.community_staff, subject="wish").exists()
        )

    def test_a_claimer_s_ledger_masks_the_wisher(self):
        self.claimed(wisher_phone="13812345678")
        record = dict(zip(*self.rows(self.handler_a), strict=True))
        self.assertEqual((record["心愿人"], record["联系电话"]), ("王**", "138****5678"))

    def test_the_ledger_of_an_unknown_queue_or_for_a_resident_is_a_404(self):
        self.client.force_login(self.resident)
        response = self.client.get(reverse("ledgers:export", args=["wishes", "xlsx"]))
        self.assertEqual(response.status_code, 404)
        self.client.force_login(self.community_staff)
        response = self.client.get(
            reverse("ledgers:export", args=["wishes", "xlsx"]), {"queue": "x"}
        )
        self.assertEqual(response.status_code, 404)
