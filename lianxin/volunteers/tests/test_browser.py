"""A community's staff member on his phone: a new team, its members, an activity recorded
with each member's hours and a photo, the team's hours; screenshots in
test-artifacts/browser-volunteers/."""

from lianxin.cases.tests.images import image_bytes
from lianxin.test import AXE_URL, RUN_AXE, BrowserTestCase
from lianxin.volunteers.models import Activity, Participation


class ActivityOnAPhoneTest(BrowserTestCase):
    artifacts = "browser-volunteers"

    def assert_accessible(self, page):
        page.add_script_tag(url=self.live_server_url + AXE_URL)
        self.assertEqual(page.evaluate(RUN_AXE), [])

    def test_recording_an_activity_with_hours_and_a_photo(self):
        url = self.live_server_url
        staff = self.person("community_staff", "pw-community_staff", phone=True)
        # 1. A new team for the community, from the top bar's 志愿服务.
        staff.goto(url + "/")
        staff.click("nav summary:text-is('特色工作')")
        staff.click("nav a:text-is('志愿服务')")
        staff.fill("input[name=name]", "福临红马甲志愿服务队")
        staff.select_option("select[name=unit]", label="福临社区")
        self.snap(staff, "teams")
        self.assert_accessible(staff)
        staff.click("button:text-is('新建')")
        staff.wait_for_selector("h1:has-text('福临红马甲志愿服务队')")
        # 2. Two members, the first leads the team.
        for name, phone, leader in (
            ("张桂芬", "13900001111", True),
            ("李明", "13900003333", False),
        ):
            staff.fill("input[name=name]", name)
            staff.fill("input[name=phone]", phone)
            if leader:
                staff.check("input[name=leader]")
            staff.click("button:text-is('保存')")
            staff.wait_for_selector("text=队员已保存")
        self.snap(staff, "team")
        # 3. The activity: what, when, where, each member's hours, a photo.
        staff.click("a:text-is('登记服务活动')")
        staff.fill("input[name=title]", "为独居老人清理楼道")
        staff.fill("input[name=date]", "2026-06-16")
        staff.fill("input[name=place]", "福临苑3号楼")
        staff.fill("textarea[name=description]", "清走楼道杂物三车，疏通消防通道。")
        staff.fill(".vol-hour:has-text('张**') input", "2.5")
        staff.fill(".vol-hour:has-text('李**') input", "3")
        staff.set_input_files(
            "input[name=photos]",
            [{"name": "楼道.png", "mimeType": "image/png", "buffer": image_bytes("PNG")}],
        )
        self.snap(staff, "activity-form")
        self.assert_accessible(staff)
        # A full-page screenshot leaves the page's scroll to be put back on the next mouse
        # press, which would move the button from under the pointer: scroll first.
        staff.mouse.wheel(0, 0)
        staff.evaluate("window.scrollTo(0, 0)")
        staff.click("button:text-is('登记')")
        staff.wait_for_selector("text=活动已登记")
        self.snap(staff, "activity")
        # 4. The team's page adds the hours up.
        staff.click("h1 a")
        staff.wait_for_selector("text=队员与服务时长")
        self.snap(staff, "team-hours")
        totals = staff.locator(".vol-totals").inner_text()
        self.assertIn("5.5", totals)
        self.assertNotIn("张桂芬", staff.content())
        staff.context.close()  # before the test's database goes: no request in flight

        activity = Activity.objects.get()
        self.assertEqual(activity.photos.count(), 1)
        self.assertEqual(
            sorted(str(h) for h in Participation.objects.values_list("hours", flat=True)),
            ["2.5", "3.0"],
        )
