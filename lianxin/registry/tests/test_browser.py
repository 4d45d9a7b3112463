"""The registers in a real browser: the office imports households, finds one in the list
and opens its card; a department sees the same household masked. Screenshots go to
test-artifacts/registry/."""

from django.test import override_settings
from django.urls import reverse

from lianxin.registry.models import Household, RegistryImportJob, Tag
from lianxin.registry.tests.test_import import households_file
from lianxin.registry.tests.test_import_jobs import run_queued_imports
from lianxin.test import BrowserTestCase


class RegistryBrowserTest(BrowserTestCase):
    artifacts = "registry"

    def setUp(self):
        super().setUp()
        # A live-server test flushes the tables, the seeded tags with them.
        for code, name in (("dibao", "低保"), ("lao_junren", "老军人"), ("duju", "独居")):
            Tag.objects.get_or_create(code=code, defaults={"name": name})
        self.build_registers()

    def test_the_office_imports_households_and_opens_a_card(self):
        office = self.person("dispatcher", "pw-dispatcher")
        office.click("nav summary:text-is('台账报表')")
        self.snap(office, "nav-ledgers-menu")
        office.click("text=四库台账")
        office.click("nav.registry-tabs >> text=导入")
        self.snap(office, "import-page")
        upload = households_file(
            [
                [
                    "福临社区",
                    "福临第一网格",
                    "福临苑5号楼1单元101室",
                    "孙立",
                    "13811112222",
                    2,
                    "孙立（户主，1950，独居）；周梅（配偶，1952）",
                ],
                ["无此社区", "", "某路1号", "甲", "", 1, ""],
                ["福临社区", "", "福临苑9号楼102室", "丙", "", 2.5, ""],
            ]  # fmt: skip
        )
        office.set_input_files(
            "input[name=file]",
            files=[
                {
                    "name": "住户.xlsx",
                    "mimeType": "application/octet-stream",
                    "buffer": upload.read(),
                }
            ],
        )
        office.click("form.import-form button[type=submit]")
        report = office.locator(".import-report").inner_text()
        self.assertIn("未找到社区“无此社区”", report)
        self.assertIn("第 4 行", report)
        self.snap(office, "import-report")
        self.assertTrue(Household.objects.filter(head_name="孙立").exists())

        office.click("nav.registry-tabs >> text=住户")
        self.assertIn("13812341234", office.locator("table.households").inner_text())
        self.snap(office, "household-list")
        office.click("text=福临苑3号楼2单元301室")
        card = office.locator("main").inner_text()
        for expected in ("赵国强", "低保", "FL-01", "分配联户组"):
            self.assertIn(expected, card)
        self.snap(office, "household-card")
        office.click("text=提出更正")
        office.fill("input[name=phone]", "13812349999")
        office.fill("input[name=reason]", "走访时户主说换了号码")
        office.click("details.propose button[type=submit]")
        self.assertIn("已提出更正", office.locator(".messages").inner_text())
        self.snap(office, "correction-proposed")
        office.click("form.decide >> text=采纳")
        self.assertIn("13812349999", office.locator(".household-card").inner_text())
        self.assertIn("更正已采纳", office.locator(".history").inner_text())
        self.snap(office, "correction-approved")
        office.click("nav.registry-tabs >> text=联户组")
        self.snap(office, "pair-list")

    def test_a_department_sees_its_片区_masked(self):
        department = self.person("handler_a", "pw-handler_a")
        department.goto(self.live_server_url + "/registry/")
        rows = department.locator("table.households").inner_text()
        self.assertIn("138****1234", rows)
        self.assertNotIn("13812341234", rows)
        self.assertNotIn("青峰路", rows)
        self.snap(department, "household-list-masked")

    @override_settings(REGISTRY_IMPORT_PAGE_ROWS=2)
    def test_a_long_list_is_imported_by_a_job_the_page_follows(self):
        office = self.person("dispatcher", "pw-dispatcher")
        office.goto(self.live_server_url + reverse("registry:import"))
        rows = [
            ["福临社区", "", f"福临苑8号楼{i}室", "" if i == 2 else f"户主{i}", "", 1, ""]
            for i in range(1, 6)
        ]
        office.set_input_files(
            "input[name=file]",
            files=[{"name": "福临住户.xlsx", "mimeType": "application/octet-stream",
                    "buffer": households_file(rows).read()}],
        )  # fmt: skip
        office.click("form.import-form button[type=submit]")
        office.wait_for_selector("#import-job")
        self.assertIn("排队中", office.locator("#import-job").inner_text())
        self.snap(office, "import-job-queued")
        self.assertEqual(run_queued_imports(), 1)
        office.wait_for_selector("#import-job >> text=已完成")  # htmx polled the fragment
        job = office.locator("#import-job").inner_text()
        self.assertIn("已处理 5 / 5 行", job)
        self.assertIn("缺少户主姓名", job)
        self.snap(office, "import-job-done")
        for found in RegistryImportJob.objects.all():
            found.file.delete(save=False)
