"""The dashboard's tables as ledgers: figures by unit and the ranking, from lianxin.figures."""

import csv
import io

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from lianxin.cases import actions
from lianxin.cases.models import Case, Status
from lianxin.figures import metrics
from lianxin.orgs.models import DistrictSettings
from lianxin.test import LianxinTestCase
from lianxin.workdays.days import local_date


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


class FiguresExportTest(LianxinTestCase):
    def setUp(self):
        DistrictSettings.objects.update_or_create(pk=1, defaults={"ranking_min_cases": 2})
        self.case_in(Status.CLOSED)
        self.in_progress()
        self.dispatched(unit=self.dept_b)
        self.register()
        today = local_date(timezone.now()).isoformat()
        self.period = {"period": "range", "start": today, "end": today}

    def get(self, kind, fmt, **params):
        url = reverse("ledgers:export", args=[kind, fmt])
        return self.client.get(url, {**self.period, **params})

    def test_figures_by_unit_as_xlsx_match_the_dashboards_breakdown(self):
        self.client.force_login(self.dispatcher)
        response = self.get("figures", "xlsx")
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(list(rows[0]), [str(header) for _code, header in metrics.columns()])
        self.assertEqual(sheet.freeze_panes, "A2")
        ctx = metrics.Context.build()
        expected = metrics.breakdown(Case.objects.all(), "lead_unit", ctx)
        self.assertEqual(len(rows) - 1, len(expected))
        by_label = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
        dept_a = by_label["区城市管理局"]
        self.assertEqual(dept_a["登记总量"], 2)
        self.assertEqual(dept_a["办结率（%）"], 0.5)  # one of two resolved, shown as 50.0%
        self.assertEqual(sum(row[1] for row in rows[1:]), Case.objects.count())
        rate = sheet.cell(
            row=2, column=[str(h) for _c, h in metrics.columns()].index("办结率（%）") + 1
        )
        self.assertEqual(rate.number_format, "0.0%")

    def test_the_breakdown_follows_the_dashboards_grouping(self):
        self.client.force_login(self.dispatcher)
        rows = csv_rows(self.get("figures", "csv", by="grid"))
        self.assertIn("福临第一网格", [row[0] for row in rows[1:]])

    def test_the_ranking_lists_ranked_units_first_and_the_small_ones_apart(self):
        self.client.force_login(self.dispatcher)
        response = self.get("ranking", "csv")
        rows = csv_rows(response)
        # The departments' ranking (the default of the three peer groups).
        self.assertEqual(rows[0][:3], ["名次", "职能部门", "有效件"])
        self.assertEqual(rows[1][:3], ["1", "区城市管理局", "2"])
        self.assertEqual(rows[2][:2], ["件数过少", "区住房和城乡建设局"])
        self.assertEqual(len(rows), 3)

    def test_a_department_exports_only_its_own_figures(self):
        self.client.force_login(self.handler_b)
        response = self.get("figures", "csv")
        rows = csv_rows(response)
        self.assertEqual([row[0] for row in rows[1:]], ["区住房和城乡建设局"])
        self.client.force_login(self.resident)
        self.assertEqual(self.get("figures", "csv").status_code, 404)

    def test_a_rate_with_nothing_to_measure_is_an_empty_cell(self):
        actions.do_void_case(self.register(), actor=self.dispatcher, reason="重复录入")
        self.client.force_login(self.dispatcher)
        response = self.get("figures", "csv")
        rows = csv_rows(response)
        unassigned = dict(zip(rows[0], next(r for r in rows if r[0] == "（未派单）"), strict=True))
        self.assertEqual(unassigned["最终满意率（%）"], "")
