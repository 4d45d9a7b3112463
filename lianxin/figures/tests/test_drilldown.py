"""Every figure on the dashboard opens the list of exactly the cases it counts."""

import io

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from lianxin.cases import actions
from lianxin.cases.models import Channel
from lianxin.figures import metrics as m
from lianxin.test import LianxinTestCase, at

NOW = at(2026, 11, 20, 10)
PERIOD = "?period=range&start=2026-09-01&end=2026-11-20"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class MixedDistrict(LianxinTestCase):
    """Cases in every state, late and on time, in several units, grids and channels."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls().build_cases()

    def build_cases(self):
        week = [at(2026, 11, d, h) for d, h in ((2, 9), (2, 10), (3, 9), (4, 9), (10, 9))]
        week += [at(2026, 11, 11, 9), at(2026, 11, 12, 9)]
        self.through(week)
        self.through(week, unit=self.dept_b, channel=Channel.PHONE, grid=self.other_grid)
        sent_back = self.through(week[:6], until="verified")
        self.visit(sent_back, week[6], satisfaction="unsatisfied", solved=False)
        basic = self.through(week[:6], unit=self.dept_c, until="verified")
        self.visit(basic, week[6], satisfaction="basically", solved=False)
        self.through(week[:4], until="replied")
        self.through(week[:3], unit=self.dept_b, until="in_progress")
        self.through(week[:2], unit=self.dept_c, until="dispatched")
        late = self.through(
            [at(2026, 11, 2), at(2026, 11, 6), at(2026, 11, 13)], until="in_progress"
        )
        self.constrain(late, at(2026, 11, 16))
        led = self.through(week[:2], until="dispatched")
        actions.do_assign_leader(led, actor=self.dispatcher, leader=self.leader, when=week[2])
        self.new(at(2026, 11, 18), channel=Channel.PHONE)
        self.new(at(2026, 11, 19), grid=self.other_grid)
        actions.do_void_case(self.new(week[0]), actor=self.dispatcher, reason="测试", when=week[1])
        actions.do_withdraw_case(
            self.new(week[0]), actor=self.dispatcher, reason="已自行解决", when=week[1]
        )
        held = self.through(
            [at(2026, 9, 30, 9), at(2026, 9, 30, 10), at(2026, 10, 8)], until="replied"
        )
        self.resolve(held, at(2026, 10, 30))


class DrillDownTest(MixedDistrict):
    def count_at(self, url: str) -> int:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        return response.context["page"].paginator.count

    def check(self, cell: dict, where: str):
        if cell["kind"] == "score":
            return
        self.assertEqual(self.count_at(cell["num_url"]), cell["numerator"], (where, cell["code"]))
        if cell["kind"] == "rate":
            self.assertEqual(
                self.count_at(cell["den_url"]), cell["denominator"], (where, cell["code"], "den")
            )

    def test_every_figure_lists_exactly_its_cases(self):
        self.client.force_login(self.dispatcher)
        with time_machine.travel(NOW, tick=False):
            page = self.client.get("/figures/" + PERIOD).context
            self.assertEqual(page["cards"]["total"]["numerator"], 14)
            for code in m.METRICS:
                self.check(page["cards"][code], "card")
            for table in page["rankings"]:
                for row in table["ranked"] + table["unranked"]:
                    for cell in row["cells"]:
                        self.check(cell, row["label"])
            for row in page["leaders"]:
                for cell in row["cells"]:
                    self.check(cell, row["label"])
            for dimension in m.DIMENSIONS:
                page = self.client.get(f"/figures/{PERIOD}&by={dimension}").context
                self.assertTrue(page["breakdown"], dimension)
                total = 0
                for row in page["breakdown"]:
                    total += row["cells"][0]["numerator"]
                    for cell in row["cells"]:
                        self.check(cell, f"{dimension}={row['label']}")
                if dimension != "leader":
                    self.assertEqual(total, 14)  # the groups cover every case once

    def test_chart_points_and_hot_spots_list_their_cases(self):
        self.client.force_login(self.dispatcher)
        with time_machine.travel(NOW, tick=False):
            page = self.client.get("/figures/" + PERIOD + "&step=week").context
            charts = page["charts"]
            counts = charts["trend"]["counts"][0]["data"]
            self.assertEqual(sum(counts), 14)
            for url, count in zip(charts["trend"]["links"], counts, strict=True):
                self.assertEqual(self.count_at(url), count, url)
            for item in charts["status"]["items"]:
                self.assertEqual(self.count_at(item["url"]), item["value"], item["name"])
            for url, count in zip(
                charts["breakdown"]["links"], charts["breakdown"]["values"], strict=True
            ):
                self.assertEqual(self.count_at(url), count, url)
            hot = page["hot"]
            self.assertTrue(hot["category"] and hot["grid"])
            for item in hot["category"] + hot["grid"]:
                self.assertEqual(self.count_at(item["url"]), item["this_week"], item["label"])

    def test_a_unit_sees_only_the_figures_of_its_own_cases(self):
        self.client.force_login(self.handler_b)
        with time_machine.travel(NOW, tick=False):
            page = self.client.get("/figures/" + PERIOD).context
            # dept_b holds a live part of two cases: one closed, one in progress.
            self.assertEqual(page["cards"]["total"]["numerator"], 2)
            self.assertEqual(self.count_at(page["cards"]["total"]["num_url"]), 2)
        self.client.force_login(self.other_grid_worker)
        with time_machine.travel(NOW, tick=False):
            page = self.client.get("/figures/" + PERIOD).context
            self.assertEqual(page["cards"]["total"]["numerator"], 2)

    def test_residents_have_no_dashboard(self):
        self.client.force_login(self.resident)
        self.assertEqual(self.client.get("/figures/").status_code, 404)
        self.assertEqual(self.client.get("/figures/cases/").status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get("/figures/").status_code, 302)

    def test_bad_parameters(self):
        self.client.force_login(self.dispatcher)
        self.assertEqual(self.client.get("/figures/cases/?metric=nope").status_code, 404)
        self.assertEqual(self.client.get("/figures/cases/?dim=nope").status_code, 404)
        self.assertEqual(self.client.get("/figures/cases/?dim=grid&key=x").status_code, 404)
        response = self.client.get("/figures/?period=range&start=2026-11-20&end=2026-11-01")
        self.assertContains(response, "结束日期不能早于开始日期。")
        # A figure taken "in the future" is taken now.
        response = self.client.get("/figures/cases/?asof=2999-01-01T00:00:00%2B08:00")
        self.assertEqual(response.status_code, 200)

    def test_the_pages_query_count_does_not_grow_with_the_rows(self):
        self.client.force_login(self.dispatcher)
        with time_machine.travel(NOW, tick=False):
            self.client.get("/figures/")  # warm the per-process caches (settings, calendar)
            with CaptureQueriesContext(connection) as before:
                self.client.get("/figures/" + PERIOD + "&by=grid")
            with CaptureQueriesContext(connection) as list_before:
                self.client.get("/figures/cases/" + PERIOD)
            self.build_cases()
            with CaptureQueriesContext(connection) as after:
                self.client.get("/figures/" + PERIOD + "&by=grid")
            with CaptureQueriesContext(connection) as list_after:
                self.client.get("/figures/cases/" + PERIOD)
        self.assertEqual(len(before), len(after))
        self.assertEqual(len(list_before), len(list_after))
        self.assertLess(len(after), 40)


class PeriodFormTest(MixedDistrict):
    def selection_of(self, query: str):
        with time_machine.travel(NOW, tick=False):
            return self.client.get("/figures/" + query).context["selection"]

    def test_presets_ranges_and_the_default(self):
        import datetime as dt

        self.client.force_login(self.dispatcher)
        day = dt.date
        cases = {
            "": (day(2026, 1, 1), day(2026, 11, 20)),  # this year
            "?by=grid": (day(2026, 1, 1), day(2026, 11, 20)),
            "?period=today": (day(2026, 11, 20), day(2026, 11, 20)),
            "?period=week": (day(2026, 11, 16), day(2026, 11, 20)),
            "?period=month": (day(2026, 11, 1), day(2026, 11, 20)),
            "?period=quarter": (day(2026, 10, 1), day(2026, 11, 20)),
            "?period=last30": (day(2026, 10, 22), day(2026, 11, 20)),
            "?start=2026-11-02&end=2026-11-03": (day(2026, 11, 2), day(2026, 11, 3)),
            # A preset wins over dates left in the fields from the previous page.
            "?period=month&start=2026-01-01&end=2026-11-20": (day(2026, 11, 1), day(2026, 11, 20)),
        }
        for query, expected in cases.items():
            selection = self.selection_of(query)
            self.assertEqual((selection.start, selection.end), expected, query)
        with time_machine.travel(NOW, tick=False):
            page = self.client.get("/figures/?period=month")
        self.assertContains(page, 'value="2026-11-01"')  # the dates are shown


class ExportTest(MixedDistrict):
    """The figures page and every drill-down export what they show, as .xlsx."""

    def sheet(self, url):
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        self.assertEqual(response["Content-Type"], XLSX)
        return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active

    def test_every_drill_down_exports_its_cases(self):
        self.client.force_login(self.dispatcher)
        with time_machine.travel(NOW, tick=False):
            page = self.client.get("/figures/" + PERIOD).context
            for code in ("total", "in_progress", "unsatisfied", "first_satisfaction"):
                cell = page["cards"][code]
                for side in ("num_url", "den_url") if "den_url" in cell else ("num_url",):
                    drill = cell[side]
                    listed = self.client.get(drill).context["page"].paginator.count
                    query = drill.split("?", 1)[1]
                    sheet = self.sheet(f"/ledgers/export/figure_cases.xlsx?{query}")
                    self.assertEqual(sheet.max_row - 1, listed, (code, side))  # less the header
                    html = self.client.get(drill).content.decode()
                    self.assertIn(
                        f"/ledgers/export/figure_cases.xlsx?{query}", html.replace("&amp;", "&")
                    )

    def test_the_figures_page_exports_its_table_and_each_ranking(self):
        self.client.force_login(self.dispatcher)
        with time_machine.travel(NOW, tick=False):
            response = self.client.get("/figures/" + PERIOD + "&by=channel")
            html = response.content.decode().replace("&amp;", "&")
            query = response.context["export_query"]
            self.assertIn(f"/ledgers/export/figures.xlsx?{query}", html)
            sheet = self.sheet(f"/ledgers/export/figures.xlsx?{query}")
            labels = [sheet.cell(row=r, column=1).value for r in range(2, sheet.max_row + 1)]
            shown = [str(row["label"]) for row in response.context["breakdown"]]
            self.assertEqual(sorted(labels), sorted(shown))
            for table in response.context["rankings"]:
                url = f"/ledgers/export/ranking.xlsx?{query}&peers={table['code']}"
                rows = table["ranked"] + table["unranked"]
                if not rows:  # no public enterprise here: neither the table nor its link
                    self.assertNotIn(url, html)
                    continue
                self.assertIn(url, html)
                sheet = self.sheet(url)
                self.assertEqual(sheet.max_row - 1, len(rows), table["code"])
