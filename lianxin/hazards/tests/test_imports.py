"""Importing places from the offices' .xlsx lists: the template, a title row and header
variants, every kind of row error, idempotence, and who may import."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from lianxin.hazards.imports import import_places
from lianxin.hazards.models import Place, PlaceKind
from lianxin.hazards.tests.test_actions import HazardTestCase
from lianxin.sheets import ImportRefused

HEADER = ["序号", "单位名称", "类型", "社区/村", "网格", "监管单位", "地址", "负责人", "电话"]


def xlsx(rows, title="海岚街道2026年检查对象清单", header=HEADER):
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("places.xlsx", buffer.getvalue())


GOOD = [
    [
        1,
        "海岚机械厂",
        "企业",
        "福临社区",
        "g1",
        "区住房和城乡建设局",
        "海岚路1号",
        "赵强",
        "13911112222",
    ],
    [2, "海岚小学", "学校", "c1", "", "dept-c", "", "", ""],
    [3, "青峰家园", "小区", "青峰社区", "", "青峰街道", "", "", "0532-88886666"],
]


class PlaceImportTests(HazardTestCase):
    def test_a_title_row_header_variants_and_idempotence(self):
        result = import_places(xlsx(GOOD), actor=self.dispatcher)
        self.assertEqual(
            result.summary(), {"rows": 3, "created": 3, "updated": 0, "unchanged": 0, "errors": 0}
        )
        place = Place.objects.get(name="海岚机械厂")
        self.assertEqual(
            (place.kind, place.grid, place.responsible_unit, place.contact_phone),
            (PlaceKind.ENTERPRISE, self.grid, self.dept_b, "13911112222"),
        )
        self.assertEqual(Place.objects.get(name="海岚小学").responsible_unit, self.dept_c)
        again = import_places(xlsx(GOOD), actor=self.dispatcher)
        self.assertEqual(
            again.summary(), {"rows": 3, "created": 0, "updated": 0, "unchanged": 3, "errors": 0}
        )
        changed = [row[:] for row in GOOD]
        changed[0][6] = "海岚路3号"
        self.assertEqual(import_places(xlsx(changed), actor=self.dispatcher).updated, 1)
        self.assertEqual(Place.objects.count(), 3 + 3)  # the builders' three, and these

    def test_every_kind_of_row_error_names_its_row(self):
        rows = [
            [1, "", "企业", "福临社区", "", "dept-b", "", "", ""],
            [2, "甲厂", "工厂", "福临社区", "", "dept-b", "", "", ""],
            [3, "乙厂", "企业", "不存在社区", "", "dept-b", "", "", ""],
            [4, "丙厂", "企业", "福临社区", "不存在网格", "dept-b", "", "", ""],
            [5, "丁厂", "企业", "福临社区", "g2", "dept-b", "", "", ""],
            [6, "戊厂", "企业", "福临社区", "", "不存在局", "", "", ""],
            [7, "己厂", "企业", "福临社区", "", "dept-b", "", "", "12345"],
            [8, "庚厂", "企业", "福临社区", "", "dept-b", "", "", ""],
        ]
        result = import_places(xlsx(rows), actor=self.dispatcher)
        self.assertEqual((result.rows, result.created), (8, 1))
        errors = dict(result.errors)
        self.assertEqual(sorted(errors), [3, 4, 5, 6, 7, 8, 9])
        self.assertIn("单位名称为空", errors[3])
        self.assertIn("类型“工厂”无法识别", errors[4])
        self.assertIn("找不到社区“不存在社区”", errors[5])
        self.assertIn("找不到网格", errors[6])
        self.assertIn("网格须属于所选社区", errors[7])
        self.assertIn("找不到责任单位", errors[8])
        self.assertIn("联系电话格式不正确", errors[9])

    def test_files_that_are_not_such_a_list_are_refused(self):
        with self.assertRaises(ImportRefused) as refused:
            import_places(xlsx(GOOD, header=["名字", "类型"]), actor=self.dispatcher)
        self.assertIn("未找到表头", refused.exception.message)
        with self.assertRaises(ImportRefused) as refused:
            import_places(SimpleUploadedFile("a.xlsx", b"not a zip"), actor=self.dispatcher)
        self.assertIn("不是 Excel", refused.exception.message)
        with self.assertRaises(ImportRefused) as refused:
            import_places(xlsx(GOOD, header=[*HEADER, "注册资本"]), actor=self.dispatcher)
        self.assertIn("无法识别的列：注册资本", refused.exception.message)

    def test_the_page_the_template_and_who_may_import(self):
        url = reverse("hazards:places_import")
        self.client.force_login(self.street_staff)
        template = self.client.get(reverse("hazards:places_template"))
        header = [c.value for c in load_workbook(io.BytesIO(template.content)).active[1]]
        self.assertEqual(header[:3], ["单位名称", "类型", "所属社区"])
        page = self.client.post(url, {"file": xlsx(GOOD)})
        # The street may register places in its own area only: 青峰家园 is refused.
        self.assertContains(page, "新增2个")
        self.assertContains(page, "您无权登记该社区的检查对象")
        self.assertContains(self.client.post(url, {}), "请选择", status_code=400)
        for user in (self.handler_a, self.grid_worker):
            self.client.force_login(user)
            self.assertEqual(self.client.get(url).status_code, 404)


class CommandTests(HazardTestCase):
    def test_import_and_stats_from_the_command_line(self):
        import json
        import tempfile
        from io import StringIO
        from pathlib import Path

        from django.core.management import CommandError, call_command

        upload = xlsx([*GOOD, [4, "", "企业", "福临社区", "", "dept-b", "", "", ""]])
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "places.xlsx"
            path.write_bytes(upload.read())
            out, err = StringIO(), StringIO()
            call_command(
                "hazards", "import", str(path), "--as", "dispatcher", stdout=out, stderr=err
            )
            self.assertEqual(
                json.loads(out.getvalue()),
                {"rows": 4, "created": 3, "updated": 0, "unchanged": 0, "errors": 1},
            )
            self.assertIn("6: 单位名称为空", err.getvalue())
            with self.assertRaises(CommandError):
                call_command("hazards", "import", str(path), "--as", "nobody")
        self.fixed()
        out = StringIO()
        call_command("hazards", "stats", stdout=out)
        figures = json.loads(out.getvalue())["hazards"]
        self.assertEqual(
            (figures["found"], figures["fixed"], figures["rectification_rate"]), (1, 1, 100.0)
        )
