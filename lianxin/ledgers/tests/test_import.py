"""Importing a forwarded problem list: good rows become cases through the workflow, bad rows
are reported with their row number, the same file twice creates nothing new, and a file
that is not a spreadsheet or has the wrong columns is refused."""

import datetime as dt
import io
from unittest.mock import patch

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from lianxin.cases.actions import do_register_case
from lianxin.cases.models import Case, CaseEvent, Channel, Status
from lianxin.ledgers import imports
from lianxin.ledgers.imports import COLUMNS, ImportRefused, import_cases
from lianxin.ledgers.models import ImportJob
from lianxin.test import LianxinTestCase, at

HEADERS = [column.header for column in COLUMNS]


class ImportFilesRemoved:
    """Uploaded lists are stored under DATA_DIR/imports: remove what a test stored."""

    def tearDown(self):
        for job in ImportJob.objects.exclude(file=""):
            job.file.delete(save=False)
        super().tearDown()


def xlsx(rows, headers=HEADERS, title_row=None) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    if title_row:
        sheet.append([title_row])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("清单.xlsx", buffer.getvalue())


def row(source="ZB-001", title="福临苑3号楼门口路灯不亮", **fields):
    values = {
        "来源编号": source,
        "标题": title,
        "诉求内容": "3号楼门口路灯坏了一个多星期，晚上老人出门看不清路。",
        "地址": "福临苑小区3号楼",
        "所属网格": "g1",
        "问题分类": "路灯照明",
        "联系人": "王秀兰",
        "联系电话": "13812341234",
        "登记时间": dt.datetime(2026, 3, 2, 9, 30),  # noqa: DTZ001  (a cell has no zone)
    }
    values.update(fields)
    return [values[header] for header in HEADERS]


class ImportFunctionTest(LianxinTestCase):
    def test_good_rows_become_forwarded_cases_through_the_workflow(self):
        upload = xlsx(
            [
                row(),
                row("ZB-002", "青峰社区井盖松动", 所属网格="青峰第一网格", 联系电话=None),
            ]
        )
        report = import_cases(upload, actor=self.dispatcher, now=at(2026, 3, 10))
        self.assertEqual((len(report.created), report.errors, report.duplicates), (2, [], []))
        first, second = (result.case for result in report.created)
        self.assertEqual([result.row for result in report.created], [2, 3])
        first.refresh_from_db()
        self.assertEqual(first.channel, Channel.FORWARDED)
        self.assertEqual(first.status, Status.REGISTERED)
        self.assertEqual(
            (first.grid, first.community, first.street), (self.grid, self.community, self.street)
        )
        self.assertEqual(first.category, self.category)
        self.assertEqual(first.registered_at, at(2026, 3, 2, 9, 30))
        self.assertEqual(first.recorded_by, self.dispatcher)
        self.assertEqual(first.resident_phone, "13812341234")
        self.assertEqual(second.grid, self.other_grid)
        event = CaseEvent.objects.get(case=first)
        self.assertEqual((event.code, event.actor), ("cases.case.registered", self.dispatcher))

    def test_bad_rows_are_reported_with_their_row_number_and_reason(self):
        upload = xlsx(
            [
                row(),
                row("ZB-002", title=None),
                row("ZB-003", 所属网格="不存在的网格"),
                row("ZB-004", 联系电话="12345"),
                row("ZB-005", 登记时间="下周一"),
                row("ZB-006", 登记时间=dt.datetime(2030, 1, 1)),  # noqa: DTZ001  (as a cell holds it)
                row("ZB-007", 问题分类="天气"),
            ]
        )
        report = import_cases(upload, actor=self.dispatcher, now=at(2026, 3, 10))
        self.assertEqual([r.row for r in report.created], [2])
        errors = {r.row: r.message for r in report.errors}
        self.assertEqual(sorted(errors), [3, 4, 5, 6, 7, 8])
        self.assertIn("缺少标题", errors[3])
        self.assertIn("未找到网格“不存在的网格”", errors[4])
        self.assertIn("联系电话格式不正确", errors[5])
        self.assertIn("登记时间“下周一”无法识别", errors[6])
        self.assertIn("登记时间晚于当前时间", errors[7])
        self.assertIn("未找到分类“天气”", errors[8])
        self.assertEqual(Case.objects.count(), 1)

    def test_the_same_file_twice_creates_no_duplicates(self):
        rows = [row(), row("ZB-002", "青峰社区井盖松动"), row(source=None, title="无编号的诉求")]
        first = import_cases(xlsx(rows), actor=self.dispatcher, now=at(2026, 3, 10))
        self.assertEqual(len(first.created), 3)
        again = import_cases(xlsx(rows), actor=self.dispatcher, now=at(2026, 3, 11))
        self.assertEqual((again.created, again.errors), ([], []))
        self.assertEqual([r.row for r in again.duplicates], [2, 3, 4])
        self.assertIn(first.created[0].case.tracking_number, again.duplicates[0].message)
        self.assertEqual(Case.objects.count(), 3)

    def test_a_row_costs_what_registering_it_costs_and_no_query_of_its_own(self):
        calls = iter(range(100))

        def queries(n):
            call = next(calls)  # new source numbers each time: no row is a duplicate
            upload = xlsx([row(f"Q{call}-{i}", 所属网格="福临第一网格") for i in range(n)])
            with CaptureQueriesContext(connection) as captured:
                import_cases(upload, actor=self.dispatcher, now=at(2026, 3, 10))
            return captured.captured_queries

        queries(1)  # the district's settings and calendar are read once per process
        one, three, five = len(queries(1)), len(queries(3)), len(queries(5))
        self.assertEqual(five - three, three - one)
        with CaptureQueriesContext(connection) as plain:
            do_register_case(
                actor=self.dispatcher,
                channel=Channel.FORWARDED,
                title="福临苑3号楼门口路灯不亮",
                text="3号楼门口路灯坏了一个多星期。",
                address="福临苑小区3号楼",
                grid=self.grid,
                category=self.category,
                idempotency_key="ledger:plain",
                when=at(2026, 3, 2, 9, 30),
            )
        self.assertEqual((three - one) // 2, len(plain), "the workflow's queries, nothing more")
        four = queries(4)
        units = [q for q in four if '"orgs_unit"' in q["sql"]]
        self.assertEqual(len(units), 1, "grids and their communities are read once per file")
        lookups = [q for q in four if '"idempotency_key" IN' in q["sql"]]
        self.assertEqual(len(lookups), 1, "the rows of a chunk are looked up in one query")
        with patch.object(imports, "CHUNK_ROWS", 2):
            lookups = [q for q in queries(5) if '"idempotency_key" IN' in q["sql"]]
        self.assertEqual(len(lookups), 3, "one lookup per chunk of 2 rows")

    def test_text_too_long_for_its_column_is_the_rows_error(self):
        upload = xlsx([row(地址="福临苑" * 70, 联系人="王" * 51), row("ZB-002")])
        report = import_cases(upload, actor=self.dispatcher, now=at(2026, 3, 10))
        self.assertEqual([r.row for r in report.created], [3])
        (error,) = report.errors
        self.assertEqual(error.row, 2)
        self.assertIn("地址不能超过200个字", error.message)
        self.assertIn("联系人不能超过50个字", error.message)

    def test_a_list_over_the_limit_is_refused_before_anything_is_imported(self):
        with patch.object(imports, "MAX_ROWS", 2), self.assertRaises(ImportRefused) as refused:
            import_cases(xlsx([row(), row("ZB-002"), row("ZB-003")]), actor=self.dispatcher)
        self.assertIn("表格有3行数据，超过单次导入上限2行", refused.exception.message)
        self.assertFalse(Case.objects.exists())

    def test_a_row_repeated_within_the_file_is_reported(self):
        report = import_cases(xlsx([row(), row()]), actor=self.dispatcher, now=at(2026, 3, 10))
        self.assertEqual(len(report.created), 1)
        self.assertEqual([(r.row, r.message) for r in report.duplicates], [(3, "与第2行重复。")])

    def test_a_title_row_above_the_header_blank_rows_and_ignored_columns(self):
        headers = ["序号", *HEADERS]
        upload = xlsx(
            [[1, *row()], [None] * 10, [2, *row("ZB-002")]],
            headers=headers,
            title_row="海岚街道转办问题清单（第3批）",
        )
        report = import_cases(upload, actor=self.dispatcher, now=at(2026, 3, 10))
        self.assertEqual([r.row for r in report.created], [3, 5])

    def test_numbers_typed_as_numbers_and_dates_without_time(self):
        upload = xlsx([row(source=57, 联系电话=13812341234, 登记时间=dt.date(2026, 3, 2))])
        report = import_cases(upload, actor=self.dispatcher, now=at(2026, 3, 10))
        case = report.created[0].case
        self.assertEqual(case.resident_phone, "13812341234")
        self.assertEqual(case.registered_at, at(2026, 3, 2, 0, 0))

    def test_wrong_columns_are_refused_naming_the_expected_ones(self):
        headers = ["编号", "事项", "地址", "责任单位"]
        with self.assertRaises(ImportRefused) as refused:
            import_cases(
                xlsx([["1", "路灯", "福临苑", "城管局"]], headers=headers), actor=self.dispatcher
            )
        message = refused.exception.message
        self.assertIn("未找到表头", message)
        self.assertIn("来源编号（可选）、标题、诉求内容、地址", message)

        headers = [h for h in HEADERS if h != "诉求内容"] + ["责任单位"]
        with self.assertRaises(ImportRefused) as refused:
            import_cases(xlsx([], headers=headers), actor=self.dispatcher)
        message = refused.exception.message
        self.assertIn("缺少必填列：诉求内容", message)
        self.assertIn("无法识别的列：责任单位", message)
        self.assertIn("应有的列：来源编号（可选）、标题、诉求内容、地址", message)
        self.assertFalse(Case.objects.exists())

    def test_a_file_that_is_not_a_spreadsheet_is_refused_by_its_content(self):
        fakes = [
            SimpleUploadedFile("清单.xlsx", "序号,标题\n1,路灯\n".encode()),
            SimpleUploadedFile("清单.xlsx", b"%PDF-1.4 not a sheet"),
            SimpleUploadedFile("清单.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100),
        ]
        zipped = io.BytesIO()
        import zipfile

        with zipfile.ZipFile(zipped, "w") as archive:
            archive.writestr("word/document.xml", "<w:document/>")
        fakes.append(SimpleUploadedFile("清单.xlsx", zipped.getvalue()))
        for upload in fakes:
            with self.subTest(content=upload.read(8)), self.assertRaises(ImportRefused) as refused:
                import_cases(upload, actor=self.dispatcher)
            self.assertIn(".xls", refused.exception.message)

    def test_a_header_with_no_rows_is_refused(self):
        with self.assertRaisesMessage(ImportRefused, "没有数据"):
            import_cases(xlsx([]), actor=self.dispatcher)


class ImportPageTest(ImportFilesRemoved, LianxinTestCase):
    """A small list is imported in the request; the page then shows the job's report."""

    url = reverse("ledgers:import")

    def test_the_office_imports_and_sees_the_report(self):
        self.client.force_login(self.dispatcher)
        self.assertContains(self.client.get(self.url), "下载导入模板")
        upload = xlsx([row(), row("ZB-002", 联系电话="12345")])
        response = self.client.post(self.url, {"file": upload})
        job = ImportJob.objects.get()
        self.assertRedirects(response, reverse("ledgers:import_job", args=[job.pk]))
        self.assertEqual(
            (job.status, job.rows_done, job.created_count, job.error_count), ("done", 2, 1, 1)
        )
        page = self.client.get(response.url)
        self.assertContains(page, "导入结果")
        self.assertContains(page, "第 3 行")
        self.assertContains(page, "联系电话格式不正确")
        self.assertNotContains(page, 'hx-trigger="every 1s"')  # finished: no polling
        case = Case.objects.get()
        self.assertContains(page, case.tracking_number)
        self.assertContains(page, reverse("workbench:case", args=[case.pk]))
        self.assertContains(page, reverse("ledgers:import_job_report", args=[job.pk]))
        self.assertContains(self.client.get(self.url), "最近的导入")

    def test_a_refused_file_is_explained_on_the_page(self):
        self.client.force_login(self.dispatcher)
        upload = SimpleUploadedFile("清单.xlsx", b"just text")
        response = self.client.post(self.url, {"file": upload})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "文件不是 Excel 表格（.xlsx）")
        self.assertFalse(ImportJob.objects.exists())

    def test_wrong_columns_are_refused_on_the_page_naming_the_expected_ones(self):
        self.client.force_login(self.dispatcher)
        upload = xlsx([["1", "路灯", "福临苑"]], headers=["编号", "标题", "地点"])
        response = self.client.post(self.url, {"file": upload})
        self.assertContains(response, "缺少必填列：诉求内容、地址")
        self.assertContains(response, "应有的列：来源编号（可选）、标题、诉求内容、地址")
        self.assertFalse(ImportJob.objects.exists())
        self.assertFalse(Case.objects.exists())

    def test_only_the_office_imports(self):
        for user in (self.handler_a, self.street_staff, self.leader, self.resident):
            self.client.force_login(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.get(self.url).status_code, 404)
                response = self.client.post(self.url, {"file": xlsx([row()])})
                self.assertEqual(response.status_code, 404)
        self.assertFalse(Case.objects.exists())
        self.assertFalse(ImportJob.objects.exists())

    def test_the_template_downloads_with_the_expected_columns(self):
        for user in (self.dispatcher, self.admin):
            self.client.force_login(user)
            response = self.client.get(reverse("ledgers:import_template"))
            self.assertEqual(response.status_code, 200)
            book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
            sheet = book.worksheets[0]
            self.assertEqual([cell.value for cell in sheet[1]], HEADERS)
            self.assertEqual(sheet.freeze_panes, "A2")
            codes = [row[0] for row in book.worksheets[2].iter_rows(min_row=2, values_only=True)]
            self.assertIn("g1", codes)
        self.client.force_login(self.handler_a)
        self.assertEqual(self.client.get(reverse("ledgers:import_template")).status_code, 404)

    def test_the_filled_template_imports(self):
        self.client.force_login(self.dispatcher)
        response = self.client.get(reverse("ledgers:import_template"))
        book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        book.worksheets[0].append(row())
        buffer = io.BytesIO()
        book.save(buffer)
        upload = SimpleUploadedFile("模板.xlsx", buffer.getvalue())
        report = import_cases(upload, actor=self.dispatcher, now=at(2026, 3, 10))
        self.assertEqual((len(report.created), report.errors), (1, []))
