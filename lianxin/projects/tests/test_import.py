"""The 配档表 import: a title row, header variants, merged class cells, every row error,
idempotent re-import, an edited row, the template, the page and the command."""

import datetime as dt
import io
import json
import os
import tempfile

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from lianxin.errors import WorkflowError
from lianxin.projects.imports import import_plan
from lianxin.projects.models import Milestone, Plan, Project, ProjectEvent
from lianxin.projects.tests.builders import Projects
from lianxin.sheets import ImportRefused
from lianxin.test import LianxinTestCase, at

D = dt.date
HEADER = [
    "序号",
    "类别",
    "项目名称",
    "牵头部门",
    "配合单位",
    "分管领导",
    "完成时限",
    "目标任务",
    "备注",
]
ROWS = [
    [
        1,
        "城市建设",
        "老旧小区路灯改造",
        "区城市管理局",
        "区住房和城乡建设局、海岚街道",
        "李副区长",
        "2025年3月底前完成方案；6月底前开工；年底前完工",
        "改造路灯120个",
        "",
    ],
    [
        2,
        None,
        "背街小巷硬化",
        "区住房和城乡建设局",
        "",
        "",
        "一季度完成设计，10月15日前完工",
        "硬化背街小巷15条",
        "",
    ],
    [
        3,
        "民生保障",
        "社区食堂建设",
        "福临社区",
        "",
        "王副区长",
        "上半年建成",
        "建成社区食堂2处",
        "试点",
    ],
    [4, "民生保障", "", "区交通运输局", "", "", "6月前", "", ""],
    [5, "民生保障", "公交站亭改造", "区交通局", "", "", "6月前", "", ""],
    [6, "民生保障", "停车泊位施划", "区交通运输局", "区公安分局", "", "9月底前", "", ""],
    [7, "民生保障", "充电桩建设", "区交通运输局", "", "", "2月30日前完成", "", ""],
    [8, "民生保障", "道路修补", "区交通运输局", "", "", "按计划推进", "", ""],
    [9, "民生保障", "背街小巷硬化", "区交通运输局", "", "", "年底前", "", ""],
    [10, None, "", None, None, None, None, None, None],
    [11, "民生保障", "健身步道", "", "", "", "", "", ""],
]


def workbook(rows=ROWS, header=HEADER, title=True) -> bytes:
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append(["2025年为民办实事项目任务分工配档表"])
        sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name="配档表.xlsx"):
    return SimpleUploadedFile(name, content)


class ImportTest(Projects, LianxinTestCase):
    def setUp(self):
        self.enterContext(time_machine.travel(at(2025, 1, 6, 10), tick=False))
        self.target = self.plan()

    def run_import(self, content=None, actor=None):
        return import_plan(
            upload(content or workbook()), self.target, actor=actor or self.dispatcher
        )

    def test_rows_go_in_and_each_error_is_named(self):
        report = self.run_import()
        self.assertEqual(
            (report.rows, report.created, report.updated, report.unchanged), (10, 3, 0, 0)
        )
        errors = {error.row: error.message for error in report.errors}
        self.assertEqual(
            errors,
            {
                7: "缺少项目名称。",
                8: "牵头单位“区交通局”不在系统中。",
                9: "配合单位“区公安分局”不在系统中。",
                10: "时间节点中的日期不存在：2月30日前。",
                11: "未能从时间节点“按计划推进”中识别出日期。",
                12: "项目名称与第5行重复。",
                14: "缺少牵头单位。",
            },
        )

    def test_what_a_row_becomes(self):
        self.run_import()
        lights = Project.objects.get(name="老旧小区路灯改造")
        self.assertEqual(
            (lights.number, lights.category, lights.lead_unit, lights.leader),
            (1, "城市建设", self.dept_a, self.leader),
        )
        self.assertEqual(
            sorted(u.name for u in lights.co_units.all()),
            sorted(["海岚街道", "区住房和城乡建设局"]),
        )
        self.assertEqual(
            list(lights.milestones.values_list("due_date", "text", "owner_unit")),
            [
                (D(2025, 3, 31), "完成方案", self.dept_a.pk),
                (D(2025, 6, 30), "开工", self.dept_a.pk),
                (D(2025, 12, 31), "完工", self.dept_a.pk),
            ],
        )
        self.assertEqual((lights.target_quantity, lights.target_unit), (120, "个"))
        self.assertEqual((lights.start_date, lights.finish_date), (D(2025, 1, 1), D(2025, 12, 31)))
        alleys = Project.objects.get(name="背街小巷硬化")
        self.assertEqual(alleys.category, "城市建设", "a blank class cell takes the row above's")
        self.assertEqual(alleys.finish_date, D(2025, 10, 15))
        canteen = Project.objects.get(name="社区食堂建设")
        self.assertEqual(
            (canteen.leader, canteen.leader_name, canteen.street), (None, "王副区长", self.street)
        )
        self.assertEqual(ProjectEvent.objects.filter(code="projects.project.added").count(), 3)

    def test_importing_again_changes_nothing(self):
        self.run_import()
        events = ProjectEvent.objects.count()
        report = self.run_import()
        self.assertEqual((report.created, report.updated, report.unchanged), (0, 0, 3))
        self.assertEqual(ProjectEvent.objects.count(), events)
        self.assertEqual(Milestone.objects.count(), 3 + 2 + 1)

    def test_an_edited_row_updates_its_project_and_keeps_done_milestones(self):
        self.run_import()
        from lianxin.projects.actions import do_complete_milestone

        first = Milestone.objects.get(text="完成方案")
        do_complete_milestone(first, actor=self.handler_a)
        rows = [list(row) for row in ROWS[:3]]
        rows[0][6] = "2025年4月底前完成方案；9月底前完工"
        report = self.run_import(workbook(rows))
        self.assertEqual((report.created, report.updated, report.unchanged), (0, 1, 2))
        lights = Project.objects.get(name="老旧小区路灯改造")
        self.assertEqual(
            list(lights.milestones.values_list("due_date", "text")),
            [(D(2025, 3, 31), "完成方案"), (D(2025, 4, 30), "完成方案"), (D(2025, 9, 30), "完工")],
        )

    def test_a_header_without_a_title_row_and_with_the_template_names(self):
        header = [
            "序号",
            "项目名称",
            "类别",
            "牵头单位",
            "配合单位",
            "责任领导",
            "时间节点",
            "完成标准",
        ]
        rows = [[1, "口袋公园", "生态环境", "区城市管理局", "", "", "年底前", "建成口袋公园3个"]]
        report = self.run_import(workbook(rows, header, title=False))
        self.assertEqual(report.created, 1)

    def test_files_refused_whole(self):
        with self.assertRaises(ImportRefused):
            self.run_import(b"not a workbook at all")
        with self.assertRaises(ImportRefused) as refused:
            self.run_import(workbook([], ["名称", "单位"]))
        self.assertIn("未找到表头", refused.exception.message)
        with self.assertRaises(ImportRefused) as refused:
            self.run_import(workbook([], ["项目名称", "类别", "负责人"]))
        self.assertIn("缺少必填列：牵头单位", refused.exception.message)

    def test_only_the_office_imports(self):
        for user in (self.handler_a, self.leader):
            with self.subTest(user.username), self.assertRaises(WorkflowError):
                self.run_import(actor=user)
        self.assertEqual(Project.objects.count(), 0)


class ImportPageTest(Projects, LianxinTestCase):
    def setUp(self):
        self.enterContext(time_machine.travel(at(2025, 1, 6, 10), tick=False))
        self.target = self.plan()

    def test_the_page_and_the_template(self):
        self.client.force_login(self.dispatcher)
        url = reverse("projects:import", args=[self.target.pk])
        self.assertEqual(self.client.get(url).status_code, 200)
        page = self.client.post(url, {"file": upload(workbook())})
        self.assertContains(page, "共读取10个项目：新建3个，更新0个，未变0个，出错7行。")
        self.assertContains(page, "牵头单位“区交通局”不在系统中。")
        refused = self.client.post(url, {"file": upload(b"PK\x03\x04broken")})
        self.assertContains(refused, "文件不是 Excel 表格", status_code=400)
        template = self.client.get(reverse("projects:template"))
        sheet = load_workbook(io.BytesIO(template.content)).active
        self.assertEqual([c.value for c in sheet[1]][:3], ["序号", "类别", "项目名称"])
        self.client.force_login(self.handler_a)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(url, {"file": upload(workbook())}).status_code, 404)
        self.assertEqual(self.client.get(reverse("projects:template")).status_code, 404)


class ImportCommandTest(Projects, LianxinTestCase):
    def test_the_command_prints_one_json_line(self):
        handle, path = tempfile.mkstemp(suffix=".xlsx")
        self.addCleanup(os.remove, path)
        with os.fdopen(handle, "wb") as out:
            out.write(workbook(ROWS[:3]))
        output = io.StringIO()
        with time_machine.travel(at(2025, 1, 6, 10), tick=False):
            call_command(
                "projects", "import", path, "--plan", "2025年为民办实事项目", stdout=output
            )
            self.assertEqual(
                json.loads(output.getvalue().splitlines()[-1]),
                {"rows": 3, "created": 3, "updated": 0, "unchanged": 0, "errors": 0},
            )
            output = io.StringIO()
            call_command(
                "projects", "import", path, "--plan", "2025年为民办实事项目", stdout=output
            )
        self.assertEqual(
            json.loads(output.getvalue()),
            {"rows": 3, "created": 0, "updated": 0, "unchanged": 3, "errors": 0},
        )
        plan = Plan.objects.get()
        self.assertEqual((plan.title, plan.year), ("2025年为民办实事项目", 2025))

    def test_refused_rows_exit_one(self):
        handle, path = tempfile.mkstemp(suffix=".xlsx")
        self.addCleanup(os.remove, path)
        with os.fdopen(handle, "wb") as out:
            out.write(workbook())
        output = io.StringIO()
        with (
            time_machine.travel(at(2025, 1, 6, 10), tick=False),
            self.assertRaises(SystemExit) as exit_,
        ):
            call_command(
                "projects", "import", path, "--plan", "2025年为民办实事项目", stdout=output
            )
        self.assertEqual(exit_.exception.code, 1)
        lines = output.getvalue().splitlines()
        self.assertIn("第8行：牵头单位“区交通局”不在系统中。", lines)
        self.assertEqual(json.loads(lines[-1])["errors"], 7)
