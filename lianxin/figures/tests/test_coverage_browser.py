"""The coverage page in Chromium: the table, a tab, the not-visited list behind a number;
screenshots go to test-artifacts/figures/."""

from lianxin.figures.tests.test_coverage import build_counted
from lianxin.registry.models import Tag
from lianxin.test import BrowserTestCase


class CoverageInTheBrowserTest(BrowserTestCase):
    artifacts = "figures"

    def test_the_coverage_page_opens_the_households_not_yet_visited(self):
        # A live-server test empties the tables after it, the tags seeded by migration too.
        for code, name in [("dibao", "低保"), ("lao_junren", "老军人")]:
            Tag.objects.get_or_create(code=code, defaults={"name": name})
        build_counted(self)
        page = self.person("community_staff", "pw-community_staff")
        page.goto(self.live_server_url + "/figures/")
        page.click("text=走访覆盖（不漏一户、不少一人）")
        page.wait_for_load_state()
        self.assertIn("走访覆盖", page.title())
        self.assertEqual(page.locator(".fig-card.big .value").inner_text(), "6")
        self.snap(page, "coverage")

        page.click("nav.tabs >> text=联户组")
        page.wait_for_load_state()
        row = page.locator("table.coverage tbody tr", has_text="FL-02")
        self.assertEqual(row.locator("td").nth(3).inner_text(), "33.3%")
        self.snap(page, "coverage-by-pair")

        row.locator("a.warn").click()
        page.wait_for_load_state()
        self.assertIn("未走访", page.locator("h1").inner_text())
        addresses = page.locator("table.drill tbody tr td:nth-child(3)").all_inner_texts()
        self.assertEqual(addresses, ["福临苑5号楼1单元102室", "福临苑5号楼1单元201室"])
        self.assertEqual(page.locator("table.drill").get_by_text("13500001020").count(), 1)
        self.snap(page, "coverage-not-visited")
