"""Registering a concern: the tracking number, the deadlines, what is refused."""

import datetime as dt
import io
import shutil
import tempfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from lianxin.cases import actions
from lianxin.cases.models import Case, mask_phone
from lianxin.cases.rules import WorkflowError
from lianxin.orgs.models import DistrictSettings
from lianxin.test import LianxinTestCase, at


class TrackingNumberTest(LianxinTestCase):
    def test_numbers_count_up_within_a_year_and_restart_the_next(self):
        first = self.register(when=at(2026, 12, 31, 23, 50))
        second = self.register(when=at(2026, 12, 31, 23, 55))
        new_year = self.register(when=at(2027, 1, 1, 0, 5))
        self.assertRegex(first.tracking_number, r"^LX-2026-\d{6}$")
        self.assertEqual(number(second), number(first) + 1)
        self.assertRegex(new_year.tracking_number, r"^LX-2027-\d{6}$")
        if connection.vendor == "sqlite":
            # PostgreSQL's sequences outlive each test's rolled-back transaction, so only
            # SQLite's counter starts from one here.
            self.assertEqual(first.tracking_number, "LX-2026-000001")
            self.assertEqual(new_year.tracking_number, "LX-2027-000001")

    def test_a_refused_registration_takes_no_number(self):
        first = self.register()
        with self.assertRaises(WorkflowError):
            self.register(title="")
        self.assertEqual(number(self.register()), number(first) + 1)


def number(case) -> int:
    return int(case.tracking_number.rsplit("-", 1)[1])


class DeadlineAtRegistrationTest(LianxinTestCase):
    def test_the_reply_is_due_seven_working_days_later_and_resolution_by_category(self):
        case = self.register(when=at(2026, 9, 30, 16))
        self.assertEqual(case.reply_due_at.date(), dt.date(2026, 10, 15))
        # The street-light category allows 5 working days (8, 9, 10, 12, 13 October), but
        # the resolution is never due before the reply.
        self.assertEqual(case.resolve_due_at.date(), dt.date(2026, 10, 15))

    def test_a_district_that_counts_calendar_days(self):
        policy = DistrictSettings.load()
        policy.reply_limit_counting = DistrictSettings.Counting.CALENDAR_DAYS
        policy.save()
        self.assertEqual(
            self.register(when=at(2026, 9, 30)).reply_due_at.date(), dt.date(2026, 10, 7)
        )

    def test_without_a_category_the_district_default_applies(self):
        case = self.register(category=None, when=at(2026, 11, 2))
        # 15 working days from Monday 2 November.
        self.assertEqual(case.resolve_due_at.date(), dt.date(2026, 11, 23))

    def test_a_later_category_resets_the_resolution_deadline_from_registration(self):
        case = self.register(category=None, when=at(2026, 11, 2))
        actions.do_dispatch_case(
            case,
            actor=self.dispatcher,
            unit=self.dept_a,
            category=self.category,
            when=at(2026, 11, 3),
        )
        # 5 working days from 2 November, but not before the reply (11 November).
        self.assertEqual(self.reload(case).resolve_due_at.date(), dt.date(2026, 11, 11))


class IdempotencyTest(LianxinTestCase):
    def test_the_same_registration_sent_twice_makes_one_case(self):
        first = self.register(idempotency_key="app-7f3a")
        again = self.register(idempotency_key="app-7f3a")
        self.assertEqual(first.pk, again.pk)
        self.assertEqual(Case.objects.count(), 1)
        self.assertEqual(first.events.count(), 1)

    def test_different_keys_make_different_cases(self):
        self.register(idempotency_key="a")
        self.register(idempotency_key="b")
        self.register()
        self.assertEqual(Case.objects.count(), 3)


class WhoMayRegisterTest(LianxinTestCase):
    def test_a_visitor_files_through_the_web_without_an_account(self):
        case = self.register(actor=None, channel="web", resident=None)
        self.assertIsNone(case.resident)
        self.assertIsNone(case.recorded_by)
        self.assertIsNone(case.events.get().actor)

    def test_a_visitor_cannot_claim_a_staff_channel(self):
        with self.assertRaisesMessage(WorkflowError, "只能通过网页或小程序"):
            self.register(actor=None, channel="phone", resident=None)

    def test_a_resident_files_only_for_himself(self):
        case = self.register(actor=self.resident, channel="miniprogram", resident=None)
        self.assertEqual(case.resident, self.resident)
        with self.assertRaisesMessage(WorkflowError, "不能以他人名义"):
            self.register(actor=self.resident, channel="web", resident=self.other_resident)

    def test_a_resident_cannot_offer_his_case_for_claiming(self):
        case = self.register(actor=self.resident, channel="web", open_for_claim=True)
        self.assertFalse(case.open_for_claim)

    def test_staff_record_a_concern_on_a_residents_behalf(self):
        case = self.register(actor=self.community_staff, channel="meeting")
        self.assertEqual(case.recorded_by, self.community_staff)
        self.assertEqual(case.events.get().actor_unit, self.community)


class ValidationTest(LianxinTestCase):
    def test_required_text_is_refused_in_chinese(self):
        for field, message in (
            ("title", "请填写标题"),
            ("text", "请填写诉求内容"),
            ("address", "请填写地址"),
        ):
            with self.subTest(field=field), self.assertRaisesMessage(WorkflowError, message):
                self.register(**{field: "   "})
        self.assertEqual(Case.objects.count(), 0)

    def test_a_phone_number_must_look_like_one(self):
        with self.assertRaisesMessage(WorkflowError, "联系电话格式不正确"):
            self.register(resident_phone="1381234")
        self.assertEqual(
            self.register(resident_phone="0532-88886666").resident_phone, "0532-88886666"
        )

    def test_the_place_follows_from_the_grid(self):
        case = self.register()
        self.assertEqual(
            (case.street, case.community, case.grid), (self.street, self.community, self.grid)
        )

    def test_an_anonymous_case_keeps_no_name(self):
        case = self.register(anonymous=True)
        self.assertEqual(case.resident_name, "")

    def test_phones_are_masked_for_display(self):
        self.assertEqual(mask_phone("13812341234"), "138****1234")
        self.assertEqual(self.register().masked_phone, "138****1234")
        self.assertEqual(mask_phone(""), "")


class PastedTextTest(LianxinTestCase):
    """Text pasted from Word carries controls no one sees; stored, they break every .xlsx
    export holding the case and the Open311 XML."""

    def test_a_case_pasted_from_word_is_stored_clean(self):
        case = self.register(
            title="北门路灯\x0b不亮\x00",
            text="路灯坏了\x0b一周\r\n晚上\x0c看不清路\x1b\ufffe\ud800。",
            address="福临苑\x07北门",
            building="3号楼\x08",
            resident_name="王\x0b秀兰",
        )
        case = self.reload(case)
        self.assertEqual(case.title, "北门路灯 不亮")  # a title is one line
        self.assertEqual(case.text, "路灯坏了\n一周\n晚上\n看不清路。")
        self.assertEqual((case.address, case.building), ("福临苑北门", "3号楼"))
        self.assertEqual(case.resident_name, "王 秀兰")

    def test_notes_and_replies_are_stored_clean(self):
        case = self.in_progress()
        actions.do_add_note(case, actor=self.handler_a, note="已联系\x0b物业\x00")
        actions.do_reply_case(
            case, actor=self.handler_a, text="已安排维修\x0b本周五前更换灯具\x1f。"
        )
        notes = list(case.events.order_by("pk").values_list("note", flat=True))[-2:]
        self.assertEqual(notes, ["已联系\n物业", "已安排维修\n本周五前更换灯具。"])

    def test_text_that_is_only_controls_counts_as_empty(self):
        with self.assertRaisesMessage(WorkflowError, "请填写标题"):
            self.register(title="\x0b\x00\x0c")


class SequenceTest(LianxinTestCase):
    def test_the_daily_job_prepares_numbers_for_a_year_beyond_the_migrations(self):
        from lianxin.cases.numbering import ensure_year_sequences

        ensure_year_sequences([2051])
        case = self.register(when=at(2051, 3, 1))
        self.assertRegex(case.tracking_number, r"^LX-2051-\d{6}$")

    def test_the_daily_job_prepares_next_years_numbers(self):
        from lianxin.cases.numbering import sequence_name
        from lianxin.cases.tasks import prepare_tracking_numbers

        if connection.vendor != "postgresql":
            self.skipTest("SQLite counts in a table row; there is nothing to prepare")
        next_year = timezone.localdate().year + 1
        with connection.cursor() as cursor:  # as if the migrations had stopped this year
            cursor.execute(f"DROP SEQUENCE {sequence_name(next_year)}")
        prepare_tracking_numbers.call_local()
        case = self.register(when=at(next_year, 1, 2))
        self.assertRegex(case.tracking_number, rf"^LX-{next_year}-\d{{6}}$")


class PhotoTest(LianxinTestCase):
    def setUp(self):
        media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, media)
        self.enterContext(override_settings(MEDIA_ROOT=media))

    def png(self, name):
        buffer = io.BytesIO()
        Image.new("RGB", (40, 30), "orange").save(buffer, "PNG")
        return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")

    def test_photos_arrive_with_the_concern_and_with_the_resolution(self):
        case = self.register(photos=[self.png("before.png")])
        case = actions.do_dispatch_case(case, actor=self.dispatcher, unit=self.dept_a)
        actions.do_accept_part(case.parts.get(), actor=self.handler_a)
        actions.do_resolve_case(
            case,
            actor=self.handler_a,
            note="已更换灯具，恢复夜间照明。",
            photos=[self.png("after.png")],
        )
        stages = list(case.photos.values_list("stage", flat=True))
        self.assertEqual(stages, ["intake", "resolution"])
        with case.photos.first().image.open() as stored:
            self.assertEqual(Image.open(stored).size, (40, 30))
