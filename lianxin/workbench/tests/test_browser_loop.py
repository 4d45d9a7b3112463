"""The whole case loop in a real browser (Playwright driving Debian's Chromium).

Each role has its own browser context, as each person has his own phone or desk.
Screenshots of every step go to test-artifacts/browser/ for a person to look at.
"""

import io
import re

from PIL import Image

from lianxin.cases.models import Case, Status
from lianxin.test import BrowserTestCase

XSS_TITLE = "<script>alert(1)</script>路灯不亮"
XSS_TEXT = '"><img src=x onerror=alert(1)> 福临苑3号楼门口的路灯坏了一个多星期，晚上看不清路。'


class CaseLoopInTheBrowserTest(BrowserTestCase):
    def open_case(self, page, case):
        page.goto(f"{self.live_server_url}/cases/{case.pk}/")

    def act(self, page, label):
        """Open an action's form on the case page and submit it (htmx swaps the result in)."""
        page.click(f"details summary:text-is('{label}')")
        return page.locator("details[open] form")

    def status_of(self, case):
        return Case.objects.get(pk=case.pk).status

    def test_a_concern_goes_round_the_whole_loop(self):
        resident = self.person("resident", "pw-resident", phone=True)
        office = self.person("dispatcher", "pw-dispatcher")
        handler = self.person("handler_a", "pw-handler_a")
        other = self.person("handler_b", "pw-handler_b")

        # 1. The resident reports it, with a photo, from his phone.
        resident.goto(self.live_server_url + "/m/")
        resident.select_option("select[name=category]", str(self.category.pk))
        resident.fill("input[name=title]", XSS_TITLE)
        resident.fill("textarea[name=text]", XSS_TEXT)
        resident.set_input_files("input[name=photos]", [png("路灯.png")])
        resident.fill("input[name=address]", "福临苑小区3号楼门口")
        resident.fill("input[name=phone]", "13812341234")
        resident.click("button:text-is('提交')")
        number = resident.locator("p.tracking").inner_text()
        self.assertRegex(number, r"^LX-\d{4}-\d{6}$")
        self.snap(resident, "resident-submitted")
        case = Case.objects.get(tracking_number=number)
        self.assertEqual((case.resident, case.photos.count()), (self.resident, 1))

        # 2. The office sees it waiting and dispatches it to department A.
        office.goto(self.live_server_url + "/")
        self.assertEqual(queue_count(office, "待派单"), 1)
        self.snap(office, "office-inbox")
        self.open_case(office, case)
        self.assertIn(XSS_TITLE, office.locator("h1").inner_text())  # shown as text
        form = self.act(office, "派单")
        form.locator("select[name=unit]").select_option(str(self.dept_a.pk))
        form.locator("button[type=submit]").click()
        office.wait_for_selector("text=已完成：派单")
        self.snap(office, "office-dispatched")
        self.assertEqual(self.status_of(case), Status.DISPATCHED)
        other.goto(f"{self.live_server_url}/cases/{case.pk}/")
        self.assertIn("Not Found", other.content())  # department B: not its case

        # 3. Department A returns it once.
        handler.goto(self.live_server_url + "/")
        self.assertEqual(queue_count(handler, "待接单"), 1)
        self.open_case(handler, case)
        handler.fill("input[name=reason]", "路灯属于城管路灯所，请核实后改派")
        handler.click("form.part-action button:text-is('退单')")
        handler.wait_for_url(self.live_server_url + "/")
        self.assertEqual(self.status_of(case), Status.RETURNED)

        # 4. The office re-dispatches it to department A after checking.
        office.goto(self.live_server_url + "/")
        self.assertEqual(queue_count(office, "退单待审核"), 1)
        self.open_case(office, case)
        form = self.act(office, "派单")
        form.locator("select[name=unit]").select_option(str(self.dept_a.pk))
        form.locator("textarea[name=instruction]").fill("经核实属城管职责，请接单办理")
        form.locator("button[type=submit]").click()
        office.wait_for_selector("text=已完成：派单")

        # 5. Department A accepts, replies and resolves.
        self.open_case(handler, case)
        handler.click("form.part-action button:text-is('接单')")
        handler.wait_for_selector("text=已完成：接单")
        form = self.act(handler, "答复群众")
        form.locator("textarea").fill("已安排维修班组本周内更换3号楼门口路灯灯具。")
        form.locator("button[type=submit]").click()
        handler.wait_for_selector("text=已完成：答复群众")
        self.resolve_in_page(handler, "已更换灯具，夜间照明恢复正常。")
        self.snap(handler, "handler-resolved")

        # The resident sees the reply on his phone, without staff names.
        resident.goto(f"{self.live_server_url}/m/cases/{case.pk}/")
        page = resident.content()
        self.assertIn("已安排维修班组本周内更换", page)
        self.assertNotIn(self.handler_a.username, page)
        self.snap(resident, "resident-replied")

        # 6. The office verifies; 7. the resident is not satisfied: it goes back.
        self.verify_in_page(office)
        self.rate(resident, case, "unsatisfied", "灯换了两天又不亮了")
        self.assertEqual(self.status_of(case), Status.IN_PROGRESS)
        self.assertEqual(Case.objects.get(pk=case.pk).reopen_count, 1)
        self.snap(resident, "resident-reopened")

        # 8. Resolved again, verified, and this time the resident is satisfied: closed.
        self.open_case(handler, case)
        self.resolve_in_page(handler, "更换整套灯具和线路，连续三晚复查照明正常。")
        self.verify_in_page(office)
        self.rate(resident, case, "satisfied", "")
        self.assertEqual(self.status_of(case), Status.CLOSED)
        self.snap(resident, "resident-closed")
        self.open_case(office, case)
        self.snap(office, "office-closed")
        self.assertIn("已办结归档", office.locator("h1").inner_text())

        # The markup in the concern never ran, on any page.
        self.assertEqual(self.dialogs, [])

    def test_a_split_case_with_an_approved_extension(self):
        from lianxin.cases import actions

        case = actions.do_register_case(
            actor=self.grid_worker,
            channel="patrol",
            title="小区路面塌陷、路灯倒伏",
            text="福临苑南门路面塌陷一处，旁边路灯杆也歪倒了，需要住建和城管一起处理。",
            address="福临苑小区南门",
            grid=self.grid,
            category=self.category,
        )
        office = self.person("dispatcher", "pw-dispatcher")
        lead = self.person("handler_a", "pw-handler_a")
        co = self.person("handler_b", "pw-handler_b")

        self.open_case(office, case)
        form = self.act(office, "分派多部门")
        form.locator("select[name=unit]").select_option(str(self.dept_a.pk))
        form.locator(f"input[name=co_units][value='{self.dept_b.pk}']").check()
        form.locator("button[type=submit]").click()
        office.wait_for_selector("text=已完成：分派多部门")
        self.snap(office, "split-dispatched")

        # Both departments see it; each accepts its own part.
        for page in (lead, co):
            self.open_case(page, case)
            page.click("form.part-action button:text-is('接单')")
            page.wait_for_selector("text=已完成：接单")

        # The lead asks for more time; the office approves it and the deadline moves.
        due = Case.objects.get(pk=case.pk).resolve_due_at
        form = self.act(lead, "申请延期")
        form.locator("input[name=working_days]").fill("5")
        form.locator("textarea[name=reason]").fill("路面修复需等待沥青摊铺队排期")
        form.locator("button[type=submit]").click()
        lead.wait_for_selector("text=已完成：申请延期")
        self.open_case(office, case)
        form = self.act(office, "审批延期")
        form.locator("input[name=approve][value='1']").check()  # no decision is preset
        form.locator("button[type=submit]").click()
        office.wait_for_selector("text=已完成：审批延期")
        self.assertGreater(Case.objects.get(pk=case.pk).resolve_due_at, due)
        self.snap(office, "split-extension-approved")

        # The lead cannot resolve before the co-handler is done.
        form = self.act(lead, "办结")
        form.locator("textarea[name=note]").fill("路灯杆已扶正加固，路面已修复。")
        form.locator("button[type=submit]").click()
        lead.wait_for_selector("text=协办单位尚未完成：区住房和城乡建设局")
        self.snap(lead, "split-lead-must-wait")
        self.open_case(co, case)
        co.fill("form.part-action input[name=note]", "南门塌陷路面已回填修复")
        co.click("form.part-action button:text-is('报告完成')")
        co.wait_for_selector("text=已完成：协办完成")
        self.open_case(lead, case)
        self.resolve_in_page(lead, "路灯杆已扶正加固，住建部门已修复塌陷路面。")
        self.assertEqual(self.status_of(case), Status.RESOLVED)
        self.snap(lead, "split-resolved")
        self.assertEqual(self.dialogs, [])

    def resolve_in_page(self, handler, note):
        form = self.act(handler, "办结")
        form.locator("textarea[name=note]").fill(note)
        form.locator("button[type=submit]").click()
        handler.wait_for_selector("text=已完成：办结")

    def verify_in_page(self, office):
        office.goto(self.live_server_url + "/")
        self.assertEqual(queue_count(office, "待核查"), 1)
        office.click("a.queue:has-text('待核查')")
        office.click("table.list tbody tr:first-child a")
        form = self.act(office, "核查")
        form.locator("button[type=submit]").click()  # no verdict is preset: nothing happens
        self.assertEqual(office.locator("text=已完成：核查").count(), 0)
        form.locator("input[name=passed][value='1']").check()
        form.locator("button[type=submit]").click()
        office.wait_for_selector("text=已完成：核查")

    def rate(self, resident, case, satisfaction, comment):
        resident.goto(f"{self.live_server_url}/m/cases/{case.pk}/")
        resident.check(f"input[name=satisfaction][value={satisfaction}]")
        resident.check("input[name=solved][value={}]".format("no" if comment else "yes"))
        if comment:
            resident.fill("textarea[name=comment]", comment)
        resident.click("button:text-is('提交评价')")
        resident.wait_for_load_state()


def queue_count(page, label) -> int:
    text = page.locator(f"a.queue:has-text('{label}') .count").inner_text()
    return int(re.sub(r"\D", "", text))


def png(name):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(buffer, "PNG")
    return {"name": name, "mimeType": "image/png", "buffer": buffer.getvalue()}
