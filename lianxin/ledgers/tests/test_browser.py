"""Ledgers in a real browser: the office imports a forwarded list, marks an exemplary case,
exports the case list and reads the monthly brief. Screenshots go to test-artifacts/ledgers/."""

import datetime as dt
import io

from django.test import override_settings
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from openpyxl import Workbook, load_workbook

from lianxin.cases import actions
from lianxin.cases.models import Case, Channel
from lianxin.ledgers.imports import COLUMNS
from lianxin.ledgers.models import ExportJob, ImportJob
from lianxin.ledgers.tests.test_import_jobs import run_queued_imports
from lianxin.orgs.models import DistrictSettings
from lianxin.test import BrowserTestCase
from lianxin.workdays.days import local_date


def xlsx_file(name: str, data: bytes) -> list[dict]:
    return [
        {
            "name": name,
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": data,
        }
    ]


def long_list(n: int) -> bytes:
    """A list long enough to be imported by a job; every third row lacks its address."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([column.header for column in COLUMNS])
    yesterday = dt.datetime.combine(local_date(timezone.now()) - dt.timedelta(days=1), dt.time(9))
    for i in range(n):
        address = "" if i % 3 == 2 else f"福临苑小区{i + 1}号楼"
        text = "楼道灯坏了，晚上上下楼看不清台阶。"
        sheet.append([f"ZB-L-{i:03d}", f"福临苑{i + 1}号楼楼道灯不亮", text, address, "g1"])
        sheet.cell(row=sheet.max_row, column=len(COLUMNS), value=yesterday)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def forwarded_list() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["海岚街道转办问题清单（第3批）"])
    sheet.append(["序号", *(column.header for column in COLUMNS)])
    yesterday = dt.datetime.combine(local_date(timezone.now()) - dt.timedelta(days=1), dt.time(9))
    rows = [
        ["ZB-001", "福临苑3号楼门口路灯不亮", "路灯坏了一个多星期，老人晚上出门看不清路。"],
        ["ZB-002", "福临苑南门井盖松动", "井盖一踩就响，晚上很危险，怕孩子掉下去。"],
        ["ZB-003", "", "小区垃圾桶满了没人清运，气味很大。"],
        ["ZB-004", "青峰社区楼道堆放杂物", "楼道里堆满纸箱，消防通道被堵。"],
    ]
    grids = ["g1", "福临第一网格", "g1", "不存在的网格"]
    phones = ["13812341234", "", "12345", ""]
    for number, ((source, title, text), grid, phone) in enumerate(
        zip(rows, grids, phones, strict=True), start=1
    ):
        sheet.append(
            [
                number,
                source,
                title,
                text,
                "福临苑小区",
                grid,
                "路灯照明",
                "王秀兰",
                phone,
                yesterday,
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class LedgersInTheBrowserTest(BrowserTestCase):
    artifacts = "ledgers"

    def closed_case(self) -> Case:
        case = actions.do_register_case(
            actor=self.grid_worker,
            channel=Channel.PATROL,
            title="福临苑健身器材损坏",
            text="小区广场的健身器材螺丝松动，老人锻炼时有危险。",
            address="福临苑小区中心广场",
            grid=self.grid,
            category=self.category,
            resident_name="王秀兰",
            resident_phone="13812341234",
        )
        case = actions.do_dispatch_case(case, actor=self.dispatcher, unit=self.dept_a)
        actions.do_accept_part(case.parts.get(), actor=self.handler_a)
        case = actions.do_reply_case(case, actor=self.handler_a, text="已安排人员两天内检修。")
        case = actions.do_resolve_case(
            case, actor=self.handler_a, note="已紧固全部螺丝并更换底座。"
        )
        case = actions.do_verify_case(case, actor=self.dispatcher, passed=True, on_site=True)
        visit = actions.do_record_return_visit(
            case, actor=self.dispatcher, satisfaction="satisfied", solved=True
        )
        return visit.case

    def test_import_mark_export_and_brief(self):
        DistrictSettings.objects.update_or_create(pk=1, defaults={"ranking_min_cases": 1})
        closed = self.closed_case()
        office = self.person("dispatcher", "pw-dispatcher")

        # 1. The office imports a forwarded list: two rows in, two reported with reasons.
        office.goto(self.live_server_url + "/ledgers/import/")
        office.set_input_files(
            "input[name=file]",
            files=[
                {
                    "name": "海岚街道转办清单.xlsx",
                    "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    "buffer": forwarded_list(),
                }
            ],
        )
        office.click("form.import-form button[type=submit]")
        office.wait_for_selector("text=导入结果")  # a short list: imported in the request
        report = office.locator(".import-report").inner_text()
        self.assertIn("第 5 行", report)
        self.assertIn("缺少标题", report)
        self.assertIn("联系电话格式不正确", report)
        self.assertIn("未找到网格“不存在的网格”", report)
        self.assertEqual(Case.objects.filter(channel=Channel.FORWARDED).count(), 2)
        self.addCleanup(lambda: [job.file.delete(False) for job in ImportJob.objects.all()])
        self.snap(office, "import-report")

        # A long list is imported by a job: the page shows its progress, polling with htmx,
        # until the report replaces it.
        with override_settings(LEDGER_IMPORT_SYNC_ROWS=3):
            office.goto(self.live_server_url + "/ledgers/import/")
            office.set_input_files("input[name=file]", files=xlsx_file("第4批.xlsx", long_list(6)))
            office.click("form.import-form button[type=submit]")
            office.wait_for_selector("text=已处理 0 / 6 行")
            self.assertIn("排队中", office.locator("#import-job").inner_text())
            self.snap(office, "import-queued")
            # The consumer's part runs in this thread: hold the page's polling meanwhile, so
            # that the live server and the job never use the database at the same moment.
            office.evaluate(
                """() => {
                    window.holdPolling = true;
                    document.body.addEventListener("htmx:beforeRequest", (event) => {
                        if (window.holdPolling) event.preventDefault();
                    });
                }"""
            )
            office.wait_for_load_state("networkidle")
            self.assertEqual(run_queued_imports(), 1)
            office.evaluate("() => { window.holdPolling = false; }")
            office.wait_for_selector("text=已处理 6 / 6 行")
        job = ImportJob.objects.get(name="第4批.xlsx")
        self.assertEqual((job.status, job.created_count, job.error_count), ("done", 4, 2))
        report = office.locator(".import-report").inner_text()
        self.assertIn("导入结果", report)
        self.assertIn("缺少地址", report)
        self.snap(office, "import-job-report")
        with office.expect_download() as download:
            office.click("text=下载导入结果（.xlsx）")
        with open(download.value.path(), "rb") as handle:
            sheet = load_workbook(io.BytesIO(handle.read())).active
        self.assertEqual(sheet.max_row - 1, 6)

        # 2. The office marks the closed case as exemplary, in place (htmx).
        office.goto(f"{self.live_server_url}/cases/{closed.pk}/")
        office.click("details summary:text-is('选树典型案例')")
        form = office.locator("details[open] form")
        form.locator("textarea[name=note]").fill("群众送来锦旗。")  # too short first
        form.locator("button.primary").click()
        office.wait_for_selector("text=已完成：选树典型案例", state="detached", timeout=1000)
        self.assertFalse(Case.objects.get(pk=closed.pk).exemplary)
        form.locator("textarea[name=note]").fill(
            "网格员巡查发现隐患后当天上报，城管局两天内完成检修，群众送来锦旗。"
        )
        form.locator("button.primary").click()
        office.wait_for_selector("text=已完成：选树典型案例")
        self.assertTrue(Case.objects.get(pk=closed.pk).exemplary)
        self.snap(office, "case-exemplary")
        # Marked cases offer the office a way back, in the same form.
        office.click("details summary:text-is('选树典型案例')")
        self.snap(office, "case-exemplary-form")
        office.click("details[open] button:text-is('取消典型案例')")
        office.wait_for_selector("text=已完成：取消典型案例")
        self.assertFalse(Case.objects.get(pk=closed.pk).exemplary)
        office.click("details summary:text-is('选树典型案例')")
        form = office.locator("details[open] form")
        form.locator("textarea[name=note]").fill(
            "网格员巡查发现隐患后当天上报，城管局两天内完成检修，群众送来锦旗。"
        )
        form.locator("button.primary").click()
        office.wait_for_selector("text=已完成：选树典型案例")
        self.assertTrue(Case.objects.get(pk=closed.pk).exemplary)

        # 3. The case list exports what it shows.
        office.goto(self.live_server_url + "/cases/")
        with office.expect_download() as download:
            office.click("text=导出 Excel")
        self.assertTrue(download.value.suggested_filename.endswith(".xlsx"))
        with open(download.value.path(), "rb") as handle:
            sheet = load_workbook(io.BytesIO(handle.read())).active
        self.assertEqual(sheet.max_row - 1, Case.objects.count())
        self.assertEqual(sheet["A1"].value, "受理编号")

        # A list longer than the threshold becomes a job; its page offers the file.
        self.addCleanup(setattr, HUEY, "immediate", HUEY.immediate)
        HUEY.immediate = True  # the consumer's part, run in the server's thread
        with override_settings(LEDGER_EXPORT_ASYNC_ROWS=1):
            office.goto(self.live_server_url + "/cases/")
            office.click("text=导出 CSV")
            office.wait_for_selector("text=下载文件")
        job = ExportJob.objects.get()
        self.addCleanup(job.file.delete, False)
        self.assertEqual((job.status, job.rows_done), ("done", Case.objects.count()))
        self.snap(office, "export-job")

        # 4. The monthly brief of this month, on screen and as it prints.
        month = local_date(timezone.now()).strftime("%Y-%m")
        office.goto(f"{self.live_server_url}/ledgers/brief/?month={month}")
        text = office.locator("article.brief").inner_text()
        self.assertIn("连心服务工作简报", text)
        self.assertIn("群众送来锦旗", text)
        self.assertIn("区城市管理局", text)
        self.snap(office, "brief")
        office.emulate_media(media="print")
        self.assertFalse(office.locator(".topbar").is_visible())
        self.assertFalse(office.locator(".brief-tools").is_visible())
        self.snap(office, "brief-print")
        self.assertEqual(self.dialogs, [])
