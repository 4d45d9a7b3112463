"""The office reads the log of unmasked views in a browser, filtered by a staff member.
Screenshots go to test-artifacts/disclosures/."""

from lianxin.test import BrowserTestCase


class DisclosureLogBrowserTest(BrowserTestCase):
    artifacts = "disclosures"

    def test_the_office_sees_a_handler_open_a_residents_phone(self):
        case = self.in_progress()
        handler = self.person("handler_a", "pw-handler_a")
        handler.goto(f"{self.live_server_url}/cases/{case.pk}/")
        handler.get_by_text("13812341234").first.wait_for()

        office = self.person("dispatcher", "pw-dispatcher")
        office.goto(f"{self.live_server_url}/return-visits/")
        office.click("nav summary:text-is('台账报表')")
        office.get_by_role("link", name="查看记录").click()
        office.wait_for_load_state()
        office.fill("input[name=viewer]", "handler_a")
        office.get_by_role("button", name="筛选").click()
        office.wait_for_load_state()
        table = office.locator("table.list tbody")
        self.assertIn(case.tracking_number, table.inner_text())
        self.assertIn("诉求详情页", table.inner_text())
        self.assertNotIn("13812341234", office.content())
        self.snap(office, "office-reads-the-log")
