"""Every page a person works in passes axe-core's WCAG 2 A and AA rules, and the forms
work from the keyboard alone: labels on every field, readable contrast, reachable controls.
"""

from lianxin.cases import actions
from lianxin.cases.models import Channel
from lianxin.test import AXE_URL, RUN_AXE, BrowserTestCase


class AccessibilityTest(BrowserTestCase):
    artifacts = "accessibility"

    def violations(self, page, path):
        page.goto(self.live_server_url + path)
        page.add_script_tag(url=self.live_server_url + AXE_URL)
        return page.evaluate(RUN_AXE)

    def assert_accessible(self, page, *paths):
        found = {path: self.violations(page, path) for path in paths}
        found = {path: problems for path, problems in found.items() if problems}
        self.assertEqual(found, {}, "axe-core found WCAG 2 A/AA violations")

    def a_case(self):
        case = actions.do_register_case(
            actor=self.grid_worker,
            channel=Channel.PATROL,
            title="福临苑3号楼门口路灯不亮",
            text="路灯坏了一个多星期，晚上老人出门看不清路。",
            address="福临苑小区3号楼",
            grid=self.grid,
            category=self.category,
            resident=self.resident,
            resident_phone="13812341234",
        )
        return actions.do_dispatch_case(case, actor=self.dispatcher, unit=self.dept_a)

    def test_the_office_pages_pass_axe(self):
        case = self.a_case()
        office = self.person("dispatcher", "pw-dispatcher")
        self.assert_accessible(
            office,
            "/",
            "/cases/",
            "/cases/?q=路灯&status=nonsense",
            f"/cases/{case.pk}/",
            "/intake/",
            "/intake/forum/",
            "/return-visits/",
        )

    def test_a_department_handler_s_case_page_passes_axe(self):
        case = self.a_case()
        handler = self.person("handler_a", "pw-handler_a")
        self.assert_accessible(handler, "/", f"/cases/{case.pk}/")

    def test_the_resident_pages_pass_axe_on_a_phone(self):
        case = self.a_case()
        resident = self.person("resident", "pw-resident", phone=True)
        self.assert_accessible(resident, "/m/", "/m/mine/", f"/m/cases/{case.pk}/")

    def test_the_check_catches_an_unlabelled_field_and_faint_text(self):
        context = self.browser.new_context(locale="zh-CN")
        self.addCleanup(context.close)
        page = context.new_page()
        page.goto(self.live_server_url + "/m/follow/")
        # Built through the DOM: a style attribute in markup is refused by the policy.
        page.evaluate(
            """() => {
                const main = document.querySelector('main');
                main.insertAdjacentHTML('beforeend', '<input type=text name=orphan><p>浅色字</p>');
                const faint = main.lastElementChild;
                faint.style.color = '#ccc';
                faint.style.background = '#fff';
            }"""
        )
        page.add_script_tag(url=self.live_server_url + AXE_URL)
        rules = {violation["rule"] for violation in page.evaluate(RUN_AXE)}
        self.assertTrue({"label", "color-contrast"} <= rules, rules)

    def test_the_sign_in_pages_pass_axe(self):
        context = self.browser.new_context(locale="zh-CN")
        self.addCleanup(context.close)
        self.assert_accessible(context.new_page(), "/login/", "/m/login/", "/m/follow/")

    def test_a_resident_can_report_a_concern_with_the_keyboard_alone(self):
        context = self.browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
        self.addCleanup(context.close)
        page = context.new_page()
        page.goto(self.live_server_url + "/m/")
        page.focus("select[name=category]")
        page.keyboard.press("ArrowDown")
        answers = {
            "title": "楼道灯不亮",
            "text": "三号楼二单元楼道灯坏了好几天。",
            "address": "福临苑小区3号楼",
            "phone": "13812341234",
        }
        # Tab from field to field as a keyboard user does, typing where each one asks.
        for _ in range(30):
            page.keyboard.press("Tab")
            name = page.evaluate("document.activeElement.name")
            if name in answers:
                page.keyboard.type(answers.pop(name))
            if not answers:
                break
        self.assertEqual(answers, {}, "some fields cannot be reached with Tab")
        focused_outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        self.assertNotEqual(focused_outline, "none", "the focused field shows no focus ring")
        page.keyboard.press("Enter")
        page.wait_for_selector("p.tracking")
        self.snap(page, "resident-submitted-by-keyboard")

    def test_a_page_with_a_message_passes_axe(self):
        # The list of messages is a list: the live-region role sits inside each item,
        # not on it (a <li role="alert"> is no list item, which axe refuses).
        case = self.a_case()
        handler = self.person("handler_a", "pw-handler_a")
        handler.goto(f"{self.live_server_url}/cases/{case.pk}/")
        handler.click("form.part-action button:text-is('接单')")
        handler.wait_for_selector("text=已完成：接单")
        handler.add_script_tag(url=self.live_server_url + AXE_URL)
        self.assertEqual(handler.evaluate(RUN_AXE), [])
        self.assertEqual(handler.locator(".messages [role=status]").inner_text(), "已完成：接单")
