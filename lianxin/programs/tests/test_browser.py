"""A wish from a resident's post through review, claim, fulfilment and confirmation, each
person on a phone-sized screen; screenshots in test-artifacts/browser-wishes/."""

from lianxin.cases.tests.images import image_bytes
from lianxin.programs.models import Wish, WishStatus
from lianxin.test import AXE_URL, RUN_AXE, BrowserTestCase


def photo(name):
    return {"name": name, "mimeType": "image/png", "buffer": image_bytes("PNG")}


class WishOnAPhoneTest(BrowserTestCase):
    artifacts = "browser-wishes"

    def assert_accessible(self, page):
        page.add_script_tag(url=self.live_server_url + AXE_URL)
        self.assertEqual(page.evaluate(RUN_AXE), [])

    def test_a_wish_from_post_to_confirmation(self):
        url = self.live_server_url
        # 1. The resident posts a wish with a photo.
        resident = self.person("resident", "pw-resident", phone=True)
        resident.goto(url + "/m/wishes/new/")
        resident.select_option("select[name=community]", label="福临社区")
        resident.fill(
            "textarea[name=text]", "老伴腿脚不便，想要一副助行器，<b>方便</b>下楼晒太阳。"
        )
        resident.set_input_files("input[name=photos]", [photo("心愿.png")])
        self.snap(resident, "post")
        self.assert_accessible(resident)
        resident.click("button:text-is('提交心愿')")
        resident.wait_for_selector("text=等待社区审核")
        self.snap(resident, "posted")
        wish = Wish.objects.get()
        self.assertEqual(wish.status, WishStatus.PENDING)

        # 2. The community reviews it and publishes it.
        community = self.person("community_staff", "pw-community_staff", phone=True)
        community.goto(url + "/programs/wishes/?queue=review")
        community.click("table.wishes a")
        self.snap(community, "review")
        community.click("form.wish-action button:text-is('发布')")
        community.wait_for_selector("text=心愿已发布到心愿墙")

        # 3. A department's handler finds it on the wall and claims it.
        handler = self.person("handler_a", "pw-handler_a", phone=True)
        handler.goto(url + "/m/wishes/")
        handler.wait_for_selector(".wish-card")
        self.snap(handler, "wall")
        self.assert_accessible(handler)
        card = handler.locator(".wish-card").first.inner_text()
        self.assertIn("王**", card)
        self.assertNotIn("王秀兰", card)
        self.assertIn("<b>方便</b>", card, "markup is shown as text")
        handler.click(".wish-card a")
        handler.fill("input[name=promised_date]", "2026-06-24")
        handler.click("button:text-is('我来认领')")
        handler.wait_for_selector("text=认领成功")
        self.snap(handler, "claimed")

        # 4. He records fulfilment with a photo from his claims.
        handler.goto(url + "/programs/claims/")
        self.snap(handler, "my-claims")
        handler.click("table.claims a")
        handler.fill("textarea[name=note]", "已送去助行器一副，并帮老人调好高度。")
        handler.set_input_files("input[name=photos]", [photo("送达.png")])
        handler.click("form.wish-action button:text-is('登记完成')")
        handler.wait_for_selector("text=等待心愿人确认")
        self.snap(handler, "fulfilled")

        # 5. The resident sees what was done and confirms it.
        resident.goto(url + "/m/wishes/mine/")
        resident.click("ul.case-list a")
        resident.wait_for_selector("text=已送去助行器一副")
        self.snap(resident, "to-confirm")
        resident.click("button:text-is('已实现，确认圆梦')")
        resident.wait_for_selector("text=心愿已圆梦")
        self.snap(resident, "confirmed")
        for context in (resident, community, handler):
            context.context.close()  # before the test's database goes: no request in flight

        wish.refresh_from_db()
        self.assertEqual(wish.status, WishStatus.CONFIRMED)
        self.assertEqual(wish.photos.count(), 2)
