"""Category suggestion and the reply check in a real browser (Playwright, Debian's Chromium).

Screenshots go to test-artifacts/intel-triage/ for a person to look at.
"""

import tempfile
from pathlib import Path

from django.test import override_settings

from lianxin.cases import actions
from lianxin.cases.models import Case, Category, Status
from lianxin.intel.classifier import CategoryModel
from lianxin.intel.suggest import category_store
from lianxin.test import BrowserTestCase

LESSONS = {
    "street_lights": ["路灯不亮", "路灯坏了", "晚上路灯一直不亮", "路灯闪烁", "小区路灯损坏"],
    "roads": ["道路坑洼", "马路破损", "路面塌陷", "人行道破损", "马路坑洼不平"],
    "noise": ["夜间施工噪音", "广场舞噪音扰民", "工地噪音太大", "噪音扰民", "商铺音响噪音"],
}


class TriageInTheBrowserTest(BrowserTestCase):
    artifacts = "intel-triage"

    def setUp(self):
        super().setUp()
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.enterContext(override_settings(DATA_DIR=Path(tmp.name)))
        self.roads = Category.objects.create(
            code="roads", name="道路破损", parent=self.top_category, default_unit=self.dept_c
        )
        self.noise = Category.objects.create(
            code="noise", name="噪音扰民", parent=self.top_category, default_unit=self.dept_b
        )
        texts = [t for ts in LESSONS.values() for t in ts]
        labels = [code for code, ts in LESSONS.items() for _ in ts]
        category_store().publish(CategoryModel.train(texts, labels))

    def test_dispatch_with_a_suggestion_then_a_reply_sent_anyway(self):
        case = actions.do_register_case(
            actor=self.grid_worker,
            channel="patrol",
            title="和平路人行道破损，路面塌陷",
            text="和平路12号门口人行道砖块翘起，路面塌了一个坑，老人容易摔倒。",
            address="和平路12号",
            grid=self.grid,
            category=self.category,  # registered as 路灯照明: wrong
        )
        office = self.person("dispatcher", "pw-dispatcher")
        office.goto(f"{self.live_server_url}/cases/{case.pk}/")
        office.click("details summary:text-is('派单')")
        form = office.locator("details[open] form")
        suggestions = form.locator(".intel-suggest label.suggestion:has(.confidence)")
        self.assertEqual(suggestions.count(), 3)
        self.assertIn("道路破损", suggestions.first.inner_text())
        self.assertIn("区交通运输局", suggestions.first.inner_text())
        self.snap(office, "dispatch-suggestions")

        suggestions.first.click()  # one click: the category and its department
        self.assertEqual(form.locator("select[name=unit]").input_value(), str(self.dept_c.pk))
        form.locator("button[type=submit]").click()
        office.wait_for_selector("text=已完成：派单")
        case = Case.objects.get(pk=case.pk)
        self.assertEqual((case.category, case.lead_unit), (self.roads, self.dept_c))
        event = case.events.get(code="cases.case.dispatched")
        self.assertEqual(event.data["category_from"], self.category.pk)

        handler = self.person("handler_c", "pw-handler_c")
        handler.goto(f"{self.live_server_url}/cases/{case.pk}/")
        handler.click("form.part-action button:text-is('接单')")
        handler.wait_for_selector("text=已完成：接单")
        handler.click("details summary:text-is('答复群众')")
        form = handler.locator("details[open] form")
        form.locator("textarea[name=text]").fill("您好！您反映的问题已收悉，已转相关部门处理。")
        form.locator(".reply-check").wait_for()
        self.assertIn("只有套话", form.locator(".reply-check").inner_text())
        self.snap(handler, "reply-check-reasons")

        form.locator("button[type=submit]").click()  # the box is required: nothing is sent
        self.assertEqual(Case.objects.get(pk=case.pk).status, Status.IN_PROGRESS)
        form.locator("input[name=send_anyway]").check()
        form.locator("button[type=submit]").click()
        handler.wait_for_selector("text=已完成：答复群众")
        event = Case.objects.get(pk=case.pk).events.get(code="cases.case.replied")
        self.assertTrue(event.data["reply_check"]["overridden"])
        self.snap(handler, "reply-sent-anyway")
        self.assertEqual(self.dialogs, [])
