"""The overdue scan on awkward days, once per lapse, with a reminder to the lead unit.

The days (State Council notices): 2025's Spring Festival holiday ran 1月28日–2月4日, so
January's report is due 2月5日; 5月31日 (a Saturday) began 端午, so a milestone "5月底前"
is due 6月3日; 2023's New Year holiday ran to 1月2日, so December 2022's report is due
1月3日; 2025年8月31日 is a Sunday, so August's report is due 9月1日.
"""

import datetime as dt

import time_machine

from lianxin.notify.lapses import queue_reminders
from lianxin.notify.models import Message
from lianxin.projects import actions
from lianxin.projects.actions import MilestoneSpec
from lianxin.projects.models import Lapse, Milestone, ProjectEvent
from lianxin.projects.tasks import record_overdue_projects
from lianxin.projects.tests.builders import Projects
from lianxin.test import LianxinTestCase, at

D = dt.date


class OverdueScanTest(Projects, LianxinTestCase):
    def scan(self, *moment):
        with time_machine.travel(at(*moment), tick=False):
            return actions.do_record_overdue_projects()

    def lapses(self, kind):
        return list(Lapse.objects.filter(kind=kind).values_list("key", "due_date"))

    def made(self, **fields):
        with time_machine.travel(at(2025, 1, 2), tick=False):
            return self.project(**fields)

    def test_a_milestone_due_in_the_dragon_boat_holiday(self):
        project = self.made(milestones=[MilestoneSpec(D(2025, 5, 31), "完成招标", self.dept_a)])
        milestone = project.milestones.get()
        self.scan(2025, 6, 3, 23, 50)
        self.assertEqual(self.lapses("milestone"), [])
        new = self.scan(2025, 6, 4, 0, 5)
        self.assertEqual(self.lapses("milestone"), [(str(milestone.pk), D(2025, 6, 3))])
        # With it, May's report: due the same 6月3日.
        self.assertEqual(
            sorted(Lapse.objects.filter(pk__in=new).values_list("kind", "key")),
            [("milestone", str(milestone.pk)), ("report", "2025-05")],
        )
        events = ProjectEvent.objects.filter(code="projects.milestone.overdue")
        self.assertEqual([(e.project_id, e.note) for e in events], [(project.pk, "完成招标")])
        self.assertEqual(self.scan(2025, 6, 4, 0, 10), [], "recorded once")
        self.assertEqual(events.count(), 1)

    def test_januarys_report_is_due_after_the_spring_festival(self):
        self.made(milestones=[])
        self.scan(2025, 2, 5, 20)
        self.assertEqual(self.lapses("report"), [])
        self.scan(2025, 2, 6, 8)
        self.assertEqual(self.lapses("report"), [("2025-01", D(2025, 2, 5))])

    def test_a_month_ending_on_a_sunday(self):
        project = self.made(milestones=[])
        for month in range(1, 8):
            # Every month before August has its report, sent on the 20th.
            with time_machine.travel(at(2025, month, 20), tick=False):
                actions.do_report_progress(
                    project, actor=self.handler_a, percent=month * 10, text_="推进中。"
                )
        self.scan(2025, 9, 1, 18)
        self.assertEqual(self.lapses("report"), [])
        self.scan(2025, 9, 2, 9)
        self.assertEqual(self.lapses("report"), [("2025-08", D(2025, 9, 1))])

    def test_decembers_report_over_the_new_year_holiday(self):
        with time_machine.travel(at(2022, 12, 1), tick=False):
            plan = self.plan(title="2022年为民办实事项目", year=2022, schedule="quarterly")
            self.project(
                plan, start_date=D(2022, 10, 1), finish_date=D(2022, 12, 31), milestones=[]
            )
        self.scan(2023, 1, 3, 22)
        self.assertEqual(self.lapses("report"), [])
        self.scan(2023, 1, 4, 9)
        self.assertEqual(self.lapses("report"), [("2022-Q4", D(2023, 1, 3))])

    def test_a_done_or_closed_project_owes_nothing(self):
        project = self.made(milestones=[])
        with time_machine.travel(at(2025, 1, 20), tick=False):
            actions.do_report_progress(
                project, actor=self.handler_a, percent=100, text_="提前完成。"
            )
        closed = self.made(name="已办结项目", milestones=[MilestoneSpec(D(2025, 2, 28), "完工")])
        with time_machine.travel(at(2025, 2, 1), tick=False):
            actions.do_close_project(closed, actor=self.dispatcher, note="提前办结。")
        self.assertEqual(self.scan(2025, 6, 1), [])

    def test_a_late_milestone_done_clears_its_lapse_and_the_light(self):
        project = self.made(milestones=[MilestoneSpec(D(2025, 3, 31), "完成方案", self.dept_a)])
        self.scan(2025, 4, 2)
        lapse = Lapse.objects.get(kind="milestone")
        with time_machine.travel(at(2025, 4, 3), tick=False):
            actions.do_complete_milestone(project.milestones.get(), actor=self.handler_a)
        lapse.refresh_from_db()
        self.assertEqual(lapse.cleared_at, at(2025, 4, 3))
        self.scan(2025, 4, 4)
        self.assertEqual(Lapse.objects.filter(kind="milestone").count(), 1, "never recorded twice")


class ReminderTest(Projects, LianxinTestCase):
    def setUp(self):
        for user, phone in (
            (self.handler_a, "13900000001"),
            (self.head_a, "13900000002"),
            (self.handler_b, "13900000003"),
        ):
            user.phone = phone
            user.save(update_fields=["phone"])

    def test_the_lead_unit_hears_of_a_new_lapse_once(self):
        with time_machine.travel(at(2025, 1, 2), tick=False):
            project = self.project(
                milestones=[MilestoneSpec(D(2025, 3, 31), "完成方案", self.dept_a)]
            )
            project.reports.create(
                unit=self.dept_a,
                period="2025-01",
                percent=5,
                text="启动。",
                reported_at=at(2025, 1, 2),
            )
            project.reports.create(
                unit=self.dept_a,
                period="2025-02",
                percent=5,
                text="启动。",
                reported_at=at(2025, 1, 2),
            )
        with (
            time_machine.travel(at(2025, 3, 31, 23, 55), tick=False),
            self.captureOnCommitCallbacks(execute=True),
        ):
            self.assertEqual(record_overdue_projects.call_local(), 0)
        with (
            time_machine.travel(at(2025, 4, 1, 0, 5), tick=False),
            self.captureOnCommitCallbacks(execute=True),
        ):
            self.assertEqual(record_overdue_projects.call_local(), 2)
        with (
            time_machine.travel(at(2025, 4, 1, 0, 10), tick=False),
            self.captureOnCommitCallbacks(execute=True),
        ):
            self.assertEqual(record_overdue_projects.call_local(), 0)
        messages = Message.objects.filter(kind="staff.project_overdue").order_by("phone")
        self.assertEqual(
            [m.phone for m in messages],
            ["13900000001", "13900000001", "13900000002", "13900000002"],
        )
        texts = {m.text for m in messages}
        self.assertIn(
            "【连心】区城市管理局牵头的办实事项目“老旧小区路灯改造”：时间节点“完成方案”未按期完成（期限3月31日），请尽快推进并报送进度。",
            texts,
        )
        self.assertIn(
            "【连心】区城市管理局牵头的办实事项目“老旧小区路灯改造”：2025-03进度未按期报送（期限3月31日），请尽快推进并报送进度。",
            texts,
        )
        self.assertEqual(queue_reminders(list(Lapse.objects.values_list("pk", flat=True))), [])

    def test_lapses_found_long_after_their_day_text_nobody_but_the_fresh_one(self):
        with time_machine.travel(at(2025, 1, 2), tick=False):
            self.project()
        with time_machine.travel(at(2025, 9, 2), tick=False):
            lapses = actions.do_record_overdue_projects()
        self.assertEqual(len(lapses), 8 + 2)  # January to August, and both milestones
        # Only August's report, due 9月1日, is news; the rest is history.
        queue_reminders(lapses)
        texts = set(Message.objects.values_list("text", flat=True))
        self.assertEqual(len(texts), 1)
        self.assertIn("2025-08进度未按期报送（期限9月1日）", texts.pop())


class MidYearImportTest(Projects, LianxinTestCase):
    def test_a_plan_entered_in_june_owes_no_reports_for_the_months_before(self):
        with time_machine.travel(at(2025, 6, 16), tick=False):
            self.project()
        with time_machine.travel(at(2025, 7, 2), tick=False):
            actions.do_record_overdue_projects()
        self.assertEqual(
            sorted(Lapse.objects.values_list("kind", "key")),
            sorted(
                [("milestone", str(pk)) for pk in Milestone.objects.values_list("pk", flat=True)]
                + [("report", "2025-06")]
            ),
        )
