"""Ledger exports: the case list and the return visits as .xlsx and CSV, streamed, scoped,
with real dates and no formula a spreadsheet would run."""

import csv
import io

from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from openpyxl import load_workbook

from lianxin.cases import actions
from lianxin.cases.models import Case, ReturnVisit
from lianxin.ledgers.catalog import case_columns
from lianxin.ledgers.export import Column, Ledger, csv_lines, guard, write_xlsx
from lianxin.test import LianxinTestCase, at


def content(response) -> bytes:
    return b"".join(response.streaming_content)


def workbook(response):
    return load_workbook(io.BytesIO(content(response)))


def csv_rows(response) -> list[list[str]]:
    data = content(response)
    assert data.startswith(b"\xef\xbb\xbf"), "CSV for Excel starts with a UTF-8 BOM"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


HEADERS = [str(column.header) for column in case_columns()]


class CaseExportTest(LianxinTestCase):
    def url(self, fmt, **params):
        from urllib.parse import urlencode

        base = reverse("ledgers:export", args=["cases", fmt])
        return base + ("?" + urlencode(params) if params else "")

    def test_xlsx_has_chinese_headers_real_dates_a_frozen_header_and_the_lists_rows(self):
        first = self.register(when=at(2026, 3, 2, 9, 30))
        self.dispatched()
        self.in_progress()
        self.client.force_login(self.dispatcher)
        response = self.client.get(self.url("xlsx"))
        self.assertEqual(response.status_code, 200)
        self.assertIsInstance(response, FileResponse)  # a StreamingHttpResponse
        self.assertIn("attachment", response["Content-Disposition"])
        sheet = workbook(response).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(list(rows[0]), HEADERS)
        listed = self.client.get(reverse("workbench:cases")).context["page"].paginator.count
        self.assertEqual(len(rows) - 1, listed)
        self.assertEqual(sheet.freeze_panes, "A2")
        self.assertTrue(sheet["A1"].font.b)
        self.assertGreaterEqual(sheet.column_dimensions["D"].width, 20)
        # The oldest case is last (newest first, as on the page); its time is a real date.
        registered = sheet.cell(row=len(rows), column=HEADERS.index("登记时间") + 1)
        self.assertEqual(registered.value, at(2026, 3, 2, 9, 30).replace(tzinfo=None))  # local
        self.assertTrue(registered.is_date)
        self.assertEqual(registered.number_format, "yyyy-mm-dd hh:mm")
        due = sheet.cell(row=len(rows), column=HEADERS.index("答复期限") + 1)
        self.assertTrue(due.is_date)
        self.assertEqual(
            rows[-1][0], first.tracking_number, "the oldest registration is the last row"
        )
        self.assertEqual(rows[-1][HEADERS.index("联系电话")], "138****1234")

    def test_the_export_uses_the_lists_filters_and_scope(self):
        lamp = self.dispatched()
        other = self.dispatched(unit=self.dept_b, title="小区门口井盖松动")
        self.client.force_login(self.dispatcher)
        rows = csv_rows(self.client.get(self.url("csv", q="井盖")))
        self.assertEqual([row[0] for row in rows[1:]], [other.tracking_number])
        self.client.force_login(self.handler_a)  # a department sees only its own cases
        rows = csv_rows(self.client.get(self.url("csv")))
        self.assertEqual([row[0] for row in rows[1:]], [lamp.tracking_number])

    def test_the_case_list_links_its_export_with_its_filters(self):
        self.client.force_login(self.dispatcher)
        page = self.client.get(reverse("workbench:cases"), {"q": "井盖", "status": "registered"})
        self.assertContains(page, self.url("xlsx") + "?q=%E4%BA%95%E7%9B%96&amp;status=registered")
        self.assertContains(page, self.url("csv") + "?q=%E4%BA%95%E7%9B%96&amp;status=registered")

    def test_a_queue_is_exported_as_listed(self):
        self.dispatched()
        self.register()
        self.client.force_login(self.handler_a)
        page = self.client.get(reverse("workbench:cases"), {"queue": "to_accept"})
        rows = csv_rows(self.client.get(self.url("csv", queue="to_accept")))
        self.assertEqual(len(rows) - 1, page.context["page"].paginator.count)
        self.assertEqual(self.client.get(self.url("csv", queue="nonsense")).status_code, 404)

    def test_csv_streams_row_by_row_with_a_bom_and_masked_phones(self):
        self.register()
        self.client.force_login(self.dispatcher)
        response = self.client.get(self.url("csv"))
        self.assertIsInstance(response, StreamingHttpResponse)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        rows = csv_rows(response)
        self.assertEqual(rows[0], HEADERS)
        self.assertEqual(rows[1][HEADERS.index("联系电话")], "138****1234")
        self.assertNotIn("13812341234", content(self.client.get(self.url("csv"))).decode())

    def test_cells_that_look_like_formulas_are_defused(self):
        self.register(title='=HYPERLINK("http://evil","点我")', address="+1 福临苑3号楼")
        self.client.force_login(self.dispatcher)
        rows = csv_rows(self.client.get(self.url("csv")))
        self.assertEqual(rows[1][HEADERS.index("标题")], '\'=HYPERLINK("http://evil","点我")')
        self.assertEqual(rows[1][HEADERS.index("地址")], "'+1 福临苑3号楼")
        sheet = workbook(self.client.get(self.url("xlsx"))).active
        title = sheet.cell(row=2, column=HEADERS.index("标题") + 1)
        self.assertEqual(title.data_type, "s")  # text, not a formula
        self.assertTrue(title.value.startswith("'="))

    def test_a_row_stored_with_controls_before_intake_cleaned_them_still_exports(self):
        # Written as an old release stored it, past the action that now cleans text:
        # openpyxl refuses the vertical tab, and one such row used to fail the whole export.
        # (No NUL: PostgreSQL never stores one.)
        case = self.register()
        Case.objects.filter(pk=case.pk).update(
            title="北门\x0b路灯\x01不亮\ufffe", address="\x0b=福临苑\x1f北门"
        )
        self.client.force_login(self.dispatcher)
        response = self.client.get(self.url("xlsx"))
        self.assertEqual(response.status_code, 200)
        rows = list(workbook(response).active.iter_rows(values_only=True))
        self.assertEqual(rows[1][HEADERS.index("标题")], "北门路灯不亮")
        self.assertEqual(rows[1][HEADERS.index("地址")], "'=福临苑北门")  # still defused
        rows = csv_rows(self.client.get(self.url("csv")))
        self.assertEqual(rows[1][HEADERS.index("标题")], "北门路灯不亮")

    def test_guard(self):
        for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"):
            self.assertEqual(guard(text), "'" + text)
        for text in ("路灯", "0532-12345678", "1-2号楼"):
            self.assertEqual(guard(text), text)

    def test_residents_and_visitors_get_no_export(self):
        self.register()
        self.assertEqual(self.client.get(self.url("csv")).status_code, 302)  # to sign in
        self.client.force_login(self.resident)
        self.assertEqual(self.client.get(self.url("csv")).status_code, 404)

    def test_unknown_kinds_and_formats_are_not_found(self):
        self.client.force_login(self.dispatcher)
        for args in (["nothing", "csv"], ["cases", "pdf"]):
            self.assertEqual(self.client.get(reverse("ledgers:export", args=args)).status_code, 404)


class ReturnVisitExportTest(LianxinTestCase):
    def setUp(self):
        self.waiting = self.verified()
        closed = self.verified(resident_phone="13900001111")
        actions.do_record_return_visit(
            closed, actor=self.dispatcher, satisfaction="basically", solved=True, comment="=还行"
        )

    def test_the_office_exports_the_visit_records_with_masked_phones(self):
        self.client.force_login(self.dispatcher)
        url = reverse("ledgers:export", args=["return_visits", "csv"])
        rows = csv_rows(self.client.get(url))
        self.assertEqual(len(rows) - 1, ReturnVisit.objects.count())
        record = dict(zip(rows[0], rows[1], strict=True))
        self.assertEqual(record["联系电话"], "139****1111")
        self.assertEqual(record["满意度"], "基本满意")
        self.assertEqual(record["群众意见"], "'=还行")

    def test_the_call_list_has_the_whole_phone_as_on_the_return_visit_page(self):
        self.client.force_login(self.dispatcher)
        page = self.client.get(reverse("workbench:return_visits"))
        self.assertContains(page, "13812341234")
        self.assertContains(page, reverse("ledgers:export", args=["return_visit_calls", "xlsx"]))
        rows = csv_rows(
            self.client.get(reverse("ledgers:export", args=["return_visit_calls", "csv"]))
        )
        self.assertEqual([row[0] for row in rows[1:]], [self.waiting.tracking_number])
        self.assertEqual(dict(zip(rows[0], rows[1], strict=True))["联系电话"], "13812341234")

    def test_only_the_office_has_the_return_visit_ledgers(self):
        for user in (self.handler_a, self.leader, self.grid_worker, self.resident):
            self.client.force_login(user)
            for kind in ("return_visits", "return_visit_calls"):
                with self.subTest(user=user.username, kind=kind):
                    url = reverse("ledgers:export", args=[kind, "xlsx"])
                    self.assertEqual(self.client.get(url).status_code, 404)


class WriterTest(LianxinTestCase):
    def test_a_ledger_is_consumed_lazily_one_row_at_a_time(self):
        produced = []

        def rows():
            for n in range(3):
                produced.append(n)
                yield n

        ledger = Ledger("测试", [Column("序号", lambda n: n, "number")], rows())
        lines = csv_lines(ledger)
        self.assertEqual(next(lines).decode("utf-8-sig"), "序号\r\n")
        self.assertEqual(produced, [])
        next(lines)
        self.assertEqual(produced, [0])

    def test_percent_and_number_cells(self):
        ledger = Ledger(
            "比率",
            [Column("办结率", lambda r: r, "percent"), Column("件数", lambda r: 3, "number")],
            [0.875],
        )
        target = io.BytesIO()
        self.assertEqual(write_xlsx(ledger, target), 1)
        cell = load_workbook(target).active["A2"]
        self.assertEqual((cell.value, cell.number_format), (0.875, "0.0%"))
        self.assertEqual(
            b"".join(csv_lines(ledger)).decode("utf-8-sig"), "办结率,件数\r\n87.5%,3\r\n"
        )
