"""Importing team rosters and 双报到 rosters from .xlsx: good rows go in, each bad row is
refused with its row number and reason in Chinese, a bad file as a whole, the same file
twice changes nothing, a corrected file updates only what changed, header variants are
understood; and `lianxin programs import KIND FILE.xlsx` prints one JSON line."""

import datetime as dt
import io
import json
import tempfile
from pathlib import Path

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook

from lianxin.sheets import ImportRefused
from lianxin.test import LianxinTestCase, at, make_unit
from lianxin.volunteers.imports import import_roster
from lianxin.volunteers.models import Member, MemberKind, ReportIn, Team, VolunteerEvent

REPORT_HEADERS = ["序号", "姓名", "电话", "工作单位", "报到社区", "报到日期", "是否党员"]
TEAM_HEADERS = ["队伍名称", "所属单位", "姓名", "电话", "身份", "是否队长"]


def xlsx(headers, rows, *, title_row=None) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    if title_row:
        sheet.append([title_row])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("list.xlsx", buffer.getvalue())


def report_ins_file(rows=None, **kwargs):
    rows = rows or [
        [1, "刘建国", "13700002222", "区城市管理局", "福临社区", "2026-05-04", "是"],
        [2, "王强", "", "dept-b", "c1", dt.date(2026, 5, 6), "否"],
        [3, "赵敏", "13700004444", "区交通运输局", "青峰社区", "2026年5月8日", ""],
    ]
    return xlsx(kwargs.pop("headers", REPORT_HEADERS), rows, **kwargs)


class ImportTestCase(LianxinTestCase):
    def setUp(self):
        self.enterContext(time_machine.travel(at(2026, 6, 17, 10), tick=False))

    def imported(self, kind, upload, actor=None):
        return import_roster(kind, upload, actor=actor or self.dispatcher)

    def errors(self, report):
        return {error.row: error.message for error in report.errors}


class ReportInImportTest(ImportTestCase):
    def test_good_rows_become_report_ins(self):
        report = self.imported("reportins", report_ins_file())
        self.assertEqual(
            report.summary(), {"rows": 3, "created": 3, "updated": 0, "unchanged": 0, "errors": 0}
        )
        wang = ReportIn.objects.get(name="王强")
        self.assertEqual(
            (wang.employer, wang.community, wang.reported_on, wang.party_member),
            (self.dept_b, self.community, dt.date(2026, 5, 6), False),
        )
        self.assertEqual(ReportIn.objects.get(name="赵敏").reported_on, dt.date(2026, 5, 8))

    def test_the_same_file_twice_changes_nothing_and_a_correction_updates_one(self):
        self.imported("reportins", report_ins_file())
        events = VolunteerEvent.objects.count()
        again = self.imported("reportins", report_ins_file())
        self.assertEqual(
            (again.summary()["unchanged"], VolunteerEvent.objects.count()), (3, events)
        )
        corrected = report_ins_file(
            [
                [1, "刘建国", "13700002222", "区城市管理局", "青峰社区", "2026-06-01", "是"],
                [2, "王强", "", "dept-b", "c1", dt.date(2026, 5, 6), "否"],
            ]
        )
        report = self.imported("reportins", corrected)
        self.assertEqual((report.summary()["updated"], report.summary()["unchanged"]), (1, 1))
        self.assertEqual(ReportIn.objects.get(name="刘建国").community, self.other_community)
        self.assertEqual(ReportIn.objects.count(), 3)

    def test_header_variants_and_a_title_row(self):
        headers = ["报到人", "手机号", "所在单位", "居住社区", "报到时间", "政治面貌"]
        rows = [
            ["孙丽", "13700005555", "区城市管理局", "福临社区", "2026/5/4", "中共党员"],
            ["周平", "", "区城市管理局", "福临社区", "2026.5.4", "群众"],
        ]
        report = self.imported("reportins", xlsx(headers, rows, title_row="2026年双报到名册"))
        self.assertEqual(report.summary()["created"], 2)
        self.assertEqual(
            dict(ReportIn.objects.values_list("name", "party_member")),
            {"孙丽": True, "周平": False},
        )

    def test_each_bad_row_is_refused_with_its_reason_and_the_others_go_in(self):
        make_unit("department", "dup-1", "区教育局", self.district)
        make_unit("department", "dup-2", "区教育局", self.district)
        rows = [
            [1, "", "", "区城市管理局", "福临社区", "2026-05-04", "是"],
            [2, "甲", "", "无此单位", "福临社区", "2026-05-04", "是"],
            [3, "乙", "", "区城市管理局", "无此社区", "2026-05-04", "是"],
            [4, "丙", "", "区城市管理局", "福临社区", "五月四日", "是"],
            [5, "丁", "", "区城市管理局", "福临社区", "2026-07-01", "是"],
            [6, "戊", "12345", "区城市管理局", "福临社区", "2026-05-04", "是"],
            [7, "己", "", "区城市管理局", "福临社区", "2026-05-04", "也许"],
            [8, "庚", "", "区教育局", "福临社区", "2026-05-04", "是"],
            [9, "辛", "", "区城市管理局", "海岚街道", "2026-05-04", "是"],
            [10, "壬", "", "区城市管理局", "福临社区", "2026-02-30", "是"],
            [11, "好人", "", "区城市管理局", "福临社区", "2026-05-04", "是"],
        ]
        report = self.imported("reportins", report_ins_file(rows))
        errors = self.errors(report)
        expected = {
            2: "缺少姓名",
            3: "未找到工作单位“无此单位”",
            4: "未找到报到社区“无此社区”",
            5: "报到日期“五月四日”无法识别",
            6: "报到日期不能晚于今天",
            7: "电话号码格式不正确",
            8: "是否党员请填写“是”或“否”",
            9: "对应多个单位，请填写编码",
            10: "未找到报到社区“海岚街道”",
            11: "报到日期“2026-02-30”无法识别",
        }
        self.assertEqual(set(errors), set(expected))
        for row, text in expected.items():
            self.assertIn(text, errors[row], row)
        self.assertEqual(list(ReportIn.objects.values_list("name", flat=True)), ["好人"])

    def test_a_row_the_importer_may_not_keep_is_refused(self):
        rows = [
            [1, "甲", "", "区城市管理局", "青峰社区", "2026-05-04", "是"],
            [2, "乙", "", "区城市管理局", "福临社区", "2026-05-04", "是"],
        ]
        report = self.imported("reportins", report_ins_file(rows), actor=self.community_staff)
        self.assertIn("无权", self.errors(report)[2])
        self.assertEqual(list(ReportIn.objects.values_list("name", flat=True)), ["乙"])

    def test_a_file_that_is_not_a_roster_is_refused_whole(self):
        cases = [
            (SimpleUploadedFile("x.xlsx", b"hello"), "不是 Excel"),
            (SimpleUploadedFile("x.xls", b"\xd0\xcf\x11\xe0rest"), "旧版 Excel"),
            (xlsx(["甲", "乙"], [["1", "2"]]), "未找到表头"),
            (
                xlsx(["姓名", "工作单位", "报到社区", "报到日期", "籍贯"], [["a"] * 5]),
                "无法识别的列：籍贯",
            ),
            (xlsx(["姓名", "工作单位", "报到日期"], [["a", "b", "c"]]), "缺少必填列：报到社区"),
            (xlsx(REPORT_HEADERS, []), "下面没有数据"),
        ]
        for upload, message in cases:
            with self.subTest(message=message):
                with self.assertRaises(ImportRefused) as raised:
                    self.imported("reportins", upload)
                self.assertIn(message, raised.exception.message)
        with self.assertRaises(ImportRefused) as raised:
            import_roster("reportins", report_ins_file(), actor=self.dispatcher, max_rows=2)
        self.assertIn("超过单次导入上限", raised.exception.message)
        self.assertFalse(ReportIn.objects.exists())


class TeamImportTest(ImportTestCase):
    def rows(self):
        return [
            ["福临红马甲", "福临社区", "张桂芬", "13900001111", "居民", "是"],
            ["福临红马甲", "c1", "李明", "13900003333", "", ""],
            ["福临红马甲", "福临社区", "网格员", self.grid_worker.phone, "干部", "否"],
            ["城管先锋队", "区城市管理局", "刘建国", "13700002222", "报到党员", ""],
        ]

    def setUp(self):
        super().setUp()
        self.grid_worker.phone = "13500001111"
        self.grid_worker.save(update_fields=["phone"])
        self.imported("reportins", report_ins_file())

    def test_a_roster_makes_teams_and_members_once(self):
        report = self.imported("teams", xlsx(TEAM_HEADERS, self.rows()))
        self.assertEqual(report.summary()["created"], 4, report.errors)
        red = Team.objects.get(name="福临红马甲")
        self.assertEqual((red.unit, red.members.count()), (self.community, 3))
        self.assertTrue(red.members.get(name="张桂芬").leader)
        self.assertEqual(red.members.get(name="网格员").user, self.grid_worker)
        liu = Member.objects.get(name="刘建国")
        self.assertEqual((liu.kind, liu.report_in.name), (MemberKind.REPORT_IN, "刘建国"))
        again = self.imported("teams", xlsx(TEAM_HEADERS, self.rows()))
        self.assertEqual(again.summary()["unchanged"], 4)
        rows = self.rows()
        rows[0][5] = "否"
        changed = self.imported("teams", xlsx(TEAM_HEADERS, rows))
        self.assertEqual((changed.summary()["updated"], changed.summary()["unchanged"]), (1, 3))
        self.assertEqual(Member.objects.count(), 4)

    def test_header_variants(self):
        headers = ["志愿服务队", "所属社区", "志愿者姓名", "联系电话"]
        report = self.imported("teams", xlsx(headers, [["银发队", "福临社区", "孙大爷", ""]]))
        self.assertEqual(report.summary()["created"], 1)

    def test_each_bad_row_is_refused_with_its_reason(self):
        rows = [
            ["", "福临社区", "甲", "", "", ""],
            ["队", "无此单位", "乙", "", "", ""],
            ["队", "福临社区", "", "", "", ""],
            ["队", "福临社区", "丙", "", "志愿者", ""],
            ["队", "福临社区", "丁", "", "", "也许"],
            ["队", "福临社区", "戊", "13511112222", "干部", ""],
            ["队", "福临社区", "己", "", "报到党员", ""],
            ["队", "福临社区", "庚", "123", "", ""],
            ["队", "福临第一网格", "辛", "", "", ""],
            ["队", "福临社区", "好人", "", "", ""],
        ]
        report = self.imported("teams", xlsx(TEAM_HEADERS, rows))
        errors = self.errors(report)
        expected = {
            2: "缺少队伍名称",
            3: "未找到所属单位“无此单位”",
            4: "缺少姓名",
            5: "身份请填写",
            6: "是否队长请填写“是”或“否”",
            7: "未找到手机号为“13511112222”的账号",
            8: "未找到“己”的双报到记录",
            9: "电话号码格式不正确",
            10: "未找到所属单位“福临第一网格”",
        }
        self.assertEqual(set(errors), set(expected))
        for row, text in expected.items():
            self.assertIn(text, errors[row], row)
        # The refused rows left nothing behind: one team, one member.
        self.assertEqual(list(Member.objects.values_list("name", flat=True)), ["好人"])
        self.assertEqual(Team.objects.count(), 1)

    def test_a_community_may_not_import_another_units_team(self):
        rows = [["队", "青峰社区", "甲", "", "", ""], ["队", "福临社区", "乙", "", "", ""]]
        report = self.imported("teams", xlsx(TEAM_HEADERS, rows), actor=self.community_staff)
        self.assertIn("无权", self.errors(report)[2])
        self.assertEqual(list(Team.objects.values_list("unit", flat=True)), [self.community.pk])


class CommandTest(ImportTestCase):
    def run_import(self, kind, upload, *args):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "list.xlsx"
            path.write_bytes(upload.read())
            out, err = io.StringIO(), io.StringIO()
            code = 0
            try:
                call_command("programs", "import", kind, str(path), *args, stdout=out, stderr=err)
            except SystemExit as exit_:
                code = exit_.code
        lines = out.getvalue().strip().splitlines()
        return code, lines, json.loads(lines[-1]), err.getvalue()

    def test_import_prints_one_json_line_and_is_idempotent(self):
        code, lines, summary, _err = self.run_import("reportins", report_ins_file())
        self.assertEqual(
            (code, lines[-1], summary),
            (
                0,
                '{"rows": 3, "created": 3, "updated": 0, "unchanged": 0, "errors": 0}',
                {"rows": 3, "created": 3, "updated": 0, "unchanged": 0, "errors": 0},
            ),
        )
        code, _lines, summary, _err = self.run_import("reportins", report_ins_file())
        self.assertEqual((code, summary["unchanged"]), (0, 3))
        code, _lines, summary, _err = self.run_import(
            "teams", xlsx(TEAM_HEADERS, [["队", "福临社区", "甲", "", "", ""]])
        )
        self.assertEqual((code, summary["created"]), (0, 1))
        self.assertTrue(VolunteerEvent.objects.filter(actor=self.admin).exists())

    def test_bad_rows_exit_1_and_a_bad_file_exits_2(self):
        rows = [[1, "甲", "", "无此单位", "福临社区", "2026-05-04", "是"]]
        code, lines, summary, _err = self.run_import(
            "reportins", report_ins_file(rows), "--as", "community_staff"
        )
        self.assertEqual((code, summary["errors"]), (1, 1))
        self.assertIn("第2行", lines[0])
        code, _lines, summary, err = self.run_import(
            "teams", SimpleUploadedFile("x.xlsx", b"hello")
        )
        self.assertEqual((code, summary["rows"]), (2, 0))
        self.assertIn("不是 Excel", err)

    def test_volunteers_stats(self):
        self.run_import("reportins", report_ins_file())
        out = io.StringIO()
        call_command("volunteers", "stats", stdout=out)
        stats = json.loads(out.getvalue())["volunteers"]
        self.assertEqual((stats["report_ins"], stats["teams"], stats["hours"]), (3, 0, 0.0))


class ImportPageTest(ImportTestCase):
    def test_the_page_imports_and_lists_the_bad_rows(self):
        self.client.force_login(self.community_staff)
        url = reverse("volunteers:import")
        self.assertEqual(self.client.get(url).status_code, 200)
        rows = [[1, "甲", "", "无此单位", "福临社区", "2026-05-04", "是"],
                [2, "乙", "", "区城市管理局", "福临社区", "2026-05-04", "是"]]  # fmt: skip
        response = self.client.post(url, {"kind": "reportins", "file": report_ins_file(rows)})
        self.assertContains(response, "未找到工作单位")
        self.assertContains(response, "新增 1")
        refused = self.client.post(
            url, {"kind": "reportins", "file": SimpleUploadedFile("x.xlsx", b"x")}
        )
        self.assertContains(refused, "不是 Excel", status_code=400)
        self.assertEqual(self.client.post(url, {"kind": "nope"}).status_code, 404)
