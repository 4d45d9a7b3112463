"""Similar reports nearby and "me too" on a phone; duplicates and topics at the desk."""

import pytest
from django.utils import timezone

from lianxin.cases import actions
from lianxin.cases.models import Case, Channel
from lianxin.intel.topicsync import refresh_topics
from lianxin.test import BrowserTestCase

LAMPS = [
    ("福临苑3号楼门口路灯不亮", "福临苑小区3号楼门口的路灯坏了，晚上看不清路。", "13900000001"),
    ("福临苑3号楼路灯坏了好几天", "3号楼门口路灯一直不亮，老人出门不方便。", "13900000002"),
    ("福临苑小区3号楼门前路灯不亮", "路灯坏了一个多星期没人修。", "13900000003"),
]


@pytest.mark.browser
class IntelInTheBrowserTest(BrowserTestCase):
    artifacts = "intel"

    def register_concern(self, title, text, phone):
        return actions.do_register_case(
            actor=self.grid_worker,
            channel=Channel.PATROL,
            title=title,
            text=text,
            address="福临苑小区3号楼",
            grid=self.grid,
            category=self.category,
            resident_phone=phone,
            when=timezone.now(),
        )

    def test_a_visitor_sees_the_same_lamp_and_says_me_too(self):
        case = self.register_concern(*LAMPS[0])
        context = self.browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        self.addCleanup(context.close)
        page = context.new_page()
        page.goto(self.live_server_url + "/m/")
        page.fill("input[name=title]", "3号楼门口路灯坏了")
        page.fill("textarea[name=text]", "福临苑3号楼门口路灯晚上不亮，很不安全。")
        page.fill("input[name=phone]", "13911112222")
        page.fill("input[name=address]", "福临苑小区3号楼")
        page.locator("input[name=address]").blur()
        page.wait_for_selector("text=附近已有相似的反映")
        similar = page.locator("#similar").inner_text()
        self.assertIn(case.title, similar)
        self.assertNotIn("13900000001", page.content())
        page.locator("#similar").scroll_into_view_if_needed()
        self.snap(page, "portal-similar-nearby")
        page.click("#similar button:text-is('我也反映')")
        page.wait_for_selector("text=已为您附议")
        self.snap(page, "portal-me-too-done")
        self.assertEqual(Case.objects.get(pk=case.pk).support_count, 1)

    def test_the_office_sees_duplicates_and_handles_a_topic(self):
        cases = [self.register_concern(*lamp) for lamp in LAMPS]
        self.register_concern("福临苑小区垃圾无人清运", "垃圾桶满了好几天没人清理。", "13900000009")
        [topic] = refresh_topics()
        office = self.person("dispatcher", "pw-dispatcher")
        office.goto(f"{self.live_server_url}/cases/{cases[-1].pk}/")
        office.wait_for_selector("text=本件并入")
        self.snap(office, "case-duplicates")
        office.goto(self.live_server_url + "/intel/topics/")
        self.assertIn(topic.title, office.locator("table.topics").inner_text())
        self.snap(office, "topic-list")
        office.click(f"text={topic.title}")
        office.wait_for_selector("text=统一派单")
        office.select_option("select[name=dispatch-unit]", str(self.dept_a.pk))
        self.snap(office, "topic-office")
        office.click("button:text-is('对所选诉求派单')")
        office.wait_for_selector("text=已派单 3 件")
        self.snap(office, "topic-dispatched")
        self.assertEqual(
            {c.lead_unit_id for c in Case.objects.filter(pk__in=[c.pk for c in cases])},
            {self.dept_a.pk},
        )
