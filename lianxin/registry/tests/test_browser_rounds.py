"""The office writes a round's questionnaire in Chromium, is told in Chinese what is wrong,
and sees the round ready to open.

Screenshots go to test-artifacts/rounds/ for a person to look at.
"""

from lianxin.registry.models import Round, Tag
from lianxin.test import BrowserTestCase


class RoundFormInTheBrowserTest(BrowserTestCase):
    artifacts = "rounds"

    def setUp(self):
        super().setUp()
        # A live-server test empties the tables after each test, the seeded tags with them.
        Tag.objects.get_or_create(code="dibao", defaults={"name": "低保"})
        Tag.objects.get_or_create(code="duju", defaults={"name": "独居"})

    def test_the_office_writes_a_round_and_its_questionnaire(self):
        page = self.person("dispatcher", "pw-dispatcher")
        page.goto(self.live_server_url + "/visits/rounds/")
        page.click("a:has-text('新建轮次')")
        page.fill("input[name=number]", "3")
        page.fill("input[name=starts_on]", "2026-07-01")
        page.fill("input[name=ends_on]", "2026-06-20")
        page.fill("textarea[name=materials]", "联户连心服务卡、防汛明白纸")
        page.check("label:has-text('低保') input")
        page.fill("input[name=q-0-text]", "家中是否有困难？")
        page.check("input[name=q-0-required]")
        page.fill("input[name=q-1-text]", "对社区服务是否满意？")
        page.select_option("select[name=q-1-kind]", "choice")
        page.fill("textarea[name=q-1-choices]", "满意")
        page.click("button:has-text('保存')")
        page.wait_for_selector("text=结束日期不能早于开始日期。")
        self.assertIn("单选题至少需要两个选项。", page.inner_text("main"))
        self.snap(page, "round-form-errors")
        self.assertFalse(Round.objects.exists())

        page.fill("input[name=ends_on]", "2026-08-15")
        page.fill("textarea[name=q-1-choices]", "满意\n基本满意\n不满意")
        page.click("button:has-text('保存')")
        page.wait_for_selector("text=已保存“第3轮联户大走访”。")
        self.snap(page, "rounds-with-the-new-one")
        round_ = Round.objects.get()
        self.assertEqual(round_.questions.count(), 2)
        page.click("td a:has-text('修改')")
        page.wait_for_selector("text=修改“第3轮联户大走访”")
        self.assertEqual(page.input_value("textarea[name=q-1-choices]"), "满意\n基本满意\n不满意")
        self.snap(page, "round-form-edit")
