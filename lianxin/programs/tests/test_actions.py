"""Every wish action with the right actor and the wrong one, each writing one event."""

import datetime as dt
import io
import shutil
import tempfile

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from lianxin.accounts.models import Role
from lianxin.errors import WorkflowError
from lianxin.programs import actions
from lianxin.programs.models import Wish, WishClaim, WishEvent, WishPhoto, WishStatus
from lianxin.programs.tests.builders import FULFILMENT, WISH_TEXT, Wishes
from lianxin.test import LianxinTestCase, at, make_user

S = WishStatus


def png(name="wish.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


class WishTestCase(Wishes, LianxinTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.other_community_staff = make_user(
            "other_community_staff", Role.COMMUNITY_STAFF, cls.other_community
        )

    def setUp(self):
        self.enterContext(time_machine.travel(at(2026, 6, 17, 10), tick=False))
        media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, media)
        self.enterContext(override_settings(MEDIA_ROOT=media))

    def assertRefused(self, code, action, *args, **kwargs):
        events = WishEvent.objects.count()
        with self.assertRaises(WorkflowError) as raised:
            action(*args, **kwargs)
        self.assertEqual(raised.exception.code, code, raised.exception.message)
        self.assertEqual(WishEvent.objects.count(), events, "a refusal writes nothing")

    def last_event(self, wish) -> WishEvent:
        return WishEvent.objects.filter(wish=wish).latest("pk")


class PostTest(WishTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build_registers(cls)

    def test_a_signed_in_resident_posts_a_wish_that_waits_for_review(self):
        wish = self.posted(photos=[png()])
        self.assertEqual(wish.status, S.PENDING)
        self.assertEqual(wish.wisher, self.resident)
        self.assertEqual(wish.source, Wish.Source.PORTAL)
        self.assertEqual(wish.photos.get().stage, WishPhoto.Stage.WISH)
        self.assertEqual(self.last_event(wish).code, "programs.wish.posted")

    def test_a_visitor_needs_a_verified_phone(self):
        self.assertRefused("phone_unverified", self.posted, actor=None)
        wish = self.posted(actor=None, phone_verified=True)
        self.assertIsNone(wish.wisher)
        self.assertEqual(wish.wisher_phone, "13812341234")

    def test_markup_and_invisible_characters_are_stored_as_text_cleaned(self):
        wish = self.posted(text="想要<b>一台</b>收音机\x0b<script>alert(1)</script>")
        self.assertEqual(wish.text, "想要<b>一台</b>收音机\n<script>alert(1)</script>")

    def test_staff_record_a_wish_only_for_a_household(self):
        self.assertRefused("household_required", self.posted, actor=self.community_staff)
        wish = self.posted(actor=self.cadre_user, household=self.household, wisher_name="")
        self.assertEqual(wish.source, Wish.Source.CADRE)
        self.assertEqual(wish.community, self.household.community)
        self.assertEqual(wish.wisher_name, self.household.head_name)
        self.assertEqual(wish.recorded_by, self.cadre_user)

    def test_a_cadre_of_another_community_may_not_record_for_the_household(self):
        self.assertRefused(
            "forbidden", self.posted, actor=self.other_grid_worker, household=self.household
        )

    def test_a_photo_that_is_not_an_image_is_refused_and_nothing_is_saved(self):
        fake = SimpleUploadedFile("wish.jpg", b"<html>not a photo</html>")
        self.assertRefused("invalid_photo", self.posted, photos=[fake])
        self.assertRefused("too_many_photos", self.posted, photos=[png(), png()])
        self.assertFalse(Wish.objects.exists())

    def test_text_community_and_phone_are_required(self):
        self.assertRefused("text_required", self.posted, text="  ")
        self.assertRefused("text_too_long", self.posted, text="想" * 501)
        self.assertRefused("community_required", self.posted, community=None)
        self.assertRefused("community_required", self.posted, community=self.street)
        self.assertRefused("invalid_phone", self.posted, wisher_phone="12345")


class ReviewTest(WishTestCase):
    def test_the_community_publishes_and_the_wish_reaches_the_wall(self):
        wish = actions.do_publish_wish(self.posted(), actor=self.community_staff)
        self.assertEqual(wish.status, S.PUBLISHED)
        self.assertEqual(wish.published_at, at(2026, 6, 17, 10))
        self.assertIn(wish, Wish.objects.on_the_wall())
        event = self.last_event(wish)
        self.assertEqual(
            (event.code, event.from_status, event.to_status, event.actor_unit),
            ("programs.wish.published", S.PENDING, S.PUBLISHED, self.community),
        )

    def test_no_one_but_the_community_and_the_office_reviews(self):
        for outsider in (
            self.resident,
            self.handler_a,
            self.other_community_staff,
            self.street_staff,
            self.leader,
        ):
            wish = self.posted()
            self.assertRefused("forbidden", actions.do_publish_wish, wish, actor=outsider)
            self.assertRefused(
                "forbidden", actions.do_decline_wish, wish, actor=outsider, reason="不属实"
            )
        actions.do_publish_wish(self.posted(), actor=self.dispatcher)

    def test_a_published_wish_cannot_be_published_or_declined_again(self):
        wish = self.published()
        self.assertRefused(
            "invalid_transition", actions.do_publish_wish, wish, actor=self.community_staff
        )
        self.assertRefused(
            "invalid_transition",
            actions.do_decline_wish,
            wish,
            actor=self.community_staff,
            reason="重复",
        )

    def test_asked_for_a_change_the_wisher_revises_and_it_returns_to_review(self):
        wish = actions.do_request_wish_change(
            self.posted(), actor=self.community_staff, note="请不要在心愿中写电话号码。"
        )
        self.assertEqual(
            (wish.status, wish.review_note), (S.CHANGES_REQUESTED, "请不要在心愿中写电话号码。")
        )
        self.assertRefused(
            "forbidden", actions.do_revise_wish, wish, actor=self.other_resident, text="改"
        )
        wish = actions.do_revise_wish(wish, actor=self.resident, text=WISH_TEXT + "谢谢！")
        self.assertEqual(wish.status, S.PENDING)
        self.assertTrue(wish.text.endswith("谢谢！"))

    def test_a_change_request_and_a_decline_need_their_reason(self):
        wish = self.posted()
        self.assertRefused(
            "note_required",
            actions.do_request_wish_change,
            wish,
            actor=self.community_staff,
            note="",
        )
        self.assertRefused(
            "reason_required", actions.do_decline_wish, wish, actor=self.community_staff, reason=""
        )
        wish = actions.do_decline_wish(wish, actor=self.community_staff, reason="属于诉求，已转办")
        self.assertEqual((wish.status, wish.review_note), (S.DECLINED, "属于诉求，已转办"))
        self.assertNotIn(wish, Wish.objects.on_the_wall())


class ClaimTest(WishTestCase):
    def test_a_department_handler_claims_for_his_department_with_a_promised_date(self):
        wish = self.published()
        claim = actions.do_claim_wish(
            wish, actor=self.handler_a, promised_date=dt.date(2026, 6, 24)
        )
        self.assertEqual((claim.claimer, claim.unit), (self.handler_a, self.dept_a))
        self.assertEqual(Wish.objects.get(pk=wish.pk).status, S.CLAIMED)
        event = self.last_event(wish)
        self.assertEqual(
            (event.code, event.claim, event.actor_unit),
            ("programs.wish.claimed", claim, self.dept_a),
        )

    def test_community_and_office_staff_claim_too_but_not_residents_or_leaders(self):
        wish = self.published()
        for outsider in (self.resident, self.leader):
            self.assertRefused(
                "forbidden",
                actions.do_claim_wish,
                wish,
                actor=outsider,
                promised_date=dt.date(2026, 6, 24),
            )
        claim = actions.do_claim_wish(
            wish, actor=self.other_community_staff, promised_date=dt.date(2026, 6, 24)
        )
        self.assertEqual(claim.unit, self.other_community)

    def test_a_claimed_wish_cannot_be_claimed_again(self):
        wish = self.claimed()
        self.assertRefused(
            "invalid_transition",
            actions.do_claim_wish,
            wish,
            actor=self.handler_b,
            promised_date=dt.date(2026, 6, 24),
        )
        self.assertEqual(WishClaim.objects.filter(wish=wish).count(), 1)

    def test_the_promised_date_is_today_or_later_within_ninety_days(self):
        wish = self.published()
        for day in (dt.date(2026, 6, 16), dt.date(2026, 9, 16)):
            self.assertRefused(
                "invalid_date", actions.do_claim_wish, wish, actor=self.handler_a, promised_date=day
            )
        actions.do_claim_wish(wish, actor=self.handler_a, promised_date=dt.date(2026, 6, 17))

    def test_one_claims_only_for_a_unit_of_his_own(self):
        self.assertRefused(
            "forbidden",
            actions.do_claim_wish,
            self.published(),
            actor=self.handler_a,
            promised_date=dt.date(2026, 6, 24),
            unit=self.dept_b,
        )

    def test_released_the_wish_returns_to_the_wall_and_the_claim_stays_in_history(self):
        wish = self.claimed()
        self.assertRefused(
            "forbidden", actions.do_release_wish_claim, wish, actor=self.handler_b, reason="忙"
        )
        self.assertRefused(
            "reason_required", actions.do_release_wish_claim, wish, actor=self.handler_a, reason=""
        )
        wish = actions.do_release_wish_claim(wish, actor=self.handler_a, reason="本周抽不出人手")
        self.assertEqual(wish.status, S.PUBLISHED)
        released = WishClaim.objects.get(wish=wish)
        self.assertEqual(released.release_reason, "本周抽不出人手")
        actions.do_claim_wish(wish, actor=self.handler_b, promised_date=dt.date(2026, 6, 20))
        self.assertEqual(
            list(
                WishClaim.objects.filter(wish=wish).values_list("claimer__username", "released_at")
            ),
            [("handler_b", None), ("handler_a", at(2026, 6, 17, 10))],
        )

    def test_the_community_may_take_a_wish_back_from_its_claimer(self):
        wish = actions.do_release_wish_claim(
            self.claimed(), actor=self.community_staff, reason="认领人长期未联系居民"
        )
        self.assertEqual(wish.status, S.PUBLISHED)


class FulfilmentTest(WishTestCase):
    def test_only_the_holder_records_fulfilment_with_a_note_and_photos(self):
        wish = self.claimed()
        self.assertRefused(
            "forbidden", actions.do_fulfil_wish, wish, actor=self.handler_b, note=FULFILMENT
        )
        self.assertRefused(
            "forbidden", actions.do_fulfil_wish, wish, actor=self.head_a, note=FULFILMENT
        )
        self.assertRefused(
            "note_required", actions.do_fulfil_wish, wish, actor=self.handler_a, note=""
        )
        wish = actions.do_fulfil_wish(wish, actor=self.handler_a, note=FULFILMENT, photos=[png()])
        self.assertEqual(wish.status, S.FULFILLED)
        claim = WishClaim.objects.get(wish=wish)
        self.assertEqual(
            (claim.fulfilment_note, claim.fulfilled_at), (FULFILMENT, at(2026, 6, 17, 10))
        )
        self.assertEqual(wish.photos.get().stage, WishPhoto.Stage.FULFILMENT)

    def test_the_wisher_confirms_and_no_one_else_but_his_community(self):
        wish = self.fulfilled()
        for outsider in (self.other_resident, self.handler_a, self.other_community_staff):
            self.assertRefused("forbidden", actions.do_confirm_wish, wish, actor=outsider)
        wish = actions.do_confirm_wish(wish, actor=self.resident)
        self.assertEqual((wish.status, wish.confirmed_at), (S.CONFIRMED, at(2026, 6, 17, 10)))
        self.assertRefused("invalid_transition", actions.do_confirm_wish, wish, actor=self.resident)

    def test_the_community_confirms_for_a_wisher_without_an_account(self):
        wish = self.fulfilled(actor=None, phone_verified=True)
        self.assertRefused("forbidden", actions.do_confirm_wish, wish, actor=self.resident)
        wish = actions.do_confirm_wish(wish, actor=self.community_staff)
        self.assertEqual(self.last_event(wish).actor_unit, self.community)

    def test_not_done_returns_the_wish_to_its_claimer(self):
        wish = self.fulfilled()
        self.assertRefused(
            "forbidden", actions.do_dispute_wish, wish, actor=self.handler_a, reason="已完成"
        )
        self.assertRefused(
            "reason_required", actions.do_dispute_wish, wish, actor=self.resident, reason=""
        )
        wish = actions.do_dispute_wish(wish, actor=self.resident, reason="助行器还没送到")
        self.assertEqual(wish.status, S.CLAIMED)
        claim = WishClaim.objects.get(wish=wish)
        self.assertEqual((claim.claimer, claim.fulfilled_at), (self.handler_a, None))
        actions.do_fulfil_wish(wish, actor=self.handler_a, note="今天已送到家中。")

    def test_every_step_writes_one_event_from_one_status_to_the_next(self):
        wish = self.confirmed()
        self.assertEqual(
            list(
                WishEvent.objects.filter(wish=wish).values_list("code", "from_status", "to_status")
            ),
            [
                ("programs.wish.posted", "", S.PENDING),
                ("programs.wish.published", S.PENDING, S.PUBLISHED),
                ("programs.wish.claimed", S.PUBLISHED, S.CLAIMED),
                ("programs.wish.fulfilled", S.CLAIMED, S.FULFILLED),
                ("programs.wish.confirmed", S.FULFILLED, S.CONFIRMED),
            ],
        )


class OverdueTest(WishTestCase):
    def test_a_claim_past_its_promised_date_is_marked_once(self):
        late = self.claimed()  # promised 2026-06-24
        fulfilled_in_time = self.fulfilled()
        with time_machine.travel(at(2026, 6, 24, 23, 59), tick=False):
            self.assertEqual(actions.do_record_overdue_claims(), 0)
        with time_machine.travel(at(2026, 6, 25, 0, 5), tick=False):
            self.assertEqual(actions.do_record_overdue_claims(), 1)
            self.assertEqual(actions.do_record_overdue_claims(), 0)
        claim = WishClaim.objects.get(wish=late)
        self.assertEqual(claim.overdue_at, at(2026, 6, 25, 0, 5))
        self.assertIsNone(WishClaim.objects.get(wish=fulfilled_in_time).overdue_at)
        self.assertEqual(self.last_event(late).code, "programs.wish.claim_overdue")
