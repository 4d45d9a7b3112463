"""The staff pages through their URLs: who sees what, each mutating view's happy path,
wrong method and wrong actor, the export, and the residents' 向您报告 pages."""

import datetime as dt
import io
import shutil
import tempfile

import time_machine
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from lianxin.cases.models import Status
from lianxin.projects import actions
from lianxin.projects.models import Plan, Project, ProjectCase, Report
from lianxin.projects.tests.builders import Projects
from lianxin.test import LianxinTestCase, at

D = dt.date


class PageTestCase(Projects, LianxinTestCase):
    def setUp(self):
        self.enterContext(time_machine.travel(at(2025, 4, 16, 10), tick=False))
        media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, media)
        self.enterContext(override_settings(MEDIA_ROOT=media))
        with time_machine.travel(at(2025, 1, 2), tick=False):
            self.lights = self.project()
            self.park = self.project(
                name="口袋公园建设",
                category="生态环境",
                lead_unit=self.dept_c,
                co_units=[],
                milestones=[],
            )
        self.plan_ = self.lights.plan

    def get(self, user, name, *args, **kwargs):
        if user is not None:
            self.client.force_login(user)
        return self.client.get(reverse(name, args=args), **kwargs)

    def post(self, user, name, *args, data=None):
        self.client.force_login(user)
        return self.client.post(reverse(name, args=args), data or {})


class PlanPagesTest(PageTestCase):
    def test_the_plan_list(self):
        page = self.get(self.dispatcher, "projects:plans")
        self.assertContains(page, "2025年为民办实事项目")
        self.assertContains(page, "新建计划")
        page = self.get(self.handler_a, "projects:plans")
        self.assertContains(page, "2025年为民办实事项目")
        self.assertNotContains(page, "新建计划")
        self.assertNotContains(
            self.get(self.community_staff, "projects:plans"), "2025年为民办实事项目"
        )
        self.assertEqual(self.get(self.resident, "projects:plans").status_code, 404)

    def test_the_office_creates_a_plan(self):
        page = self.post(
            self.dispatcher,
            "projects:plans",
            data={
                "title": "2026年为民办实事项目",
                "year": 2026,
                "schedule": "quarterly",
                "published": "on",
            },
        )
        plan = Plan.objects.get(title="2026年为民办实事项目")
        self.assertRedirects(page, reverse("projects:plan", args=[plan.pk]))
        self.assertEqual(
            self.post(
                self.handler_a,
                "projects:plans",
                data={"title": "x", "year": 2026, "schedule": "monthly"},
            ).status_code,
            404,
        )
        self.assertEqual(
            self.post(
                self.dispatcher, "projects:plans", data={"title": "", "year": 2026}
            ).status_code,
            400,
        )

    def test_the_ledger_by_class_with_state_and_light(self):
        actions.do_record_overdue_projects()
        page = self.get(self.leader, "projects:plan", self.plan_.pk)
        self.assertContains(page, "城市建设")
        self.assertContains(page, "生态环境")
        self.assertContains(page, "老旧小区路灯改造")
        self.assertContains(page, 'class="status p-late"')
        self.assertContains(page, 'class="overdue-light"')
        late = self.get(self.leader, "projects:plan", self.plan_.pk, data={"state": "late"})
        self.assertContains(late, "老旧小区路灯改造")
        # A unit sees its own projects only.
        page = self.get(self.handler_c, "projects:plan", self.plan_.pk)
        self.assertContains(page, "口袋公园建设")
        self.assertNotContains(page, "老旧小区路灯改造")
        self.assertEqual(
            self.get(self.community_staff, "projects:plan", self.plan_.pk).status_code, 404
        )
        self.assertEqual(
            self.get(self.leader, "projects:plan", self.plan_.pk, data={"state": "x"}).status_code,
            404,
        )

    def test_the_ledger_costs_the_same_queries_for_more_projects(self):
        self.client.force_login(self.leader)
        url = reverse("projects:plan", args=[self.plan_.pk])
        self.client.get(url)
        with self.assertNumQueries(9) as few:
            self.client.get(url)
        for n in range(5):
            self.project(name=f"项目{n}")
        with self.assertNumQueries(len(few.captured_queries)):
            self.client.get(url)

    def test_the_export_in_the_offices_layout(self):
        actions.do_report_progress(
            self.lights, actor=self.handler_a, percent=40, text_="=已完成方案设计。"
        )
        page = self.get(self.dispatcher, "projects:export", self.plan_.pk)
        self.assertEqual(page.status_code, 200)
        self.assertIn("attachment", page["Content-Disposition"])
        sheet = load_workbook(io.BytesIO(page.content)).active
        self.assertEqual(sheet["A1"].value, "2025年为民办实事项目台账")
        self.assertEqual(
            [cell.value for cell in sheet[3]],
            [
                "序号",
                "类别",
                "项目名称",
                "牵头单位",
                "配合单位",
                "责任领导",
                "时间节点",
                "完成标准/目标",
                "进展情况",
                "状态",
            ],
        )
        row = [cell.value for cell in sheet[4]]
        self.assertEqual(
            row[:6],
            [1, "城市建设", "老旧小区路灯改造", "区城市管理局", "区住房和城乡建设局", "李副区长"],
        )
        self.assertEqual(row[6], "2025-03-31 完成方案\n2025-06-30 开工")
        self.assertEqual(row[7], "改造路灯；120个")
        self.assertTrue(row[8].startswith("2025-04-16报送：完成40%。=已完成方案设计。"))
        self.assertEqual(row[9], "滞后")
        self.assertEqual(
            self.get(self.community_staff, "projects:export", self.plan_.pk).status_code, 404
        )


class ProjectPageTest(PageTestCase):
    def test_the_project_page_for_each_reader(self):
        for user in (
            self.dispatcher,
            self.leader,
            self.handler_a,
            self.handler_b,
            self.street_staff,
        ):
            with self.subTest(user.username):
                page = self.get(user, "projects:project", self.lights.pk)
                self.assertContains(page, "老旧小区路灯改造")
        self.assertContains(
            self.get(self.handler_a, "projects:project", self.lights.pk), "报送进度"
        )
        self.assertNotContains(
            self.get(self.leader, "projects:project", self.lights.pk),
            f'action="/projects/{self.lights.pk}/report/"',
        )
        for user in (self.handler_c, self.community_staff, self.resident):
            with self.subTest(user.username):
                self.assertEqual(
                    self.get(user, "projects:project", self.lights.pk).status_code, 404
                )

    def test_report_through_the_page(self):
        milestone = self.lights.milestones.get(text="完成方案")
        page = self.post(
            self.handler_a,
            "projects:action",
            self.lights.pk,
            "report",
            data={"percent": 30, "text": "方案已批复。", "milestones_done": [milestone.pk]},
        )
        self.assertRedirects(page, reverse("projects:project", args=[self.lights.pk]))
        self.assertEqual(Report.objects.get().percent, 30)
        milestone.refresh_from_db()
        self.assertIsNotNone(milestone.done_at)
        refused = self.post(
            self.leader,
            "projects:action",
            self.lights.pk,
            "report",
            data={"percent": 30, "text": "x"},
        )
        self.assertContains(refused, "您无权对该项目执行“报送进度”。", status_code=400)
        bad = self.post(
            self.handler_a,
            "projects:action",
            self.lights.pk,
            "report",
            data={"percent": 130, "text": "x"},
        )
        self.assertEqual(bad.status_code, 400)
        self.client.force_login(self.handler_a)
        self.assertEqual(
            self.client.get(
                reverse("projects:action", args=[self.lights.pk, "report"])
            ).status_code,
            405,
        )
        self.assertEqual(
            self.post(
                self.handler_c,
                "projects:action",
                self.lights.pk,
                "report",
                data={"percent": 1, "text": "x"},
            ).status_code,
            404,
        )
        self.assertEqual(
            self.post(self.handler_a, "projects:action", self.lights.pk, "nothing").status_code, 404
        )

    def test_a_milestone_through_the_page(self):
        milestone = self.lights.milestones.get(owner_unit=self.street)
        page = self.post(
            self.street_staff,
            "projects:action",
            self.lights.pk,
            "milestone",
            data={"milestone": milestone.pk},
        )
        self.assertRedirects(page, reverse("projects:project", args=[self.lights.pk]))
        milestone.refresh_from_db()
        self.assertIsNotNone(milestone.done_at)
        other = self.lights.milestones.get(owner_unit=self.dept_a)
        self.post(
            self.handler_b,
            "projects:action",
            self.lights.pk,
            "milestone",
            data={"milestone": other.pk},
        )
        other.refresh_from_db()
        self.assertIsNone(other.done_at)

    def test_link_and_close_through_the_page(self):
        case = self.register()
        page = self.post(
            self.dispatcher,
            "projects:action",
            self.lights.pk,
            "link_case",
            data={"tracking_number": case.tracking_number},
        )
        self.assertRedirects(page, reverse("projects:project", args=[self.lights.pk]))
        self.assertTrue(ProjectCase.objects.filter(case=case).exists())
        missing = self.post(
            self.dispatcher,
            "projects:action",
            self.lights.pk,
            "link_case",
            data={"tracking_number": "NO-1"},
        )
        self.assertContains(missing, "未找到受理编号为NO-1的诉求。", status_code=400)
        from lianxin.cases import actions as case_actions

        case_actions.do_accept_part(case.parts.get(), actor=self.handler_a)
        reply = "路灯已全部更换，感谢您的反映，欢迎继续监督。"
        page = self.post(
            self.handler_a,
            "projects:action",
            self.lights.pk,
            "close",
            data={"note": "全部完工。", "close_cases": "on", "reply": reply},
        )
        self.assertRedirects(
            page, reverse("projects:project", args=[self.lights.pk]), fetch_redirect_response=False
        )
        case.refresh_from_db()
        self.assertEqual(case.status, Status.RESOLVED)
        self.assertIsNotNone(Project.objects.get(pk=self.lights.pk).closed_at)

    def test_the_office_adds_and_edits_a_project(self):
        data = {
            "name": "背街小巷硬化",
            "category": "城市建设",
            "lead_unit": self.dept_b.pk,
            "co_units": [self.street.pk],
            "start_date": "2025-01-01",
            "finish_date": "2025-12-31",
            "target_text": "硬化背街小巷",
            "target_quantity": "15",
            "target_unit": "条",
            "schedule_text": "一季度完成设计；10月15日前完工",
        }
        page = self.post(self.dispatcher, "projects:add", self.plan_.pk, data=data)
        project = Project.objects.get(name="背街小巷硬化")
        self.assertRedirects(page, reverse("projects:project", args=[project.pk]))
        self.assertEqual(
            list(project.milestones.values_list("due_date", "text")),
            [(D(2025, 3, 31), "完成设计"), (D(2025, 10, 15), "完工")],
        )
        bad = self.post(
            self.dispatcher,
            "projects:add",
            self.plan_.pk,
            data={**data, "name": "另一条", "schedule_text": "2月30日前完工"},
        )
        self.assertContains(bad, "时间节点中的日期不存在：2月30日前。", status_code=400)
        page = self.post(
            self.dispatcher,
            "projects:edit",
            self.plan_.pk,
            project.pk,
            data={**data, "target_quantity": "16"},
        )
        project.refresh_from_db()
        self.assertEqual(project.target_quantity, 16)
        self.assertEqual(
            self.get(self.dispatcher, "projects:edit", self.plan_.pk, project.pk).status_code, 200
        )
        self.assertEqual(
            self.post(self.handler_b, "projects:add", self.plan_.pk, data=data).status_code, 404
        )
        self.assertEqual(
            self.get(self.leader, "projects:edit", self.plan_.pk, project.pk).status_code, 404
        )


class PromotePageTest(PageTestCase):
    def test_the_office_promotes_a_case(self):
        case = self.register()
        page = self.get(self.dispatcher, "projects:promote", "case", case.pk)
        self.assertContains(page, case.title)
        data = {
            "plan_choice": self.plan_.pk,
            "name": "福临苑路灯整治",
            "category": "城市建设",
            "lead_unit": self.dept_a.pk,
            "start_date": "2025-04-16",
            "finish_date": "2025-09-30",
            "schedule_text": "6月底前完工",
        }
        page = self.post(self.dispatcher, "projects:promote", "case", case.pk, data=data)
        project = Project.objects.get(name="福临苑路灯整治")
        self.assertRedirects(page, reverse("projects:project", args=[project.pk]))
        self.assertTrue(ProjectCase.objects.filter(project=project, case=case).exists())
        self.assertEqual(
            self.get(self.handler_a, "projects:promote", "case", case.pk).status_code, 404
        )
        self.assertEqual(
            self.get(self.dispatcher, "projects:promote", "nothing", case.pk).status_code, 404
        )

    def test_the_office_promotes_a_topic_and_its_open_cases(self):
        from lianxin.intel.models import Topic, TopicCase

        cases = [self.register(), self.register(title="福临苑2号楼路灯不亮")]
        topic = Topic.objects.create(title="福临苑路灯不亮", place="福临苑小区", case_count=2)
        for case in cases:
            TopicCase.objects.create(topic=topic, case=case)
        page = self.get(self.dispatcher, "intel:topic", topic.pk)
        self.assertContains(page, reverse("projects:promote", args=["topic", topic.pk]))
        data = {
            "plan_choice": self.plan_.pk,
            "name": "福临苑路灯集中整治",
            "category": "城市建设",
            "lead_unit": self.dept_a.pk,
            "start_date": "2025-04-16",
            "finish_date": "2025-09-30",
        }
        self.post(self.dispatcher, "projects:promote", "topic", topic.pk, data=data)
        project = Project.objects.get(name="福临苑路灯集中整治")
        self.assertEqual(project.origin, "专题：福临苑路灯不亮")
        self.assertEqual(
            sorted(project.case_links.values_list("case", flat=True)), sorted(c.pk for c in cases)
        )
        for case in cases:
            case.refresh_from_db()
            self.assertEqual((case.status, case.lead_unit), (Status.DISPATCHED, self.dept_a))

    def test_the_case_page_offers_promotion_to_the_office_only(self):
        case = self.register()
        link = reverse("projects:promote", args=["case", case.pk])
        self.assertContains(self.get(self.dispatcher, "workbench:case", case.pk), link)
        self.assertNotContains(self.get(self.grid_worker, "workbench:case", case.pk), link)

    def test_the_office_promotes_a_wish(self):
        from lianxin.programs.tests.builders import Wishes

        wish = Wishes.posted(self)
        data = {
            "plan_choice": self.plan_.pk,
            "name": "福临社区无障碍坡道",
            "category": "民生保障",
            "lead_unit": self.community.pk,
            "start_date": "2025-04-16",
            "finish_date": "2025-09-30",
        }
        self.post(self.dispatcher, "projects:promote", "wish", wish.pk, data=data)
        project = Project.objects.get(name="福临社区无障碍坡道")
        self.assertEqual(project.origin, f"微心愿 #{wish.pk}")


class PublicPageTest(PageTestCase):
    def test_the_district_and_street_pages_need_no_login(self):
        actions.do_report_progress(
            self.lights,
            actor=self.handler_a,
            percent=45,
            quantity_done="50",
            text_="内部：施工队人手不足，需协调。",
        )
        actions.do_record_overdue_projects()
        page = self.client.get(reverse("projects:public"))
        self.assertContains(page, "老旧小区路灯改造")
        self.assertContains(page, "45%")
        self.assertContains(page, "已完成50个")
        self.assertNotContains(page, "施工队人手不足")
        self.assertNotContains(page, "李副区长")
        self.assertNotContains(page, 'class="overdue-light"')
        street = self.client.get(reverse("projects:public_street", args=[self.street.pk]))
        self.assertNotContains(
            street, "老旧小区路灯改造"
        )  # a department's project is the district's
        community = self.project(
            name="福临社区活动室改造", lead_unit=self.community, co_units=[], milestones=[]
        )
        street = self.client.get(reverse("projects:public_street", args=[self.street.pk]))
        self.assertContains(street, community.name)
        other = self.client.get(reverse("projects:public_street", args=[self.other_street.pk]))
        self.assertNotContains(other, community.name)
        self.assertEqual(
            self.client.get(
                reverse("projects:public_street", args=[self.community.pk])
            ).status_code,
            404,
        )

    def test_an_unpublished_plan_is_not_shown(self):
        actions.do_update_plan(
            self.plan_, actor=self.dispatcher, schedule="monthly", published=False
        )
        self.assertNotContains(self.client.get(reverse("projects:public")), "老旧小区路灯改造")
        self.assertEqual(
            self.client.get(reverse("projects:public_plan", args=[self.plan_.pk])).status_code, 404
        )
