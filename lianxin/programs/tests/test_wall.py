"""The residents' side: the public wish wall, posting, the wisher's own actions, claiming
from the wall. The wall shows a masked name, never a phone, and markup as text."""

import re
import shutil
import tempfile

import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lianxin.notify.models import Message
from lianxin.programs import actions
from lianxin.programs.models import Wish, WishClaim, WishStatus
from lianxin.programs.tests.builders import Wishes
from lianxin.programs.tests.test_actions import png
from lianxin.test import LianxinTestCase, at

S = WishStatus
WALL = "/m/wishes/"


class WallTestCase(Wishes, LianxinTestCase):
    def setUp(self):
        self.enterContext(time_machine.travel(at(2026, 6, 17, 10), tick=False))
        media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, media)
        self.enterContext(override_settings(MEDIA_ROOT=media))
        cache.clear()  # the daily limits count in the cache


class WallTest(WallTestCase):
    def test_the_wall_is_at_m_wishes(self):
        self.assertEqual(reverse("portal:wishes"), WALL)

    def test_published_wishes_show_a_masked_name_and_no_phone(self):
        self.published(wisher_name="王秀兰", wisher_phone="13812345678")
        html = self.client.get(WALL).content.decode()
        self.assertIn("王**", html)
        self.assertNotIn("王秀兰", html)
        self.assertNotIn("秀兰", html)
        self.assertNotIn("5678", html)
        self.assertNotIn("138", html)

    def test_markup_in_a_wish_is_shown_as_text(self):
        wish = self.published(text="想要一台<script>alert('x')</script><b>收音机</b>")
        for url in (WALL, reverse("portal:wish", args=[wish.pk])):
            html = self.client.get(url).content.decode()
            self.assertNotIn("<script>alert", html)
            self.assertNotIn("<b>收音机", html)
            self.assertIn("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&lt;b&gt;收音机", html)

    def test_only_what_the_community_published_is_on_the_wall(self):
        hidden = [self.wish_in(status) for status in (S.PENDING, S.CHANGES_REQUESTED, S.DECLINED)]
        shown = [
            self.wish_in(status) for status in (S.PUBLISHED, S.CLAIMED, S.FULFILLED, S.CONFIRMED)
        ]
        response = self.client.get(WALL)
        self.assertEqual([w.pk for w in response.context["page"]], [w.pk for w in reversed(shown)])
        for wish in hidden:
            self.assertEqual(
                self.client.get(reverse("portal:wish", args=[wish.pk])).status_code, 404
            )
        self.assertEqual(
            self.client.get(reverse("portal:wish", args=[shown[0].pk])).status_code, 200
        )

    def test_the_wall_filters_by_community_and_shows_a_claimed_wish_s_unit(self):
        self.claimed()
        actions.do_publish_wish(self.posted(community=self.other_community), actor=self.dispatcher)
        response = self.client.get(WALL, {"community": self.community.pk})
        self.assertEqual(len(response.context["page"]), 1)
        self.assertContains(response, "区城市管理局 认领")
        self.assertEqual(self.client.get(WALL, {"community": self.street.pk}).status_code, 404)

    def test_the_wall_costs_the_same_queries_for_two_wishes_or_ten(self):
        for _ in range(2):
            self.claimed(photos=[png()])
        with CaptureQueriesContext(connection) as two:
            self.client.get(WALL)
        for _ in range(8):
            self.claimed(photos=[png()])
        with self.assertNumQueries(len(two.captured_queries)):
            self.client.get(WALL)

    def test_a_published_photo_is_served_as_an_image_and_a_pending_one_not_at_all(self):
        wish = self.published(photos=[png()])
        response = self.client.get(
            reverse("portal:wish_photo", args=[wish.pk, wish.photos.get().pk])
        )
        self.assertEqual((response.status_code, response["Content-Type"]), (200, "image/png"))
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        pending = self.posted(photos=[png()])
        url = reverse("portal:wish_photo", args=[pending.pk, pending.photos.get().pk])
        self.assertEqual(self.client.get(url).status_code, 404)


class PostTest(WallTestCase):
    url = "/m/wishes/new/"

    def form(self, **fields):
        return {
            "community": self.community.pk,
            "text": "想请人帮忙修一下家里的旧收音机。",
            "name": "赵大爷",
            "phone": "13955556666",
            **fields,
        }

    def code_for(self, phone: str) -> str:
        self.client.post(reverse("portal:phone_code"), {"phone": phone})
        text = Message.objects.filter(kind="resident.code").latest("pk").text
        return re.search(r"(\d{6})", text).group(1)

    def test_a_visitor_posts_with_a_code_and_sees_his_wish_waiting_for_review(self):
        code = self.code_for("13955556666")
        response = self.client.post(self.url, self.form(code=code))
        wish = Wish.objects.get()
        self.assertRedirects(response, reverse("portal:wish", args=[wish.pk]))
        self.assertEqual((wish.status, wish.wisher_name, wish.wisher), (S.PENDING, "赵大爷", None))
        self.assertContains(self.client.get(response.url), "等待社区审核")

    def test_a_visitor_without_a_code_is_asked_for_one_and_nothing_is_saved(self):
        response = self.client.post(self.url, self.form())
        self.assertEqual(response.status_code, 400)
        self.assertFormError(
            response.context["form"], "code", "请先获取并填写短信验证码，验证手机号后再提交。"
        )
        self.assertFalse(Wish.objects.exists())

    def test_a_signed_in_resident_posts_without_a_code(self):
        self.client.force_login(self.resident)
        self.client.post(self.url, self.form())
        self.assertEqual(Wish.objects.get().wisher, self.resident)
        self.assertContains(self.client.get("/m/wishes/mine/"), "想请人帮忙修一下")

    def test_a_bad_photo_is_refused_on_its_field(self):
        self.client.force_login(self.resident)
        from django.core.files.uploadedfile import SimpleUploadedFile

        fake = SimpleUploadedFile("a.jpg", b"<html></html>")
        response = self.client.post(self.url, {**self.form(), "photos": fake})
        self.assertEqual(response.status_code, 400)
        self.assertTrue(response.context["form"].errors["photos"])
        self.assertFalse(Wish.objects.exists())

    @override_settings(PORTAL_SUBMISSIONS_PER_PHONE=2)
    def test_one_phone_posts_a_few_wishes_a_day(self):
        self.client.force_login(self.resident)
        for _ in range(2):
            self.client.post(self.url, self.form())
        response = self.client.post(self.url, self.form())
        self.assertEqual(response.status_code, 429)
        self.assertEqual(Wish.objects.count(), 2)

    def test_staff_are_sent_to_the_household_card(self):
        self.client.force_login(self.community_staff)
        response = self.client.post(self.url, self.form())
        self.assertRedirects(response, WALL)
        self.assertFalse(Wish.objects.exists())


class WisherActionsTest(WallTestCase):
    def test_the_wisher_confirms_his_fulfilled_wish(self):
        wish = self.fulfilled()
        self.client.force_login(self.resident)
        self.assertContains(self.client.get(reverse("portal:wish", args=[wish.pk])), "确认圆梦")
        self.client.post(reverse("portal:wish_action", args=[wish.pk, "confirm"]))
        self.assertEqual(Wish.objects.get(pk=wish.pk).status, S.CONFIRMED)

    def test_another_resident_may_not_confirm_or_dispute(self):
        wish = self.fulfilled()
        self.client.force_login(self.other_resident)
        for action in ("confirm", "dispute", "revise"):
            response = self.client.post(reverse("portal:wish_action", args=[wish.pk, action]))
            self.assertEqual(response.status_code, 404)
        self.assertEqual(Wish.objects.get(pk=wish.pk).status, S.FULFILLED)

    def test_the_wisher_says_it_did_not_happen_and_must_say_why(self):
        wish = self.fulfilled()
        self.client.force_login(self.resident)
        url = reverse("portal:wish_action", args=[wish.pk, "dispute"])
        self.assertEqual(self.client.post(url, {"reason": ""}).status_code, 400)
        self.client.post(url, {"reason": "还没收到助行器"})
        self.assertEqual(Wish.objects.get(pk=wish.pk).status, S.CLAIMED)

    def test_the_wisher_revises_a_wish_sent_back(self):
        wish = actions.do_request_wish_change(
            self.posted(), actor=self.community_staff, note="写清楚型号"
        )
        self.client.force_login(self.resident)
        page = self.client.get(reverse("portal:wish", args=[wish.pk]))
        self.assertContains(page, "写清楚型号")
        self.client.post(
            reverse("portal:wish_action", args=[wish.pk, "revise"]), {"text": "想要一副折叠助行器"}
        )
        wish.refresh_from_db()
        self.assertEqual((wish.status, wish.text), (S.PENDING, "想要一副折叠助行器"))

    def test_actions_want_a_post(self):
        wish = self.fulfilled()
        self.client.force_login(self.resident)
        url = reverse("portal:wish_action", args=[wish.pk, "confirm"])
        self.assertEqual(self.client.get(url).status_code, 405)


class ClaimFromTheWallTest(WallTestCase):
    def test_a_department_handler_claims_on_the_wall(self):
        wish = self.published()
        self.client.force_login(self.handler_a)
        page = self.client.get(reverse("portal:wish", args=[wish.pk]))
        self.assertContains(page, "我来认领")
        response = self.client.post(
            reverse("portal:wish_action", args=[wish.pk, "claim"]),
            {"unit": self.dept_a.pk, "promised_date": "2026-06-20"},
        )
        self.assertRedirects(response, reverse("portal:wish", args=[wish.pk]))
        claim = WishClaim.objects.get(wish=wish)
        self.assertEqual((claim.claimer, claim.unit), (self.handler_a, self.dept_a))

    def test_a_resident_sees_no_claim_form_and_cannot_claim(self):
        wish = self.published()
        self.client.force_login(self.resident)
        self.assertNotContains(self.client.get(reverse("portal:wish", args=[wish.pk])), "我来认领")
        response = self.client.post(
            reverse("portal:wish_action", args=[wish.pk, "claim"]),
            {"unit": self.dept_a.pk, "promised_date": "2026-06-20"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(WishClaim.objects.exists())

    def test_a_past_promised_date_is_refused_beside_its_field(self):
        wish = self.published()
        self.client.force_login(self.handler_a)
        response = self.client.post(
            reverse("portal:wish_action", args=[wish.pk, "claim"]),
            {"unit": self.dept_a.pk, "promised_date": "2026-06-01"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertFormError(
            response.context["claim_form"], "promised_date", "承诺完成日期不能早于今天。"
        )
