"""Every hazards action with the right actor, the wrong one, and a refused state."""

import datetime as dt
import io
import shutil
import tempfile

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from lianxin.cases.models import Case, CaseEvent, Status
from lianxin.errors import WorkflowError
from lianxin.hazards import actions
from lianxin.hazards.models import (
    HazardEvent,
    HazardPhoto,
    HazardStatus,
    Inspection,
    InspectionKind,
    Notice,
    Place,
    PlaceKind,
    Topic,
)
from lianxin.hazards.tests.builders import HAZARD_TEXT, MEASURES, REQUIREMENTS, Hazards
from lianxin.test import LianxinTestCase, at

H = HazardStatus


def jpeg_with_gps(name="hazard.jpg"):
    """A JPEG carrying EXIF (a camera's make): the stored copy must have none of it."""
    image = Image.new("RGB", (60, 40), "red")
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


class HazardTestCase(Hazards, LianxinTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build_hazards(cls)

    def setUp(self):
        # Its own "now", inside the campaign's period, whatever the machine's clock says.
        self.enterContext(time_machine.travel(at(2026, 6, 17, 10), tick=False))
        media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, media)
        self.enterContext(override_settings(MEDIA_ROOT=media))

    def assertRefused(self, code, call, *args, **kwargs):
        with self.assertRaises(WorkflowError) as raised:
            call(*args, **kwargs)
        self.assertEqual(raised.exception.code, code)


class PlaceAndCampaignTests(HazardTestCase):
    def test_office_registers_a_place_and_saving_it_again_changes_nothing(self):
        values = {
            "kind": PlaceKind.RESTAURANT,
            "name": "福临小吃店",
            "community": self.community,
            "responsible_unit": self.dept_c,
            "contact_phone": "13900001111",
            "when": at(2026, 5, 1),
        }
        first = actions.do_save_place(actor=self.dispatcher, **values)
        again = actions.do_save_place(actor=self.dispatcher, **values)
        self.assertTrue(first.created)
        self.assertEqual((again.created, again.changed), (False, False))
        self.assertEqual(first.place.street, self.street)
        changed = actions.do_save_place(actor=self.dispatcher, **{**values, "address": "福临路1号"})
        self.assertTrue(changed.changed)
        self.assertEqual(
            HazardEvent.objects.filter(code__startswith="hazards.place.").count() - 3, 2
        )

    def test_a_street_registers_places_in_its_area_only(self):
        values = {"kind": PlaceKind.ENTERPRISE, "responsible_unit": self.dept_b}
        actions.do_save_place(
            actor=self.street_staff, name="海岚制衣厂", community=self.community, **values
        )
        self.assertRefused(
            "forbidden",
            actions.do_save_place,
            actor=self.street_staff,
            name="青峰制衣厂",
            community=self.other_community,
            **values,
        )
        self.assertRefused(
            "forbidden",
            actions.do_save_place,
            actor=self.handler_a,
            name="海岚制衣厂二",
            community=self.community,
            **values,
        )
        self.assertRefused(
            "invalid_phone",
            actions.do_save_place,
            actor=self.dispatcher,
            name="坏电话厂",
            community=self.community,
            contact_phone="12345",
            **values,
        )

    def test_only_the_office_runs_campaigns(self):
        values = {
            "name": "2026年燃气安全专项",
            "topic": Topic.GAS,
            "starts_on": dt.date(2026, 5, 1),
            "ends_on": dt.date(2026, 6, 30),
            "group_units": [self.dept_c],
            "items": [("燃气报警器", 50), ("软管老化", 50)],
        }
        campaign = actions.do_create_campaign(actor=self.dispatcher, **values)
        self.assertEqual(campaign.max_score, 100)
        self.assertEqual(list(campaign.items.values_list("order", flat=True)), [1, 2])
        self.assertRefused("forbidden", actions.do_create_campaign, actor=self.handler_a, **values)
        self.assertRefused("forbidden", actions.do_create_campaign, actor=self.leader, **values)
        self.assertRefused(
            "invalid_period",
            actions.do_create_campaign,
            actor=self.dispatcher,
            **{**values, "ends_on": dt.date(2026, 4, 1)},
        )
        self.assertRefused(
            "items_required",
            actions.do_create_campaign,
            actor=self.dispatcher,
            **{**values, "items": []},
        )
        self.assertRefused(
            "invalid_points",
            actions.do_create_campaign,
            actor=self.dispatcher,
            **{**values, "items": [("x", 0)]},
        )
        self.assertRefused(
            "invalid_group",
            actions.do_create_campaign,
            actor=self.dispatcher,
            **{**values, "group_units": [self.office]},
        )
        place = Place.objects.create(
            kind=PlaceKind.SCHOOL,
            name="海岚小学",
            community=self.community,
            street=self.street,
            responsible_unit=self.dept_c,
            created_at=at(2026, 5, 1),
        )
        self.assertEqual(
            actions.do_add_campaign_places(campaign, actor=self.dispatcher, places=[place]), 1
        )
        self.assertEqual(
            actions.do_add_campaign_places(campaign, actor=self.dispatcher, places=[place]), 0
        )
        self.assertRefused(
            "forbidden", actions.do_add_campaign_places, campaign, actor=self.handler_c, places=[]
        )


class InspectionTests(HazardTestCase):
    def test_an_inspector_scores_as_he_goes_and_submits(self):
        inspection = self.open_inspection()
        self.assertEqual((inspection.unit, inspection.max_score), (self.dept_a, 100))
        items = list(self.campaign.items.all())
        inspection = actions.do_score_item(
            inspection, items[1], actor=self.handler_a, points=20, note="两具灭火器过期"
        )
        self.assertEqual(inspection.score, 20)
        inspection = actions.do_score_item(inspection, items[1], actor=self.handler_a, points=25)
        self.assertEqual(inspection.score, 25)  # scored again, not added
        self.assertRefused(
            "unscored_items", actions.do_submit_inspection, inspection, actor=self.handler_a
        )
        inspection = actions.do_submit_inspection(
            inspection,
            actor=self.handler_a,
            answers={items[0].pk: 20, items[2].pk: 30, items[3].pk: 10},
        )
        self.assertEqual((inspection.status, inspection.score), (Inspection.Status.SUBMITTED, 85))
        self.assertEqual(inspection.percent, 85.0)
        codes = list(inspection.events.values_list("code", flat=True))
        self.assertEqual(codes[0], "hazards.inspection.started")
        self.assertEqual(codes.count("hazards.inspection.scored"), 2)
        self.assertEqual(codes[-1], "hazards.inspection.submitted")
        # Submitted: scoring again is refused.
        self.assertRefused(
            "invalid_transition",
            actions.do_score_item,
            inspection,
            items[0],
            actor=self.handler_a,
            points=0,
        )

    def test_only_the_group_inspects(self):
        actions.do_start_inspection(
            self.campaign, self.village, actor=self.street_staff, when=at(2026, 4, 20)
        )
        for outsider in (self.handler_b, self.community_staff, self.dispatcher, self.leader):
            self.assertRefused(
                "forbidden",
                actions.do_start_inspection,
                self.campaign,
                self.factory,
                actor=outsider,
                when=at(2026, 4, 20),
            )
        inspection = self.open_inspection()
        item = self.campaign.items.first()
        self.assertRefused(
            "forbidden", actions.do_score_item, inspection, item, actor=self.handler_b, points=1
        )
        self.assertRefused(
            "forbidden", actions.do_add_hazard, inspection, actor=self.handler_b, text=HAZARD_TEXT
        )

    def test_refused_outside_the_period_and_the_campaigns_places(self):
        self.assertRefused(
            "campaign_not_started",
            actions.do_start_inspection,
            self.campaign,
            self.factory,
            actor=self.handler_a,
            when=at(2026, 3, 31, 23, 59),
        )
        self.assertRefused(
            "campaign_ended",
            actions.do_start_inspection,
            self.campaign,
            self.factory,
            actor=self.handler_a,
            when=at(2027, 1, 1, 0, 1),
        )
        outside = actions.do_save_place(
            actor=self.dispatcher,
            kind=PlaceKind.SCHOOL,
            name="青峰中学",
            community=self.other_community,
            responsible_unit=self.dept_c,
        ).place
        self.assertRefused(
            "place_not_in_campaign",
            actions.do_start_inspection,
            self.campaign,
            outside,
            actor=self.handler_a,
            when=at(2026, 4, 20),
        )
        inspection = self.open_inspection()
        self.assertRefused(
            "invalid_points",
            actions.do_score_item,
            inspection,
            self.campaign.items.first(),
            actor=self.handler_a,
            points=21,
        )

    def test_a_hazard_keeps_its_photo_re_encoded_and_the_places_point(self):
        inspection = self.open_inspection()
        hazard = actions.do_add_hazard(
            inspection, actor=self.handler_a, text=HAZARD_TEXT, photos=[jpeg_with_gps()]
        )
        self.assertEqual(
            (hazard.status, hazard.place, hazard.campaign), (H.OPEN, self.factory, self.campaign)
        )
        self.assertEqual(str(hazard.latitude), "36.150000")
        photo = HazardPhoto.objects.get(hazard=hazard)
        with photo.image.open("rb") as stored:
            data = stored.read()
        self.assertNotIn(b"SecretCam", data)
        self.assertNotIn("hazard", photo.image.name.rsplit("/", 1)[1])
        pinned = actions.do_add_hazard(
            inspection,
            actor=self.handler_a,
            text="配电箱门缺失",
            latitude="36.1",
            longitude="120.3",
        )
        self.assertEqual(str(pinned.latitude), "36.100000")
        self.assertRefused(
            "invalid_point",
            actions.do_add_hazard,
            inspection,
            actor=self.handler_a,
            text="配电箱门缺失",
            latitude="36.1",
        )
        self.assertRefused(
            "text_required", actions.do_add_hazard, inspection, actor=self.handler_a, text=" "
        )

    def test_a_self_check_through_the_link(self):
        answers = {item.pk: item.points for item in self.campaign.items.all()}
        first = self.campaign.items.first()
        answers[first.pk] = 10
        inspection = actions.do_record_self_check(
            self.campaign,
            self.factory,
            via_link=True,
            filled_by="周建国",
            answers=answers,
            hazards=[{"text": "仓库未配置灭火器", "severity": "general"}, {"text": ""}],
            when=at(2026, 5, 6),
        )
        self.assertEqual(
            (inspection.kind, inspection.status, inspection.score, inspection.inspector),
            (InspectionKind.SELF_CHECK, Inspection.Status.SUBMITTED, 90, None),
        )
        self.assertEqual(inspection.hazards.count(), 1)
        self.assertRefused(
            "forbidden",
            actions.do_record_self_check,
            self.campaign,
            self.factory,
            via_link=False,
            filled_by="周建国",
            answers=answers,
            when=at(2026, 5, 6),
        )
        self.assertRefused(
            "unscored_items",
            actions.do_record_self_check,
            self.campaign,
            self.factory,
            via_link=True,
            filled_by="周建国",
            answers={first.pk: 10},
            when=at(2026, 5, 6),
        )


class NoticeTests(HazardTestCase):
    def test_notice_numbers_run_per_year(self):
        first = actions.do_issue_notice(
            self.hazard(), actor=self.handler_a, requirements=REQUIREMENTS, when=at(2026, 4, 20)
        )
        second = actions.do_issue_notice(
            self.hazard(), actor=self.handler_a, requirements=REQUIREMENTS, when=at(2026, 4, 21)
        )
        self.assertEqual(
            (first.number, second.number), ("整改〔2026〕第0001号", "整改〔2026〕第0002号")
        )
        self.assertEqual(first.responsible_party, "福临五金加工厂 周建国")
        # A new year starts again at 1 (the campaign below runs into 2027).
        self.campaign.ends_on = dt.date(2027, 3, 31)
        self.campaign.save()
        third = actions.do_issue_notice(
            self.hazard(when=at(2027, 1, 5)),
            actor=self.handler_a,
            requirements=REQUIREMENTS,
            when=at(2027, 1, 5),
        )
        self.assertEqual(third.number, "整改〔2027〕第0001号")

    def test_the_deadline_counts_working_days_over_national_day(self):
        # 2026-09-30 (Wed), 3 working days: Oct 1–7 are the holiday, Oct 8 and 9 count,
        # and Saturday Oct 10 is a swapped working day.
        notice = actions.do_issue_notice(
            self.hazard(when=at(2026, 9, 30)),
            actor=self.handler_a,
            requirements=REQUIREMENTS,
            working_days=3,
            when=at(2026, 9, 30),
        )
        self.assertEqual(notice.deadline, dt.date(2026, 10, 10))

    def test_only_an_inspector_issues_and_only_once(self):
        hazard = self.hazard()
        for outsider in (self.handler_b, self.dispatcher, self.community_staff):
            self.assertRefused(
                "forbidden",
                actions.do_issue_notice,
                hazard,
                actor=outsider,
                requirements=REQUIREMENTS,
            )
        self.assertRefused(
            "invalid_days",
            actions.do_issue_notice,
            hazard,
            actor=self.handler_a,
            requirements=REQUIREMENTS,
            working_days=0,
        )
        actions.do_issue_notice(hazard, actor=self.street_staff, requirements=REQUIREMENTS)
        self.assertRefused(
            "invalid_transition",
            actions.do_issue_notice,
            hazard,
            actor=self.handler_a,
            requirements=REQUIREMENTS,
        )

    def test_the_responsible_unit_or_the_link_reports_the_fix(self):
        hazard = self.noticed()
        self.assertRefused(
            "forbidden", actions.do_report_fix, hazard, actor=self.handler_a, measures=MEASURES
        )
        self.assertRefused(
            "forbidden", actions.do_report_fix, hazard, actor=None, measures=MEASURES
        )
        notice = actions.do_report_fix(
            hazard,
            actor=None,
            via_link=True,
            reporter_name="周建国",
            measures=MEASURES,
            photos=[jpeg_with_gps()],
            when=at(2026, 4, 22),
        )
        self.assertEqual(
            (notice.status, notice.reported_by_name), (Notice.Status.REPORTED, "周建国")
        )
        self.assertEqual(notice.photos.get().stage, HazardPhoto.Stage.FIX)
        self.assertRefused(
            "invalid_transition",
            actions.do_report_fix,
            hazard,
            actor=self.handler_b,
            measures=MEASURES,
        )
        self.assertRefused(
            "invalid_transition",
            actions.do_report_fix,
            self.hazard(),
            actor=self.handler_b,
            measures=MEASURES,
        )

    def test_reinspection_passes_or_finds_a_relapse(self):
        hazard = self.reported()
        self.assertRefused(
            "forbidden", actions.do_reinspect, hazard, actor=self.handler_b, passed=True
        )
        self.assertRefused(
            "note_required", actions.do_reinspect, hazard, actor=self.handler_a, passed=False
        )
        notice = actions.do_reinspect(
            hazard,
            actor=self.handler_a,
            passed=False,
            note="安全出口再次被堵",
            when=at(2026, 4, 25),
        )
        hazard.refresh_from_db()
        self.assertEqual(
            (notice.status, hazard.status, hazard.relapse_count),
            (Notice.Status.RELAPSED, H.OPEN, 1),
        )
        # Open again: a new notice, a new number, and the round goes on to a pass.
        again = actions.do_issue_notice(
            hazard, actor=self.handler_a, requirements=REQUIREMENTS, when=at(2026, 4, 25)
        )
        self.assertEqual(again.number, "整改〔2026〕第0002号")
        actions.do_report_fix(hazard, actor=self.handler_b, measures=MEASURES, when=at(2026, 4, 27))
        actions.do_reinspect(hazard, actor=self.street_staff, passed=True, when=at(2026, 4, 28))
        hazard.refresh_from_db()
        self.assertEqual((hazard.status, hazard.relapse_count), (H.FIXED, 1))
        self.assertEqual(hazard.fixed_at, at(2026, 4, 28))
        self.assertRefused(
            "invalid_transition", actions.do_reinspect, hazard, actor=self.handler_a, passed=True
        )
        self.assertEqual(
            list(hazard.events.values_list("code", flat=True)),
            [
                "hazards.hazard.found",
                "hazards.notice.issued",
                "hazards.notice.fix_reported",
                "hazards.notice.relapsed",
                "hazards.notice.issued",
                "hazards.notice.fix_reported",
                "hazards.notice.passed",
            ],
        )

    def test_referral_registers_a_case_through_the_intake(self):
        hazard = self.noticed()
        self.assertRefused(
            "forbidden", actions.do_refer_hazard, hazard, actor=self.handler_b, note="需住建部门"
        )
        case = actions.do_refer_hazard(
            hazard,
            actor=self.handler_a,
            note="涉及违建，需住建、城管联合处置",
            when=at(2026, 4, 21),
        )
        hazard.refresh_from_db()
        self.assertEqual(hazard.case, case)
        self.assertEqual((case.status, case.grid), (Status.REGISTERED, self.grid))
        self.assertIn(HAZARD_TEXT, case.text)
        self.assertEqual(
            CaseEvent.objects.filter(case=case).values_list("code", flat=True).get(),
            "cases.case.registered",
        )
        self.assertRefused(
            "already_referred", actions.do_refer_hazard, hazard, actor=self.dispatcher, note="再转"
        )
        self.assertEqual(Case.objects.count(), 1)
        self.assertRefused(
            "invalid_transition",
            actions.do_refer_hazard,
            self.fixed(),
            actor=self.handler_a,
            note="x",
        )


class OverdueScanTests(HazardTestCase):
    def test_a_notice_past_its_deadline_is_recorded_once(self):
        # 5 working days from Sep 30: Oct 8, 9, Saturday Oct 10 (swapped), 12 and 13.
        hazard = self.noticed(when=at(2026, 9, 30))
        reported = self.reported(when=at(2026, 9, 30))  # fixed in time: never overdue
        notice = hazard.notices.get()
        self.assertEqual(notice.deadline, dt.date(2026, 10, 13))
        self.assertEqual(actions.do_record_overdue_notices(when=at(2026, 10, 13, 23, 59)), 0)
        self.assertEqual(actions.do_record_overdue_notices(when=at(2026, 10, 14, 0, 5)), 1)
        self.assertEqual(actions.do_record_overdue_notices(when=at(2026, 10, 15, 0, 5)), 0)
        notice.refresh_from_db()
        self.assertEqual(notice.overdue_at, at(2026, 10, 14, 0, 5))
        self.assertEqual(hazard.events.filter(code="hazards.notice.overdue").count(), 1)
        self.assertFalse(reported.events.filter(code="hazards.notice.overdue").exists())
        # Reported late: taken, and the notice stays marked.
        late = actions.do_report_fix(
            hazard, actor=self.handler_b, measures=MEASURES, when=at(2026, 10, 20)
        )
        self.assertIsNotNone(late.overdue_at)
        self.assertTrue(hazard.events.get(code="hazards.notice.fix_reported").data["late"])

    def test_new_years_eve_in_a_year_the_calendar_does_not_know(self):
        from lianxin.workdays.models import DayOverride

        # 2027 is beyond the package: Monday to Friday, and the administrator's override
        # makes New Year's Day (a Friday) a holiday. One working day from Dec 31 is Jan 4.
        DayOverride.objects.create(date=dt.date(2027, 1, 1), is_working_day=False)
        hazard = self.noticed(when=at(2026, 12, 31))
        notice = hazard.notices.get()
        self.assertEqual(notice.deadline, dt.date(2027, 1, 8))  # 5 working days
        self.assertEqual(actions.do_record_overdue_notices(when=at(2027, 1, 8, 22)), 0)
        self.assertEqual(actions.do_record_overdue_notices(when=at(2027, 1, 9, 1)), 1)
