"""Every project action with the right actor and the wrong one, each writing one event."""

import datetime as dt
import io
import shutil
import tempfile

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import override_settings
from PIL import Image

from lianxin.cases import actions as case_actions
from lianxin.cases.models import Case, CaseEvent, Status
from lianxin.errors import WorkflowError
from lianxin.projects import access, actions
from lianxin.projects.actions import MilestoneSpec
from lianxin.projects.models import (
    Lapse,
    Milestone,
    ProjectCase,
    ProjectEvent,
    ProjectState,
    Report,
    ReportPhoto,
)
from lianxin.projects.state import state_of
from lianxin.projects.tests.builders import Projects
from lianxin.test import LianxinTestCase, at

D = dt.date


def png(name="progress.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


class ProjectTestCase(Projects, LianxinTestCase):
    def setUp(self):
        self.enterContext(time_machine.travel(at(2025, 4, 16, 10), tick=False))
        media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, media)
        self.enterContext(override_settings(MEDIA_ROOT=media))

    def assertRefused(self, code, action, *args, **kwargs):
        events = ProjectEvent.objects.count()
        with self.assertRaises(WorkflowError) as raised:
            action(*args, **kwargs)
        self.assertEqual(raised.exception.code, code, raised.exception.message)
        self.assertEqual(ProjectEvent.objects.count(), events, "a refusal writes nothing")

    def last_event(self, project=None) -> ProjectEvent:
        events = ProjectEvent.objects.all()
        if project is not None:
            events = events.filter(project=project)
        return events.latest("pk")


class PlanTest(ProjectTestCase):
    def test_the_office_creates_a_plan(self):
        plan = self.plan(schedule="quarterly")
        self.assertEqual((plan.year, plan.schedule), (2025, "quarterly"))
        event = self.last_event()
        self.assertEqual(
            (event.code, event.actor, event.actor_unit),
            ("projects.plan.created", self.dispatcher, self.office),
        )

    def test_nobody_else_creates_a_plan(self):
        for user in (self.handler_a, self.leader, self.street_staff, self.resident):
            with self.subTest(user.username):
                self.assertRefused(
                    "forbidden", actions.do_create_plan, actor=user, title="计划", year=2025
                )

    def test_a_plan_title_is_taken_once(self):
        self.plan()
        self.assertRefused("title_taken", self.plan)

    def test_the_office_updates_a_plan(self):
        plan = self.plan()
        actions.do_update_plan(plan, actor=self.dispatcher, schedule="quarterly", published=False)
        plan.refresh_from_db()
        self.assertEqual((plan.schedule, plan.published), ("quarterly", False))
        self.assertRefused(
            "forbidden", actions.do_update_plan, plan, actor=self.handler_a, schedule="monthly"
        )


class SaveProjectTest(ProjectTestCase):
    def test_the_office_adds_a_project_with_milestones(self):
        project = self.project()
        self.assertEqual(project.number, 1)
        self.assertEqual(list(project.co_units.all()), [self.dept_b])
        self.assertEqual(project.milestones.count(), 2)
        self.assertEqual(project.target_display, "改造路灯；120个")
        self.assertEqual(self.last_event(project).code, "projects.project.added")

    def test_the_lead_unit_and_a_leader_do_not_add_projects(self):
        plan = self.plan()
        for user in (self.handler_a, self.leader):
            with self.subTest(user.username):
                self.assertRefused(
                    "forbidden", actions.do_save_project, plan, self.spec(), actor=user
                )

    def test_refusals(self):
        plan = self.plan()
        refusals = {
            "name_required": {"name": " "},
            "lead_unit_required": {"lead_unit": self.office},
            "dates_invalid": {"finish_date": D(2024, 12, 1)},
            "leader_invalid": {"leader": self.handler_b},
            "target_quantity_invalid": {"target_quantity": "一百二十"},
            "milestone_required": {"milestones": [MilestoneSpec(D(2025, 3, 1), "")]},
        }
        for code, fields in refusals.items():
            with self.subTest(code):
                self.assertRefused(
                    code, actions.do_save_project, plan, self.spec(**fields), actor=self.dispatcher
                )
        self.project(plan)
        self.assertRefused(
            "name_taken", actions.do_save_project, plan, self.spec(), actor=self.dispatcher
        )

    def test_saving_the_same_project_changes_nothing(self):
        project = self.project()
        events = ProjectEvent.objects.count()
        same, changed = actions.do_save_project(
            project.plan, self.spec(), actor=self.dispatcher, project=project
        )
        self.assertFalse(changed)
        self.assertEqual(ProjectEvent.objects.count(), events)

    def test_an_edit_keeps_a_done_milestone(self):
        project = self.project()
        done = project.milestones.get(text="完成方案")
        actions.do_complete_milestone(done, actor=self.handler_a)
        spec = self.spec(
            milestones=[MilestoneSpec(D(2025, 9, 30), "竣工验收", self.dept_a)], co_units=[]
        )
        project, changed = actions.do_save_project(
            project.plan, spec, actor=self.dispatcher, project=project
        )
        self.assertTrue(changed)
        self.assertEqual(
            sorted(project.milestones.values_list("text", flat=True)), ["完成方案", "竣工验收"]
        )
        self.assertEqual(project.co_units.count(), 0)
        self.assertEqual(self.last_event(project).data["fields"], ["co_units", "milestones"])

    def test_a_closed_project_is_not_edited(self):
        project = self.project()
        actions.do_close_project(project, actor=self.dispatcher, note="全部完成")
        self.assertRefused(
            "closed",
            actions.do_save_project,
            project.plan,
            self.spec(name="改名"),
            actor=self.dispatcher,
            project=project,
        )


class ReportTest(ProjectTestCase):
    def test_the_lead_unit_reports_with_a_photo(self):
        project = self.project()
        report = actions.do_report_progress(
            project,
            actor=self.handler_a,
            percent=35,
            text_="已完成方案设计，正在招标。",
            quantity_done="40",
            photos=[png()],
        )
        self.assertEqual((report.period, report.unit, report.percent), ("2025-04", self.dept_a, 35))
        self.assertEqual(ReportPhoto.objects.filter(report=report).count(), 1)
        photo = ReportPhoto.objects.get(report=report)
        # Re-encoded like every photo, under a name of its own (cases/photos.py).
        self.assertNotIn("progress", photo.image.name)
        self.assertRegex(photo.image.name, r"[0-9a-f]{32}\.png$")
        event = self.last_event(project)
        self.assertEqual((event.code, event.data["percent"]), ("projects.project.reported", 35))

    def test_a_co_unit_reports_for_itself(self):
        report = actions.do_report_progress(
            self.project(), actor=self.handler_b, percent=10, text_="已配合完成现场勘察。"
        )
        self.assertEqual(report.unit, self.dept_b)

    def test_others_do_not_report(self):
        project = self.project()
        for user in (
            self.handler_c,
            self.leader,
            self.dispatcher,
            self.street_staff,
            self.resident,
        ):
            with self.subTest(user.username):
                self.assertRefused(
                    "forbidden",
                    actions.do_report_progress,
                    project,
                    actor=user,
                    percent=1,
                    text_="进展",
                )

    def test_refusals(self):
        project = self.project()
        self.assertRefused(
            "percent_invalid",
            actions.do_report_progress,
            project,
            actor=self.handler_a,
            percent=101,
            text_="进展",
        )
        self.assertRefused(
            "text_required",
            actions.do_report_progress,
            project,
            actor=self.handler_a,
            percent=5,
            text_=" ",
        )
        self.assertRefused(
            "invalid_photo",
            actions.do_report_progress,
            project,
            actor=self.handler_a,
            percent=5,
            text_="进展",
            photos=[SimpleUploadedFile("a.png", b"not a picture", content_type="image/png")],
        )
        self.assertRefused(
            "too_many_photos",
            actions.do_report_progress,
            project,
            actor=self.handler_a,
            percent=5,
            text_="进展",
            photos=[png() for _ in range(4)],
        )
        self.assertEqual(Report.objects.count(), 0)

    def test_a_report_finishes_milestones_and_clears_their_lapses(self):
        with time_machine.travel(at(2025, 1, 2), tick=False):
            project = self.project()
        milestone = project.milestones.get(text="完成方案")
        lapses = actions.do_record_overdue_projects()
        self.assertTrue(Lapse.objects.filter(milestone=milestone, cleared_at__isnull=True).exists())
        self.assertTrue(lapses)
        actions.do_report_progress(
            project,
            actor=self.handler_a,
            percent=30,
            text_="方案已批复。",
            milestones_done=[milestone.pk],
        )
        milestone.refresh_from_db()
        self.assertIsNotNone(milestone.done_at)
        self.assertFalse(
            Lapse.objects.filter(milestone=milestone, cleared_at__isnull=True).exists()
        )
        # March's report is missing still; the April report does not answer it.
        self.assertTrue(
            Lapse.objects.filter(kind="report", key="2025-03", cleared_at__isnull=True).exists()
        )

    def test_a_late_report_in_the_grace_days_clears_the_earlier_periods_lapse(self):
        with time_machine.travel(at(2025, 1, 2), tick=False):
            project = self.project()
        with time_machine.travel(at(2025, 6, 4, 9), tick=False):
            actions.do_record_overdue_projects()
            self.assertTrue(Lapse.objects.filter(key="2025-05", cleared_at__isnull=True).exists())
        # 5月31日 fell in 端午: May's report was due 6月3日; a report on 6月3日 is May's.
        with time_machine.travel(at(2025, 6, 3, 16), tick=False):
            report = actions.do_report_progress(
                project, actor=self.handler_a, percent=50, text_="主体施工中。"
            )
        self.assertEqual(report.period, "2025-05")


class MilestoneTest(ProjectTestCase):
    def test_the_owner_unit_the_lead_and_the_office_complete_a_milestone(self):
        project = self.project()
        street_owned = project.milestones.get(owner_unit=self.street)
        actions.do_complete_milestone(street_owned, actor=self.street_staff)
        lead_owned = project.milestones.get(owner_unit=self.dept_a)
        actions.do_complete_milestone(lead_owned, actor=self.dispatcher)
        self.assertEqual(Milestone.objects.filter(done_at__isnull=False).count(), 2)
        self.assertEqual(self.last_event(project).code, "projects.milestone.done")
        self.assertRefused(
            "milestone_done", actions.do_complete_milestone, lead_owned, actor=self.handler_a
        )

    def test_a_co_unit_or_a_stranger_does_not(self):
        milestone = self.project().milestones.first()
        for user in (self.handler_b, self.handler_c, self.leader, self.community_staff):
            with self.subTest(user.username):
                self.assertRefused(
                    "forbidden", actions.do_complete_milestone, milestone, actor=user
                )


class StateTest(ProjectTestCase):
    def test_the_state_follows_the_milestones_and_reports(self):
        with time_machine.travel(at(2025, 2, 10), tick=False):
            project = self.project()
            self.assertEqual(state_of(project, D(2025, 2, 10)), ProjectState.NOT_STARTED)
            actions.do_report_progress(project, actor=self.handler_a, percent=5, text_="启动。")
            self.assertEqual(state_of(project, D(2025, 2, 10)), ProjectState.IN_PROGRESS)
        self.assertEqual(state_of(project, D(2025, 4, 16)), ProjectState.LATE)
        for milestone in project.milestones.all():
            actions.do_complete_milestone(milestone, actor=self.dispatcher)
        actions.do_report_progress(project, actor=self.handler_a, percent=100, text_="全部完成。")
        self.assertEqual(state_of(project, D(2025, 4, 16)), ProjectState.DONE)


class AccessTest(ProjectTestCase):
    def test_who_sees_the_project(self):
        project = self.project()
        for user in (
            self.dispatcher,
            self.leader,
            self.admin,
            self.handler_a,
            self.head_a,
            self.handler_b,
            self.street_staff,
        ):
            with self.subTest(user.username):
                self.assertEqual(access.access_project_by_id(user, project.pk), project)
                self.assertEqual(access.access_plan_by_id(user, project.plan_id), project.plan)
        for user in (
            self.handler_c,
            self.community_staff,
            self.other_grid_worker,
            self.resident,
            None,
        ):
            with self.subTest(getattr(user, "username", "anonymous")):
                with self.assertRaises(Http404):
                    access.access_project_by_id(user, project.pk)
                with self.assertRaises(Http404):
                    access.access_plan_by_id(user, project.plan_id)

    def test_a_community_led_project_is_its_streets(self):
        project = self.project(
            name="社区活动室改造", lead_unit=self.community, co_units=[], milestones=[]
        )
        self.assertEqual(project.street, self.street)
        self.assertEqual(access.access_project_by_id(self.community_staff, project.pk), project)
        self.assertEqual(list(access.public_projects(self.street)), [project])
        self.assertEqual(list(access.public_projects(self.other_street)), [])


class CloseTest(ProjectTestCase):
    REPLY = "您反映的路灯问题已纳入为民办实事项目，灯具已全部更换完毕。"

    def promoted(self, case):
        project = self.project()
        actions.do_link_case(project, case, actor=self.dispatcher)
        return project

    def test_linking_a_waiting_case_dispatches_it_to_the_lead_unit(self):
        case = self.register()
        project = self.promoted(case)
        case.refresh_from_db()
        self.assertEqual((case.status, case.lead_unit), (Status.DISPATCHED, self.dept_a))
        self.assertEqual(self.last_event(project).code, "projects.case.linked")
        self.assertRefused(
            "case_linked", actions.do_link_case, project, case, actor=self.dispatcher
        )

    def test_only_the_office_links(self):
        project = self.project()
        case = self.register()
        self.assertRefused("forbidden", actions.do_link_case, project, case, actor=self.handler_a)
        closed = self.case_in(Status.CLOSED)
        self.assertRefused(
            "case_final", actions.do_link_case, project, closed, actor=self.dispatcher
        )

    def test_promote_a_case(self):
        case = self.register()
        plan = self.plan()
        project = actions.do_promote_case(
            case, plan, self.spec(name="福临苑路灯整治"), actor=self.dispatcher
        )
        self.assertEqual(project.origin, f"诉求 {case.tracking_number}")
        self.assertTrue(ProjectCase.objects.filter(project=project, case=case).exists())
        with self.assertRaises(WorkflowError):
            actions.do_promote_case(
                self.register(), plan, self.spec(name="另一个"), actor=self.handler_a
            )

    def test_closing_answers_and_resolves_the_cases_through_the_workflow(self):
        case = self.register()
        project = self.promoted(case)
        case_actions.do_accept_part(case.parts.get(unit=self.dept_a), actor=self.handler_a)
        elsewhere = self.register(title="青峰路路灯不亮")
        case_actions.do_dispatch_case(elsewhere, actor=self.dispatcher, unit=self.dept_c)
        case_actions.do_accept_part(elsewhere.parts.get(), actor=self.handler_c)
        actions.do_link_case(project, elsewhere, actor=self.dispatcher)
        closing = actions.do_close_project(
            project,
            actor=self.handler_a,
            note="全部灯具更换完毕。",
            close_cases=True,
            reply=self.REPLY,
        )
        case.refresh_from_db()
        self.assertEqual(case.status, Status.RESOLVED)
        self.assertEqual(case.reply_text, self.REPLY)
        codes = list(CaseEvent.objects.filter(case=case).values_list("code", flat=True))
        self.assertIn("cases.case.replied", codes)
        self.assertIn("cases.case.resolved", codes)
        self.assertEqual([c.pk for c in closing.resolved], [case.pk])
        self.assertEqual([c.pk for c, _reason in closing.left], [elsewhere.pk])
        self.assertEqual(Case.objects.get(pk=elsewhere.pk).status, Status.IN_PROGRESS)
        event = self.last_event(project)
        self.assertEqual(
            (event.code, event.data["resolved"]), ("projects.project.closed", [case.pk])
        )
        project.refresh_from_db()
        self.assertEqual(state_of(project, D(2025, 4, 16)), ProjectState.DONE)

    def test_the_office_closes_but_cannot_resolve_a_units_case(self):
        case = self.register()
        project = self.promoted(case)
        case_actions.do_accept_part(case.parts.get(unit=self.dept_a), actor=self.handler_a)
        closing = actions.do_close_project(
            project, actor=self.dispatcher, note="完成。", close_cases=True, reply=self.REPLY
        )
        self.assertEqual(closing.resolved, [])
        self.assertEqual(Case.objects.get(pk=case.pk).status, Status.IN_PROGRESS)

    def test_wrong_actors_and_refusals(self):
        project = self.project()
        for user in (self.handler_b, self.leader, self.street_staff):
            with self.subTest(user.username):
                self.assertRefused(
                    "forbidden", actions.do_close_project, project, actor=user, note="完成"
                )
        self.assertRefused(
            "note_required", actions.do_close_project, project, actor=self.handler_a, note=""
        )
        self.assertRefused(
            "reply_too_short",
            actions.do_close_project,
            project,
            actor=self.handler_a,
            note="完成",
            close_cases=True,
            reply="已办",
        )
        actions.do_close_project(project, actor=self.handler_a, note="完成")
        self.assertRefused(
            "closed", actions.do_close_project, project, actor=self.handler_a, note="完成"
        )
        self.assertRefused(
            "closed",
            actions.do_report_progress,
            project,
            actor=self.handler_a,
            percent=100,
            text_="完成",
        )
