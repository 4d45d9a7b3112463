"""The seat's intake and return-visit pages in a real browser.

Screenshots go to test-artifacts/seat/ for a person to look at.
"""

from lianxin.cases.models import Case, Status
from lianxin.test import BrowserTestCase


class SeatInTheBrowserTest(BrowserTestCase):
    artifacts = "seat"

    def test_typing_a_callers_phone_shows_his_earlier_cases(self):
        earlier = self.dispatched(resident_phone="13912345678", title="福临苑楼道灯坏了")
        office = self.person("dispatcher", "pw-dispatcher")
        office.goto(f"{self.live_server_url}/intake/")
        self.assertEqual(office.locator("#id_channel").input_value(), "phone")
        office.fill("#id_resident_phone", "13912345678")
        office.locator("#caller-cases a", has_text=earlier.tracking_number).wait_for()
        self.assertIn("福临苑楼道灯坏了", office.locator("#caller-cases").inner_text())
        self.snap(office, "intake-caller-cases")

    def test_a_call_that_reached_nobody_moves_below_those_to_call(self):
        first = self.verified(title="井盖松动")
        second = self.verified(title="楼道灯坏了")
        office = self.person("dispatcher", "pw-dispatcher")
        office.goto(f"{self.live_server_url}/return-visits/")
        row = office.locator("tr", has_text="井盖松动")
        row.locator("input[name=note]").fill("无人接听")
        row.get_by_role("button", name="未接通，下个工作日再打").click()
        office.wait_for_selector("text=已完成：回访未接通")
        titles = office.locator("tbody tr td:nth-child(2)").all_inner_texts()
        self.assertEqual(titles, ["楼道灯坏了", "井盖松动"])
        self.assertIn("未接通 1 次", office.locator("tr", has_text="井盖松动").inner_text())
        self.snap(office, "return-visits-unreached")
        self.assertEqual(Case.objects.get(pk=first.pk).status, Status.VERIFIED)
        self.assertEqual(Case.objects.get(pk=second.pk).unreached_calls, 0)
