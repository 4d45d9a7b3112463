"""A cadre records a visit on his phone, and the network drops on the way (Playwright).

Screenshots go to test-artifacts/visits/ for a person to look at.
"""

import datetime as dt

from lianxin.cases.models import Case
from lianxin.registry import actions
from lianxin.registry.models import HeardCase, Question, Round, Tag, Visit
from lianxin.test import BrowserTestCase


class VisitOnThePhoneTest(BrowserTestCase):
    artifacts = "visits"

    def setUp(self):
        super().setUp()
        # A live-server test empties the tables after each test, the seeded tags with them.
        Tag.objects.get_or_create(code="dibao", defaults={"name": "低保"})
        Tag.objects.get_or_create(code="lao_junren", defaults={"name": "老军人", "group": "五老"})
        self.build_registers()
        round_ = Round.objects.create(
            number=2,
            title="第二轮大走访",
            starts_on=dt.date(2026, 6, 15),
            ends_on=dt.date(2026, 7, 31),
        )
        round_.priority_tags.set(Tag.objects.filter(code="dibao"))
        Question.objects.create(
            round=round_, position=1, text="家中是否有困难？", kind="yes_no", required=True
        )
        Question.objects.create(
            round=round_,
            position=2,
            text="对社区服务是否满意？",
            kind="choice",
            choices=["满意", "基本满意", "不满意"],
        )
        actions.do_open_round(round_, actor=self.dispatcher)

    def test_a_visit_typed_offline_is_kept_and_sent_when_the_phone_is_back_online(self):
        page = self.person("cadre_zhang", "pw-cadre_zhang", phone=True)
        page.goto(self.live_server_url + "/visits/")
        first = page.locator(".household").first
        self.assertIn("福临苑3号楼2单元301室", first.inner_text())  # 重点访 first
        self.assertIn("重点访", first.inner_text())
        self.snap(page, "my-households")

        first.locator("a").click()
        page.wait_for_selector("text=家中是否有困难？")
        page.click("label.choice:has-text('电话')")
        page.click("fieldset:has-text('家中是否有困难') label.choice:has-text('是')")
        page.click("label.choice:has-text('基本满意')")
        page.fill("textarea[name=note]", "电话联系，老人腿脚不便")
        page.fill("input[name=opinion_title]", "楼道灯坏了")
        page.fill("textarea[name=opinion_text]", "3号楼2单元楼道灯坏了一个月，晚上看不清")
        # A second row added by mistake and taken away again.
        page.click("[data-add-opinion]")
        self.assertEqual(page.locator("[data-opinion]").count(), 2)
        page.locator("[data-opinion]").nth(1).locator("[data-remove-opinion]").click()
        self.assertEqual(page.locator("[data-opinion]").count(), 1)
        self.snap(page, "visit-form-filled")

        # What was typed survives a reload.
        page.reload()
        self.assertEqual(page.input_value("textarea[name=note]"), "电话联系，老人腿脚不便")
        self.assertEqual(page.input_value("input[name=opinion_title]"), "楼道灯坏了")
        self.assertTrue(page.is_checked("label.choice:has-text('基本满意') input"))

        # The network drops as the cadre sends the form: it is kept on the phone.
        page.context.set_offline(True)
        page.click("button[type=submit]")
        page.wait_for_selector("text=已暂存，联网后自动提交")
        self.snap(page, "visit-queued-offline")
        self.assertFalse(Visit.objects.exists())

        # Back online, the phone sends it by itself and lands on the list.
        page.context.set_offline(False)
        page.wait_for_url(self.live_server_url + "/visits/", timeout=40_000)
        page.wait_for_selector("text=已记录对福临苑3号楼2单元301室的走访")
        self.snap(page, "visit-sent-online")

        visit = Visit.objects.get()
        self.assertEqual(visit.method, "phone")
        self.assertEqual(visit.answers, {"1": "yes", "2": "基本满意"})
        case = Case.objects.get()
        self.assertEqual((case.channel, case.title), ("visit", "楼道灯坏了"))
        self.assertEqual(HeardCase.objects.get().visit, visit)
        self.assertIn("本轮已走访", page.locator(".household").last.inner_text())
        self.assertEqual(page.evaluate("localStorage.length"), 0)  # draft and queue cleared

    def test_the_community_sees_the_visits_due_in_its_inbox(self):
        actions.do_open_urgent_visit(self.neighbour, actor=self.community_staff, reason="老人住院")
        desk = self.person("community_staff", "pw-community_staff")
        desk.goto(self.live_server_url + "/")
        self.snap(desk, "community-inbox")
        desk.click("a.queue:has-text('待及时访')")
        desk.wait_for_url("**/visits/?due=urgent")
        self.assertEqual(desk.locator(".household").count(), 1)
        self.assertIn("福临苑3号楼2单元302室", desk.locator(".household").inner_text())
        self.snap(desk, "community-urgent-visits")

    def test_the_office_sees_its_rounds(self):
        office = self.person("dispatcher", "pw-dispatcher")
        office.goto(self.live_server_url + "/visits/rounds/")
        row = office.locator("tbody tr").first
        self.assertIn("第二轮大走访", row.inner_text())
        self.assertIn("0 / 1", row.inner_text())
        self.snap(office, "office-rounds")
