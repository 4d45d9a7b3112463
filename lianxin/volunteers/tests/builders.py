"""Teams, activities, report-ins and partners made through the real actions by the test
district's cast: 福临社区's staff keep its team, its people report in."""

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
from lianxin.programs.tests.builders import Wishes
from lianxin.test import LianxinTestCase, at, make_user
from lianxin.volunteers import actions
from lianxin.volunteers.models import Member, MemberKind, ReportIn, Team, VolunteerEvent


class Volunteers:
    """Mixin for whatever holds the cast (`lianxin.test.District`)."""

    def team(self, name="福临社区红马甲志愿服务队", unit=None, **fields) -> Team:
        return actions.do_save_team(
            actor=self.dispatcher, unit=unit or self.community, name=name, **fields
        ).row

    def member(self, team, name="张桂芬", phone="13900001111", **fields) -> Member:
        values = {"kind": MemberKind.RESIDENT, "name": name, "phone_number": phone}
        return actions.do_save_member(team, actor=self.dispatcher, **{**values, **fields}).row

    def report_in(self, name="刘建国", phone="13700002222", employer=None, **fields) -> ReportIn:
        values = {
            "name": name,
            "phone_number": phone,
            "employer": employer or self.dept_a,
            "community": self.community,
            "reported_on": dt.date(2026, 5, 4),
            "party_member": True,
        }
        return actions.do_save_report_in(actor=self.dispatcher, **{**values, **fields}).row

    def activity(self, team, participants, *, date=dt.date(2026, 6, 13), **fields):
        values = {"title": "楼道清理", "place": "福临苑3号楼", "date": date}
        return actions.do_record_activity(
            team,
            actor=self.dispatcher,
            participants=participants,
            **{**values, **fields},
        )


def png(name="activity.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


class VolunteersTestCase(Volunteers, Wishes, LianxinTestCase):
    """The test district with a second community's staff, at 2026-06-17 10:00, with its
    own media folder."""

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
        events = VolunteerEvent.objects.count()
        with self.assertRaises(WorkflowError) as raised:
            action(*args, **kwargs)
        self.assertEqual(raised.exception.code, code, raised.exception.message)
        self.assertEqual(VolunteerEvent.objects.count(), events, "a refusal writes nothing")
