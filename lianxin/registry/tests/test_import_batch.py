"""Households are imported a chunk at a time (`do_save_households`); the result must be
exactly what saving each household on its own gives: the same households, residents,
tags, events and report, through every error kind, both layouts, header variants, a
second import of the same file and a corrected file."""

from unittest.mock import patch

import time_machine
from django.db import transaction

from lianxin.registry import imports
from lianxin.registry.imports import import_registers
from lianxin.registry.models import Building, Household, RegistryEvent, Resident
from lianxin.registry.tests.test_import import xlsx
from lianxin.test import LianxinTestCase, at

# One row per household, with header variants (社区/村, 家庭住址, 户主姓名, 手机号码, 人数).
PER_HOUSEHOLD = ["序号", "社区/村", "所属网格", "家庭住址", "楼栋", "户主姓名", "手机号码", "人数"]
PER_HOUSEHOLD += ["类型", "家庭成员"]
PER_PERSON = ["社区", "地址", "户主", "电话", "姓名", "关系", "出生年月", "人员类别"]


def per_household_rows(corrected: bool = False) -> list[list]:
    phone = "13811113333" if corrected else "13811112222"
    rows = [
        # A household already in the register (the builders'), its members listed anew.
        [1, "c1", "g1", "福临苑3号楼2单元301室", "", "王秀兰", "13812341234", 2,
         "", "王秀兰（户主，1948，低保）；赵国强（配偶，1946，老军人）"],
        [2, "福临社区", "福临第一网格", "福临苑5号楼1单元101室", "5号楼", "孙立", phone, 2,
         "", "孙立（户主，1950，独居）；周梅（配偶，1952）"],
        [3, "c1", "", "福临苑5号楼1单元102室", "", "钱多", "", "", "农村", ""],
        # The same flat spelt another way further down: the second row updates the first.
        [4, "c1", "", "福临苑5栋1-102", "", "钱多", "13900001234", 1, "", "钱多（户主，残疾）"],
        # Every error kind.
        [5, "无此社区", "", "某路1号", "", "甲", "", 1, "", ""],
        [6, "c1", "", "", "", "乙", "", 1, "", ""],
        [7, "c1", "", "福临苑9号楼101室", "", "", "", 1, "", ""],
        [8, "c1", "", "福临苑9号楼102室", "", "丙", "", 2.5, "", ""],
        [9, "c1", "", "福临苑9号楼103室", "", "丁", "", "三", "", ""],
        [10, "c1", "", "福临苑9号楼104室", "", "戊", "12345", 1, "", ""],
        [11, "c1", "青峰第一网格", "福临苑9号楼105室", "", "己", "", 1, "", ""],
        [12, "c1", "", "福临苑9号楼106室", "", "庚", "", 1, "", "庚（户主，不存在的标签）"],
        [13, "c1", "", "福临苑9号楼107室", "无此楼", "辛", "", 1, "", ""],
        [14, "c1", "", "福临苑9号楼108室", "", "壬", "", 1, "城乡", ""],
        [15, "c1", "", "福临苑9号楼109室", "", "癸" * 51, "", 1, "", ""],
        [16, "青峰社区", "", "青峰路8号2单元201室", "", "吴三", "0532-88886666", "", "", ""],
    ]  # fmt: skip
    if corrected:
        rows[3][9] = "钱多（户主，残疾）；钱小（子女，2010，低保）"
        rows[0][9] = "王秀兰（户主，1948，低保、独居）"  # 赵国强 moved out, a tag added
    return rows


def per_person_rows(corrected: bool = False) -> list[list]:
    rows = [
        ["c1", "福临苑5号楼1单元101室", "孙立", "13811112222", "孙立", "户主", 1950, "独居"],
        ["c1", "福临苑5号楼1单元101室", "孙立", "", "周梅", "妻子", "1952-03-01", ""],
        ["c1", "福临苑5号楼1-102", "钱多", "", "钱多", "户主", "", "低保、残疾"],
        ["c1", "福临苑5号楼1单元101室", "孙立", "", "孙小", "孙子", 2015, ""],
        # A household with a bad member row is left out whole.
        ["c1", "福临苑6号楼101室", "郑一", "", "郑一", "户主", "五二年", ""],
        ["c1", "福临苑6号楼101室", "郑一", "", "郑二", "子女", 1980, ""],
        ["c1", "福临苑6号楼102室", "", "", "李四", "子女", "", ""],
        ["c1", "福临苑6号楼103室", "冯七", "", "冯七", "户主", "", "无此标签"],
        ["无此社区", "某路1号", "甲", "", "甲", "户主", "", ""],
        ["青峰社区", "青峰路8号2单元201室", "吴三", "", "吴三", "户主", 1960, ""],
    ]  # fmt: skip
    if corrected:
        rows[1][6] = 1953
        rows[2][7] = "低保"
        del rows[3]  # 孙小 moved out
    return rows


def register() -> dict:
    """Everything the import writes, without ids or times."""
    households = {
        h.pk: (h.community_id, h.address_key)
        for h in Household.objects.order_by("community_id", "address_key")
    }
    return {
        "households": [
            Household.objects.filter(pk=pk)
            .values(
                "community_id", "address_key", "address", "kind", "grid_id", "building_id",
                "entrance", "room", "head_name", "phone", "member_count", "note", "active",
                "pair_id",
            )
            .get()
            for pk in households
        ],
        "residents": sorted(
            (
                households[r.household_id], r.name, r.relation, r.birth_year, r.phone, r.active,
                tuple(sorted(t.code for t in r.tags.all())),
            )
            for r in Resident.objects.prefetch_related("tags")
        ),
        "events": [
            (e.code, households.get(e.household_id), e.actor_id, e.data)
            for e in RegistryEvent.objects.filter(household__isnull=False).order_by("pk")
        ],
    }  # fmt: skip


@time_machine.travel(at(2026, 6, 17), tick=False)
class BatchMatchesRowByRowTest(LianxinTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build_registers(cls)
        Building.objects.create(
            community=cls.community, grid=cls.grid, name="5号楼", address="福临苑5号楼"
        )

    def imports(self, headers, rows, actor) -> list:
        """Import the file, the same file again, then the corrected file; the reports."""
        reports = []
        for step in (rows(), rows(), rows(corrected=True)):
            report = import_registers("households", xlsx(headers, step), actor=actor)
            reports.append([(r.row, r.outcome, r.message, r.label) for r in report.results])
        return reports

    def both_ways(self, headers, rows, actor=None):
        """(reports, register) imported a chunk at a time, then a household at a time."""
        found = []
        for size in (imports.HOUSEHOLD_CHUNK_ROWS, 1):
            with transaction.atomic(), patch.object(imports, "HOUSEHOLD_CHUNK_ROWS", size):
                found.append((self.imports(headers, rows, actor or self.dispatcher), register()))
                transaction.set_rollback(True)
        return found

    def test_one_row_per_household(self):
        (batch_reports, batch), (row_reports, by_row) = self.both_ways(
            PER_HOUSEHOLD, per_household_rows
        )
        self.assertEqual(batch_reports, row_reports)
        self.assertEqual(batch, by_row)
        first, again, corrected = batch_reports
        outcomes = [outcome for _row, outcome, _m, _l in first]
        self.assertEqual(outcomes[:4], ["unchanged", "created", "created", "updated"])
        self.assertEqual(outcomes.count("error"), 11, "every error kind is refused")
        messages = {row: message for row, outcome, message, _l in first if outcome == "error"}
        self.assertIn("未找到社区“无此社区”", messages[6])
        self.assertIn("不存在的标签", messages[13])
        self.assertIn("没有楼栋“无此楼”", messages[14])
        self.assertIn("超过户主的长度上限（50字）", messages[16])
        self.assertEqual(
            [outcome for _r, outcome, _m, _l in again if outcome != "error"][:3],
            ["unchanged", "unchanged", "updated"],
            "the same file twice: only the flat listed twice moves between its two rows",
        )
        qian = [e for e in batch["events"] if e[0] == "registry.household.updated"]
        self.assertIn({"changes": {"residents": ["~王秀兰", "-赵国强"]}}, [e[3] for e in qian])
        self.assertEqual([outcome for _r, outcome, _m, _l in corrected][:2], ["updated", "updated"])

    def test_one_row_per_person(self):
        (batch_reports, batch), (row_reports, by_row) = self.both_ways(PER_PERSON, per_person_rows)
        self.assertEqual(batch_reports, row_reports)
        self.assertEqual(batch, by_row)
        first, again, corrected = batch_reports
        self.assertEqual(
            [(row, outcome) for row, outcome, _m, _l in first if outcome != "error"],
            [(2, "created"), (3, "member"), (5, "member"), (4, "created"), (11, "created")],
        )
        self.assertEqual(
            [outcome for _r, outcome, _m, _l in again if outcome in ("created", "updated")], []
        )
        self.assertEqual(
            [(row, outcome) for row, outcome, _m, _l in corrected if outcome == "updated"],
            [(2, "updated"), (4, "updated")],
        )
        sun = [r for r in batch["residents"] if r[1] == "孙小"]
        self.assertEqual([r[5] for r in sun], [False], "moved out, not deleted")

    def test_a_community_imports_into_its_own_community_only(self):
        (batch_reports, batch), (row_reports, by_row) = self.both_ways(
            PER_HOUSEHOLD, per_household_rows, actor=self.community_staff
        )
        self.assertEqual(batch_reports, row_reports)
        self.assertEqual(batch, by_row)
        last = batch_reports[0][-1]
        self.assertEqual((last[0], last[1]), (17, "error"))
        self.assertIn("无权", last[2])
        self.assertNotIn("青峰路8号2单元201室", [h["address"] for h in batch["households"]])
