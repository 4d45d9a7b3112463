"""Importing the registers from .xlsx: the rows that can go in do, each bad row is refused
with its reason in Chinese, the same file twice changes nothing, a corrected file updates
only what changed, and the spellings offices give the columns are understood."""

import datetime as dt
import io
import json
import tempfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from lianxin.registry import models
from lianxin.registry.imports import COLUMNS, import_registers, parse_members, write_template
from lianxin.registry.models import Building, Cadre, Household, Pair, RegistryEvent, Shop
from lianxin.sheets import ImportRefused, Sheet
from lianxin.test import LianxinTestCase, at

HOUSEHOLD_HEADERS = ["社区", "网格", "地址", "户主", "电话", "人口", "家庭成员"]


def xlsx(headers, rows, *, title_row=None, name="list.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    if title_row:
        sheet.append([title_row])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def households_file(rows=None, **kwargs):
    rows = rows or [
        ["福临社区", "福临第一网格", "福临苑5号楼1单元101室", "孙立", "13811112222", 2,
         "孙立（户主，1950，独居）；周梅（配偶，1952）"],
        ["c1", "g1", "福临苑5号楼1单元102室", "钱多", "", 1, ""],
        ["青峰社区", "", "青峰路8号2单元201室", "吴三", "0532-88886666", "", ""],
    ]  # fmt: skip
    return xlsx(kwargs.pop("headers", HOUSEHOLD_HEADERS), rows, **kwargs)


class HouseholdImportTest(LianxinTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build_registers(cls)

    def imported(self, upload, actor=None):
        return import_registers("households", upload, actor=actor or self.dispatcher)

    def test_good_rows_become_households_with_their_residents(self):
        report = self.imported(households_file())
        self.assertEqual(
            report.summary(), {"rows": 3, "created": 3, "updated": 0, "unchanged": 0, "errors": 0}
        )
        sun = Household.objects.get(head_name="孙立")
        self.assertEqual(
            (sun.community, sun.grid, sun.member_count), (self.community, self.grid, 2)
        )
        residents = {r.name: r for r in sun.residents.prefetch_related("tags")}
        self.assertEqual(residents["孙立"].relation, "head")
        self.assertEqual([t.name for t in residents["孙立"].tags.all()], ["独居"])
        self.assertEqual(
            (residents["周梅"].relation, residents["周梅"].birth_year), ("spouse", 1952)
        )
        wu = Household.objects.get(head_name="吴三")
        self.assertEqual(
            (wu.community, wu.member_count, wu.phone), (self.other_community, 1, "0532-88886666")
        )

    def test_the_same_file_twice_changes_nothing(self):
        self.imported(households_file())
        events = RegistryEvent.objects.count()
        again = self.imported(households_file())
        self.assertEqual(again.summary()["unchanged"], 3)
        self.assertEqual(again.summary()["created"] + again.summary()["updated"], 0)
        self.assertEqual(RegistryEvent.objects.count(), events)

    def test_a_corrected_file_updates_only_what_changed(self):
        self.imported(households_file())
        corrected = households_file(
            [
                # Another spelling of the same flat, a new phone.
                [
                    "福临社区",
                    "福临第一网格",
                    "福临苑5栋1-101",
                    "孙立",
                    "13811113333",
                    2,
                    "孙立（户主，1950，独居）；周梅（配偶，1952）",
                ],
                ["c1", "g1", "福临苑5号楼1单元102室", "钱多", "", 1, ""],
            ]  # fmt: skip
        )
        report = self.imported(corrected)
        self.assertEqual([r.outcome for r in report.results], ["updated", "unchanged"])
        sun = Household.objects.get(head_name="孙立")
        self.assertEqual(sun.phone, "13811113333")
        self.assertEqual(sun.address, "福临苑5号楼1单元101室", "the address as first written")
        event = sun.events.filter(code="registry.household.updated").get()
        self.assertEqual(event.data["changes"], {"phone": ["13811112222", "13811113333"]})

    def test_each_bad_row_is_refused_with_its_reason_and_the_others_go_in(self):
        rows = [
            ["无此社区", "", "某路1号", "甲", "", 1, ""],
            ["福临社区", "", "", "乙", "", 1, ""],
            ["福临社区", "", "福临苑9号楼101室", "", "", 1, ""],
            ["福临社区", "", "福临苑9号楼102室", "丙", "", 2.5, ""],
            ["福临社区", "", "福临苑9号楼103室", "丁", "", "三", ""],
            ["福临社区", "", "福临苑9号楼104室", "戊", "12345", 1, ""],
            ["福临社区", "青峰第一网格", "福临苑9号楼105室", "己", "", 1, ""],
            ["福临社区", "", "福临苑9号楼106室", "庚", "", 1, "庚（户主，不存在的标签）"],
            ["福临社区", "", "福临苑9号楼107室", "辛", "", 1, ""],
        ]
        report = self.imported(households_file(rows))
        errors = {r.row: r.message for r in report.errors}
        self.assertIn("未找到社区“无此社区”", errors[2])
        self.assertIn("缺少地址", errors[3])
        self.assertIn("缺少户主姓名", errors[4])
        self.assertIn("人口“2.5”不是不小于1的整数", errors[5])
        self.assertIn("人口“三”不是不小于1的整数", errors[6])
        self.assertIn("电话号码格式不正确", errors[7])
        self.assertIn("未找到该社区的网格“青峰第一网格”", errors[8])
        self.assertIn("未知的人员标签：不存在的标签", errors[9])
        self.assertEqual(report.summary()["errors"], 8)
        self.assertEqual(report.summary()["created"], 1)
        self.assertTrue(Household.objects.filter(head_name="辛").exists())
        self.assertFalse(Household.objects.filter(head_name__in=["丙", "丁", "戊", "庚"]).exists())

    def test_a_row_with_several_problems_names_them_all(self):
        report = self.imported(households_file([["福临社区", "", "", "", "", "x", ""]]))
        message = report.errors[0].message
        for part in ("缺少地址", "缺少户主姓名", "人口“x”"):
            self.assertIn(part, message)

    def test_header_variants_and_a_title_row_are_understood(self):
        headers = [
            "序号",
            "社区/村",
            "所属网格",
            "家庭住址",
            "户主姓名",
            "手机号码",
            "人数",
            "房号",
        ]
        rows = [[1, "福临社区", "g1", "福临苑6号楼101室", "郑一", "13800001111", "3", "101"]]
        report = self.imported(xlsx(headers, rows, title_row="福临社区住户台账"))
        self.assertEqual(report.summary()["created"], 1)
        zheng = Household.objects.get(head_name="郑一")
        self.assertEqual((zheng.phone, zheng.member_count, zheng.room), ("13800001111", 3, "101"))
        for phone_header in ("电话", "联系电话", "手机号码"):
            upload = xlsx(["社区", "地址", "户主", phone_header], [["c1", "a", "b", "1"]])
            sheet = Sheet(upload, COLUMNS["households"])
            self.assertIn("phone", sheet.positions)
            sheet.close()

    def test_a_file_that_is_not_a_list_of_households_is_refused_whole(self):
        cases = [
            (SimpleUploadedFile("a.xlsx", b"not a spreadsheet"), "不是 Excel"),
            (SimpleUploadedFile("a.xls", b"\xd0\xcf\x11\xe0old"), "旧版 Excel"),
            (
                xlsx(["社区", "地址", "户主", "身份证"], [["c1", "a", "b", "x"]]),
                "无法识别的列：身份证",
            ),
            (xlsx(["社区", "户主"], [["c1", "b"]]), "缺少必填列：地址"),
            (xlsx(["名称", "地点"], [["x", "y"]]), "未找到表头"),
            (xlsx(HOUSEHOLD_HEADERS, []), "下面没有数据"),
        ]
        for upload, reason in cases:
            with self.subTest(reason), self.assertRaises(ImportRefused) as refused:
                self.imported(upload)
            self.assertIn(reason, refused.exception.message)
        self.assertEqual(Household.objects.count(), 3, "nothing was written")

    def test_only_those_who_keep_the_register_may_import_it(self):
        report = self.imported(households_file(), actor=self.handler_a)
        self.assertEqual(report.summary()["errors"], 3)
        self.assertIn("无权", report.errors[0].message)
        report = self.imported(households_file(), actor=self.community_staff)
        self.assertEqual([r.outcome for r in report.results], ["created", "created", "error"])

    def test_members_are_parsed_as_offices_write_them(self):
        self.assertEqual(
            parse_members("王秀兰(户主,1948,低保)；赵国强（配偶、1946年）;小赵"),
            [
                {"name": "王秀兰", "relation": "head", "birth_year": 1948, "tags": ["低保"]},
                {"name": "赵国强", "relation": "spouse", "birth_year": 1946, "tags": []},
                {"name": "小赵", "relation": "", "birth_year": None, "tags": []},
            ],
        )

    def test_the_template_imports_once_filled_in(self):
        buffer = io.BytesIO()
        write_template("households", buffer)
        workbook = load_workbook(io.BytesIO(buffer.getvalue()))
        self.assertEqual(
            [ws.title for ws in workbook.worksheets], ["住户", "填写说明", "社区与网格编码"]
        )
        headers = [c.value for c in workbook.worksheets[0][1]]
        guide = "\n".join(str(c.value) for row in workbook.worksheets[1] for c in row if c.value)
        self.assertIn("户主姓名", guide, "the variants are listed")
        self.assertIn("低保", guide, "the district's tags are listed")
        row = {"社区": "c1", "地址": "福临苑7号楼101室", "户主": "冯七", "人口": 1}
        report = self.imported(xlsx(headers, [[row.get(h) for h in headers]]))
        self.assertEqual(report.summary()["created"], 1)


class OneRowPerPersonTest(LianxinTestCase):
    """The list many offices keep: a row per person, the head's name repeated."""

    HEADERS = ["社区", "地址", "户主姓名", "联系电话", "姓名", "关系", "出生年月", "人员类别"]

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build_registers(cls)

    def imported(self, rows):
        return import_registers("households", xlsx(self.HEADERS, rows), actor=self.dispatcher)

    def rows(self):
        return [
            ["c1", "福临苑5号楼1单元101室", "孙立", "13811112222", "孙立", "户主", 1950, "独居"],
            ["c1", "福临苑5号楼1单元101室", "孙立", "", "周梅", "妻子", "1952-03-01", ""],
            ["c1", "福临苑5号楼1-102", "钱多", "", "钱多", "户主", "", "低保、残疾"],
            ["c1", "福临苑5号楼1单元101室", "孙立", "", "孙小", "孙子", dt.date(2015, 5, 1), ""],
        ]  # fmt: skip

    def test_the_rows_of_one_address_make_one_household(self):
        report = self.imported(self.rows())
        self.assertEqual(
            report.summary(), {"rows": 4, "created": 2, "updated": 0, "unchanged": 0, "errors": 0}
        )
        sun = Household.objects.get(head_name="孙立")
        self.assertEqual(sun.member_count, 3)
        members = {r.name: (r.relation, r.birth_year) for r in sun.residents.all()}
        self.assertEqual(
            members,
            {"孙立": ("head", 1950), "周梅": ("spouse", 1952), "孙小": ("grandchild", 2015)},
        )
        qian = Household.objects.get(head_name="钱多")
        self.assertEqual(
            sorted(qian.residents.get().tags.values_list("name", flat=True)), ["低保", "残疾"]
        )
        self.assertEqual(self.imported(self.rows()).summary()["unchanged"], 2, "idempotent")

    def test_a_household_with_a_bad_row_is_left_out_whole(self):
        rows = self.rows()
        rows[1][6] = "五二年"
        rows.append(["c1", "福临苑5号楼1单元103室", "", "", "李四", "子女", "", ""])
        report = self.imported(rows)
        errors = {r.row: r.message for r in report.errors}
        self.assertIn("出生年份“五二年”无法识别", errors[3])
        self.assertIn("同户第3行有误，本户未导入", errors[2])
        self.assertIn("同户第3行有误", errors[5])
        self.assertIn("缺少户主姓名", errors[6])
        self.assertEqual(report.summary()["created"], 1)
        self.assertFalse(Household.objects.filter(head_name="孙立").exists())

    def test_a_list_may_not_mix_both_ways(self):
        with self.assertRaises(ImportRefused) as refused:
            import_registers(
                "households",
                xlsx(
                    ["社区", "地址", "户主", "姓名", "家庭成员"],
                    [["c1", "a", "b", "b", "b（户主）"]],
                ),
                actor=self.dispatcher,
            )
        self.assertIn("不能同时填写", refused.exception.message)


class PlacesAndPeopleImportTest(LianxinTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build_registers(cls)

    def imported(self, kind, headers, rows):
        return import_registers(kind, xlsx(headers, rows), actor=self.dispatcher)

    def test_buildings_by_address_within_their_community(self):
        headers = ["社区", "网格", "楼栋名称", "地址", "层数", "单元数", "登记户数", "纬度", "经度"]
        rows = [
            ["福临社区", "g1", "福临苑5号楼", "福临苑5号楼", 6, 2, 24, 36.0661, 120.3826],
            ["福临社区", "g1", "福临苑6号楼", "福临苑6号楼", "六", 2, 24, "", ""],
        ]
        report = self.imported("buildings", headers, rows)
        self.assertEqual([r.outcome for r in report.results], ["created", "error"])
        self.assertIn("层数“六”不是整数", report.errors[0].message)
        again = self.imported("buildings", headers, rows[:1])
        self.assertEqual(again.summary()["unchanged"], 1)
        rows[0][4] = 7
        self.assertEqual(self.imported("buildings", headers, rows[:1]).summary()["updated"], 1)
        self.assertEqual(Building.objects.get().floors, 7)

    def test_shops_by_name_and_address(self):
        headers = ["社区", "商铺名称", "经营地址", "负责人", "联系电话", "经营类别"]
        rows = [
            ["福临社区", "福临便利店", "福临苑5号楼底商1号", "陈老板", "13911110000", "零售"],
            ["福临社区", "福临理发", "福临苑5号楼底商1号", "", "", "理发"],
            ["福临社区", "", "福临苑5号楼底商2号", "", "", ""],
        ]
        report = self.imported("shops", headers, rows)
        self.assertEqual([r.outcome for r in report.results], ["created", "created", "error"])
        self.assertIn("缺少店名", report.errors[0].message)
        self.assertEqual(self.imported("shops", headers, rows[:2]).summary()["unchanged"], 2)
        self.assertEqual(Shop.objects.count(), 2)

    def test_cadres_then_pairs_with_their_households(self):
        headers = ["干部姓名", "单位", "手机号码", "是否党员", "本地人", "有经验"]
        rows = [
            ["周强", "福临社区", "13900000011", "是", "是", "是"],
            ["吴敏", "dept-a", "13900000012", "否", "否", "否"],
            ["郑好", "无此单位", "", "是", "", ""],
            ["王五", "c1", "", "也许", "", ""],
        ]
        report = self.imported("cadres", headers, rows)
        self.assertEqual([r.outcome for r in report.results], ["created"] * 2 + ["error"] * 2)
        self.assertIn("未找到工作单位“无此单位”", report.errors[0].message)
        self.assertIn("党员请填写“是”或“否”", report.errors[1].message)
        self.assertTrue(Cadre.objects.get(phone="13900000011").party_member)

        headers = ["联户组编号", "社区", "干部1", "干部2", "联系住户"]
        addresses = "福临苑3号楼2-301；福临苑3号楼2单元302室"
        rows = [
            ["FL-02", "福临社区", "13900000011", "吴敏", addresses],
            ["FL-03", "福临社区", "无名氏", "", ""],
            ["FL-04", "福临社区", "周强", "", "福临苑99号楼101室"],
        ]
        report = self.imported("pairs", headers, rows)
        self.assertEqual([r.outcome for r in report.results], ["created", "error", "error"])
        self.assertIn("未找到干部“无名氏”", report.errors[0].message)
        self.assertIn("没有地址为“福临苑99号楼101室”的住户", report.errors[1].message)
        pair = Pair.objects.get(code="FL-02")
        self.assertEqual(
            set(pair.households.values_list("head_name", flat=True)), {"王秀兰", "陈建华"}
        )
        self.assertFalse(Pair.objects.filter(code="FL-04").exists(), "the row went back whole")
        again = self.imported("pairs", headers, rows[:1])
        self.assertEqual(again.summary()["unchanged"], 1)


class CommandTest(LianxinTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build_registers(cls)

    def run_import(self, upload, *args):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "list.xlsx"
            path.write_bytes(upload.read())
            out, err = io.StringIO(), io.StringIO()
            code = 0
            try:
                call_command(
                    "registry", "import", "households", str(path), *args, stdout=out, stderr=err
                )
            except SystemExit as exit_:
                code = exit_.code
        lines = out.getvalue().strip().splitlines()
        return code, lines, json.loads(lines[-1]), err.getvalue()

    def test_import_prints_its_summary_last_and_is_idempotent(self):
        code, _lines, summary, _err = self.run_import(households_file())
        self.assertEqual(
            (code, summary),
            (0, {"rows": 3, "created": 3, "updated": 0, "unchanged": 0, "errors": 0}),
        )
        code, _lines, summary, _err = self.run_import(households_file())
        self.assertEqual((code, summary["unchanged"]), (0, 3))
        events = RegistryEvent.objects.filter(code="registry.household.created", actor=self.admin)
        self.assertEqual(events.count(), 3, "the first superuser by default")

    def test_bad_rows_are_listed_and_the_exit_code_says_so(self):
        rows = [
            ["无此社区", "", "某路1号", "甲", "", 1, ""],
            ["c1", "", "福临苑8号楼101室", "乙", "", 1, ""],
        ]
        code, lines, summary, _err = self.run_import(
            households_file(rows), "--as", "community_staff"
        )
        self.assertEqual((code, summary["errors"], summary["created"]), (1, 1, 1))
        self.assertIn("第2行", lines[0])
        self.assertTrue(RegistryEvent.objects.filter(actor=self.community_staff).exists())

    def test_a_bad_file_exits_non_zero_with_the_reason(self):
        code, _lines, summary, err = self.run_import(SimpleUploadedFile("x.xlsx", b"hello"))
        self.assertEqual((code, summary["rows"]), (2, 0))
        self.assertIn("不是 Excel", err)

    def test_stats_counts_every_register_and_each_round(self):
        round_ = models.Round.objects.create(
            number=1, title="第一轮", starts_on="2026-03-02", ends_on="2026-03-31", status="open"
        )
        models.Visit.objects.create(
            round=round_, household=self.household, pair=self.pair, visited_at=at(2026, 3, 3),
            method="in_person", recorded_by=self.dispatcher, recorded_at=at(2026, 3, 3),
        )  # fmt: skip
        out = io.StringIO()
        call_command("registry", "stats", stdout=out)
        stats = json.loads(out.getvalue().strip().splitlines()[-1])
        self.assertEqual((stats["households"], stats["residents"], stats["cadres"]), (3, 2, 2))
        self.assertEqual((stats["pairs"], stats["zones"], stats["visits"]), (1, 1, 1))
        self.assertEqual(
            stats["per_round"], [{"number": 1, "status": "open", "households": 3, "visited": 1}]
        )
