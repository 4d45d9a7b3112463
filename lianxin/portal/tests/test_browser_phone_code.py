"""A visitor verifies his phone on /m/ in a real browser, photo chosen and kept, and the
case is filed with a verified phone."""

import re

from lianxin.cases.models import Case
from lianxin.cases.tests.images import image_bytes
from lianxin.notify.models import Message, MessageTemplate
from lianxin.test import BrowserTestCase


class PhoneCodeInTheBrowserTest(BrowserTestCase):
    artifacts = "browser-phone-code"

    def test_a_visitor_gets_a_code_types_it_and_his_phone_is_verified(self):
        # A live-server test empties every table after it; the migration's seed may be gone.
        MessageTemplate.objects.get_or_create(
            code="resident.code",
            channel="sms",
            defaults={"text": "【连心】您的验证码是{code}，{minutes}分钟内有效。"},
        )
        context = self.browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        self.addCleanup(context.close)
        page = context.new_page()
        page.goto(self.live_server_url + "/m/")
        page.fill("input[name=title]", "小区北门路灯不亮")
        page.fill("textarea[name=text]", "福临苑小区北门的两盏路灯坏了快两周，晚上出入不方便。")
        page.set_input_files(
            "input[name=photos]",
            [{"name": "灯.png", "mimeType": "image/png", "buffer": image_bytes("PNG")}],
        )
        page.fill("input[name=address]", "福临苑小区北门")
        page.fill("input[name=phone]", "13912345678")
        page.wait_for_load_state("networkidle")  # the "similar reports" lookup as one types
        page.click("#send-code")
        page.wait_for_selector("#code-status:has-text('验证码已发送至139****5678')")
        self.snap(page, "code-sent")

        # The code's text is queued as a row; the test reads it there, as the gateway would.
        text = Message.objects.get(kind="resident.code").text
        code = re.search(r"验证码是(\d{6})", text).group(1)
        page.fill("input[name=code]", code)
        page.click("button:text-is('提交')")
        number = page.locator("p.tracking").inner_text()
        page.wait_for_load_state("networkidle")
        self.snap(page, "submitted")
        context.close()  # before the test's database goes: no request left in flight

        case = Case.objects.get(tracking_number=number)
        self.assertTrue(case.phone_verified)
        self.assertEqual(case.photos.count(), 1)  # the script kept the chosen photo
        self.assertEqual(self.dialogs, [])
