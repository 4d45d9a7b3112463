"""A hazard from the inspection that finds it through its notice, the party's fix, the
re-inspection that finds it relapsed, a second round and its pass; the inspector on a
phone, the party through the notice's link without an account, the office on the map.
Screenshots in test-artifacts/browser-hazards/."""

from lianxin.cases.tests.images import image_bytes
from lianxin.hazards import links
from lianxin.hazards.models import Hazard, HazardStatus, Inspection, Notice
from lianxin.hazards.tests.builders import Hazards
from lianxin.test import AXE_URL, RUN_AXE, BrowserTestCase, at


def photo(name):
    return {"name": name, "mimeType": "image/png", "buffer": image_bytes("PNG")}


class HazardOnAPhoneTest(Hazards, BrowserTestCase):
    artifacts = "browser-hazards"

    def setUp(self):
        super().setUp()
        self.build_hazards(when=at(2026, 3, 20))

    def assert_accessible(self, page):
        page.add_script_tag(url=self.live_server_url + AXE_URL)
        self.assertEqual(page.evaluate(RUN_AXE), [])

    def party_reports(self, page, notice, text):
        page.goto(self.live_server_url + "/hazards/fix/" + links.fix_token(notice.pk) + "/")
        page.fill("textarea[name=measures]", text)
        page.fill("input[name=reporter_name]", "周建国")
        page.set_input_files("input[name=photos]", [photo("整改后.png")])
        page.click("button:text-is('提交整改情况')")
        page.wait_for_selector("text=整改情况已提交")

    def test_a_hazard_from_inspection_to_relapse_and_pass(self):
        url = self.live_server_url
        # 1. The inspector scores the factory item by item on his phone; the score adds up.
        inspector = self.person("handler_a", "pw-handler_a", phone=True)
        inspector.goto(url + f"/hazards/campaigns/{self.campaign.pk}/")
        self.snap(inspector, "campaign")
        row = inspector.locator("table.places tr", has_text="福临五金加工厂")
        row.locator("button:text-is('开始检查')").click()
        inspector.wait_for_selector("#live-score")
        inputs = inspector.locator("#checklist input[type=number]")
        for index, value in enumerate(("20", "10", "30")):
            inputs.nth(index).fill(value)
            inputs.nth(index).dispatch_event("change")
        # Saved one by one, in order: the last answer reports the running score.
        inspector.wait_for_selector("#checklist[data-saved='60']")
        self.assertEqual(inspector.inner_text("#live-score"), "60")
        inspection = Inspection.objects.get()
        # Saved as he went: the server has the three items already.
        self.assertEqual(inspection.answers.count(), 3)
        inspector.fill("textarea[name=text]", "二楼车间安全出口被货物堵塞，灭火器过期。")
        inspector.select_option("select[name=severity]", "major")
        inspector.set_input_files("input[name=photos]", [photo("隐患.png")])
        inspector.click("form.hazard-form button:text-is('登记隐患')")
        inspector.wait_for_selector("text=隐患已登记")
        inspector.locator("button.full").nth(3).click()
        inspector.wait_for_selector("#live-score:text-is('80')")
        self.snap(inspector, "inspection")
        inspector.reload()  # without the flash message, whose markup is base.html's
        self.assert_accessible(inspector)
        inspector.click("#checklist button:text-is('提交检查')")
        inspector.wait_for_selector("text=检查已提交")
        inspection.refresh_from_db()
        self.assertEqual((inspection.status, inspection.score), ("submitted", 80))

        # 2. He issues the notice from the hazard's page; it prints as a PDF.
        hazard = Hazard.objects.get()
        inspector.goto(url + f"/hazards/{hazard.pk}/")
        inspector.fill("textarea[name=requirements]", "立即清理安全出口，更换过期灭火器。")
        inspector.fill("input[name=working_days]", "3")
        inspector.click("button:text-is('下发整改通知单')")
        inspector.wait_for_selector("text=整改通知单已下发")
        self.snap(inspector, "noticed")
        notice = Notice.objects.get()
        response = inspector.request.get(url + f"/ledgers/hazards/notices/{notice.pk}.pdf")
        self.assertEqual(response.headers["content-type"], "application/pdf")
        self.assertTrue(response.body().startswith(b"%PDF"))

        # 3. The factory reports the fix through the notice's link, without an account.
        context = self.browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        self.addCleanup(context.close)
        party = context.new_page()
        self.party_reports(party, notice, "已清理安全出口堆放货物，更换灭火器6具。")
        self.snap(party, "fix-reported")

        # 4. The inspector comes back: relapsed.
        inspector.goto(url + f"/hazards/{hazard.pk}/")
        inspector.check("input[name=passed][value='0']")
        inspector.fill("textarea[name=note]", "回头看发现安全出口再次堆放货物。")
        inspector.click("button:text-is('复查（回头看）')")
        inspector.wait_for_selector("text=复查结果已记录")
        inspector.wait_for_selector("text=反弹1次")
        self.snap(inspector, "relapsed")
        hazard.refresh_from_db()
        self.assertEqual((hazard.status, hazard.relapse_count), (HazardStatus.OPEN, 1))

        # 5. A second notice, a second fix, and this time the re-inspection passes.
        inspector.fill("textarea[name=requirements]", "彻底清理并设置禁止堆放标识。")
        inspector.click("button:text-is('下发整改通知单')")
        inspector.wait_for_selector("text=整改通知单已下发")
        second = Notice.objects.exclude(pk=notice.pk).get()
        self.assertEqual(second.number, "整改〔2026〕第0002号")
        self.party_reports(party, second, "已清理并张贴禁止堆放标识，安排专人每日巡查。")
        inspector.goto(url + f"/hazards/{hazard.pk}/")
        inspector.check("input[name=passed][value='1']")
        inspector.click("button:text-is('复查（回头看）')")
        inspector.wait_for_selector("text=复查结果已记录")
        self.snap(inspector, "fixed")
        inspector.reload()
        self.assert_accessible(inspector)
        hazard.refresh_from_db()
        self.assertEqual((hazard.status, hazard.relapse_count), (HazardStatus.FIXED, 1))

        # 6. The office sees it on the case map's hazard layer, and in the figures.
        office = self.person("dispatcher", "pw-dispatcher")
        office.goto(url + "/map/")
        office.check("#show-hazards")
        office.wait_for_selector("#hazard-layer[data-loaded='1']", state="attached")
        self.snap(office, "map")
        office.goto(url + "/hazards/figures/")
        office.wait_for_selector("text=整改率")
        self.snap(office, "figures")
        self.assertEqual(self.dialogs, [])
