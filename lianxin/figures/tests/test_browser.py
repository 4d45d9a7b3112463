"""The dashboard and a drill-down in Chromium; screenshots go to test-artifacts/figures/."""

import datetime as dt

from django.utils import timezone

from lianxin.cases.models import Channel
from lianxin.test import BrowserTestCase


class DashboardInTheBrowserTest(BrowserTestCase):
    artifacts = "figures"

    def build_cases(self):
        now = timezone.now()

        def ago(days, hours=0):
            return now - dt.timedelta(days=days, hours=hours)

        units = [self.dept_a, self.dept_b, self.dept_c]
        channels = [Channel.PATROL, Channel.PHONE, Channel.WEB, Channel.CITY]
        for i in range(24):
            start = 40 - i - (i % 3)
            whens = [ago(start, 6), ago(start, 5), ago(start - 1), ago(start - 2)]
            whens += [ago(start - 4 - i % 5), ago(start - 8), ago(start - 9)]
            until = ["closed", "closed", "replied", "resolved", "in_progress", "closed"][i % 6]
            self.through(
                whens,
                unit=units[i % 3],
                until=until,
                channel=channels[i % 4],
                grid=[self.grid, self.other_grid][i % 2],
                leader=self.leader if i % 7 == 0 else None,
            )
        for i in range(6):
            self.new(ago(i % 4), grid=self.other_grid)

    def wait_for_chart(self, page, element_id):
        """ECharts has drawn into the element: its SVG has shapes beyond the axes."""
        page.wait_for_function(
            "id => document.querySelectorAll(`#${id} svg path`).length > 8", arg=element_id
        )

    def test_the_dashboard_draws_and_a_figure_opens_its_cases(self):
        self.build_cases()
        page = self.person("dispatcher", "pw-dispatcher")
        page.goto(self.live_server_url + "/figures/")
        self.wait_for_chart(page, "chart-trend")
        self.wait_for_chart(page, "chart-status")
        self.assertIn("统计分析", page.title())
        total = int(page.locator(".fig-card.big .value").inner_text())
        self.assertEqual(total, 30)
        self.snap(page, "dashboard")

        charts = page.evaluate(
            """() => ["chart-trend", "chart-status", "chart-breakdown", "chart-ranking"].map(id => {
                const chart = echarts.getInstanceByDom(document.getElementById(id));
                return chart ? !!chart.getOption().toolbox[0].feature.saveAsImage : false;
            })"""
        )
        self.assertEqual(charts, [True, True, True, True])  # each can be saved as an image

        page.goto(self.live_server_url + "/figures/?period=last30&step=month")
        self.wait_for_chart(page, "chart-trend")
        months = page.evaluate(
            "() => echarts.getInstanceByDom(document.getElementById('chart-trend'))"
            ".getOption().xAxis[0].data"
        )
        self.assertTrue(months)
        for label in months:
            self.assertRegex(label, r"^\d{4}年\d{1,2}月$")
        page.goto(self.live_server_url + "/figures/")
        self.wait_for_chart(page, "chart-trend")

        page.click("nav.tabs >> text=网格")
        self.wait_for_chart(page, "chart-breakdown")
        self.snap(page, "dashboard-by-grid")

        rate = page.locator(".fig-card", has_text="按期答复率")
        expected = int(rate.locator(".note a").nth(1).inner_text())
        rate.locator(".note a").nth(1).click()
        page.wait_for_load_state()
        self.assertIn(f"共 {expected} 件", page.locator("h1").inner_text())
        self.assertEqual(page.locator("table.list tbody tr").count(), min(expected, 30))
        self.snap(page, "drilldown")
