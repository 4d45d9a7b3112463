"""The office enrols an authenticator app in Chromium when the district requires it, then
signs in with a code; the pages are screenshotted for a person to look at."""

import pyotp

from lianxin.orgs.models import DistrictSettings
from lianxin.test import BrowserTestCase


class TwoFactorInTheBrowserTest(BrowserTestCase):
    artifacts = "browser-two-factor"

    def test_the_office_enrols_and_then_signs_in_with_a_code(self):
        settings = DistrictSettings.load()
        settings.two_factor_required = True
        settings.save()
        page = self.person("dispatcher", "pw-dispatcher")
        page.wait_for_selector("h1:has-text('设置两步验证')")
        self.assertTrue(page.locator("img[src^='data:image/svg+xml']").is_visible())
        self.snap(page, "enrol")
        key = page.locator("code").first.inner_text().replace(" ", "")
        page.fill("input[name=code]", pyotp.TOTP(key).now())
        page.click("button:text-is('完成设置')")
        page.wait_for_selector("h1:has-text('两步验证已启用')")
        self.assertEqual(page.locator("ul.recovery-codes li").count(), 10)
        self.snap(page, "recovery-codes")
        page.click("a:has-text('我已保存，继续')")
        page.wait_for_load_state()
        self.assertNotIn("two-factor", page.url)

        again = self.person("dispatcher", "pw-dispatcher")
        again.wait_for_selector("h1:has-text('两步验证')")
        self.snap(again, "code-asked")
        self.assertEqual(self.dialogs, [])
