"""The service menu's pages: the menu and its editing, the printable menu, the provider's
queue with its countdown light, an order's page and actions, ordering for a household
(also from the visit form), the figures, the ledger and `lianxin programs stats`."""

import io
import json

import time_machine
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from lianxin.accounts.models import Disclosure
from lianxin.programs import actions
from lianxin.programs.models import OrderStatus, Service, ServiceOrder
from lianxin.programs.tests.service_builders import DONE_NOTE
from lianxin.programs.tests.test_services import ServiceTestCase
from lianxin.registry.models import Tag
from lianxin.test import at


class ServicePagesTestCase(ServiceTestCase):
    def get(self, user, url, **params):
        self.client.force_login(user)
        return self.client.get(url, params)

    def post(self, user, url, data):
        self.client.force_login(user)
        return self.client.post(url, data)


class MenuPagesTest(ServicePagesTestCase):
    def test_the_office_adds_a_tagged_line_through_the_form(self):
        response = self.post(
            self.dispatcher,
            reverse("programs:service_new"),
            {
                "name": "上门退休认证",
                "description": "为行动不便的退休人员上门办理资格认证。",
                "community": "",
                "provider": str(self.dept_b.pk),
                "place": "home",
                "working_days": "5",
                "tags": [str(Tag.objects.get(code="gaoling").pk)],
                "recurrence": "",
                "sort_order": "1",
                "active": "on",
            },
        )
        self.assertRedirects(response, reverse("programs:services"))
        service = Service.objects.get()
        self.assertEqual((service.provider, service.working_days), (self.dept_b, 5))
        page = self.get(self.handler_a, reverse("programs:services"))
        self.assertContains(page, "上门退休认证")
        self.assertNotContains(page, reverse("programs:service_edit", args=[service.pk]))

    def test_a_community_edits_its_own_lines_and_not_the_district_s(self):
        district_line = self.service()
        own = self.service(
            actor=self.community_staff, community=self.community, provider=self.community
        )
        edit = reverse("programs:service_edit", args=[own.pk])
        self.assertEqual(self.get(self.community_staff, edit).status_code, 200)
        self.assertEqual(self.get(self.other_community_staff, edit).status_code, 404)
        district_edit = reverse("programs:service_edit", args=[district_line.pk])
        self.assertEqual(self.get(self.community_staff, district_edit).status_code, 404)
        self.assertEqual(self.get(self.handler_a, reverse("programs:service_new")).status_code, 404)

    def test_a_refused_line_shows_why_beside_the_form(self):
        response = self.post(
            self.dispatcher,
            reverse("programs:service_new"),
            {
                "name": "困难户关爱走访",
                "community": "",
                "provider": str(self.community.pk),
                "place": "home",
                "working_days": "20",
                "recurrence": "monthly",
                "active": "on",
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "定期服务须限定人群标签", status_code=400)
        self.assertFalse(Service.objects.exists())

    def test_the_printable_menu_lists_the_lines_in_use_for_a_community(self):
        self.service(name="助老送餐")
        retired = self.service(name="旧服务")
        actions.do_retire_service(retired, actor=self.dispatcher)
        self.service(
            name="社区理发日",
            actor=self.community_staff,
            community=self.community,
            provider=self.community,
        )
        self.service(
            name="青峰法律咨询",
            actor=self.other_community_staff,
            community=self.other_community,
            provider=self.other_community,
        )
        page = self.get(
            self.outside_cadre_user, reverse("programs:services_print"), community=self.community.pk
        )
        self.assertContains(page, "service-menu-print.css")
        self.assertContains(page, "助老送餐")
        self.assertContains(page, "社区理发日")
        self.assertNotContains(page, "旧服务")
        self.assertNotContains(page, "青峰法律咨询")


class OrderPagesTest(ServicePagesTestCase):
    def test_the_provider_s_queue_by_deadline_with_its_light(self):
        soon = self.ordered(service=self.service(working_days=1))
        later = self.ordered(service=self.service(name="家电维修", working_days=10))
        page = self.get(self.handler_a, reverse("programs:orders"))
        orders = list(page.context["page"].object_list)
        self.assertEqual(orders, [soon, later])
        self.assertEqual([o.light for o in orders], ["amber", "green"])
        with time_machine.travel(at(2026, 6, 22, 9), tick=False):
            page = self.get(self.handler_a, reverse("programs:orders"))
        self.assertEqual(page.context["page"].object_list[0].light, "red")
        self.assertContains(page, "已逾期")
        self.assertEqual(
            list(self.get(self.handler_b, reverse("programs:orders")).context["page"]), []
        )

    def test_an_order_page_is_a_404_out_of_scope_and_masks_the_household(self):
        order = self.ordered()
        url = reverse("programs:order", args=[order.pk])
        for outsider in (self.handler_b, self.other_community_staff, self.other_grid_worker):
            self.assertEqual(self.get(outsider, url).status_code, 404, outsider)
        page = self.get(self.handler_a, url)
        self.assertContains(page, "13812341234")  # the provider must reach it while open
        self.assertTrue(Disclosure.objects.filter(user=self.handler_a).exists())
        page = self.get(self.street_staff, url)
        self.assertNotContains(page, "13812341234")
        self.assertContains(page, "138****1234")

    def test_accept_complete_and_rate_through_the_forms(self):
        order = self.ordered()
        url = reverse("programs:order", args=[order.pk])
        action = lambda name: reverse("programs:order_action", args=[order.pk, name])  # noqa: E731
        self.assertRedirects(self.post(self.handler_a, action("accept"), {}), url)
        response = self.post(self.handler_a, action("complete"), {"note": ""})
        self.assertEqual(response.status_code, 400)
        self.assertRedirects(
            self.post(self.handler_a, action("complete"), {"note": DONE_NOTE}), url
        )
        response = self.post(self.community_staff, action("rate"), {"rating": "unsatisfied"})
        self.assertContains(response, "不满意时请说明原因", status_code=400)
        self.post(self.community_staff, action("rate"), {"rating": "satisfied", "note": "很及时"})
        order = ServiceOrder.objects.get(pk=order.pk)
        self.assertEqual((order.status, order.rating), (OrderStatus.DONE, "satisfied"))
        self.assertEqual(
            self.post(self.handler_b, action("cancel"), {"reason": "x"}).status_code, 404
        )

    def test_ordering_for_a_household_from_the_visit_form(self):
        form = self.get(self.cadre_user, reverse("visits:form", args=[self.household.pk]))
        link = reverse("programs:order_for", args=[self.household.pk]) + "?via=visit"
        self.assertContains(form, link)
        open_line = self.service(name="助老送餐")
        tagged = self.service(name="上门退休认证", tags=["gaoling"])
        page = self.get(self.cadre_user, link)
        self.assertContains(page, "仅面向高龄人员家庭")
        lines = dict(page.context["lines"])
        self.assertIsNone(lines[open_line])
        self.assertEqual(lines[tagged].code, "not_eligible")
        self.client.force_login(self.cadre_user)
        response = self.client.post(
            link, {"service": str(open_line.pk), "channel": "visit", "note": "每天中午一份"}
        )
        self.assertRedirects(response, reverse("visits:form", args=[self.household.pk]))
        order = ServiceOrder.objects.get()
        self.assertEqual((order.channel, order.request_note), ("visit", "每天中午一份"))
        # A line the household may not order is not a choice of the form at all.
        response = self.client.post(link, {"service": str(tagged.pk), "channel": "visit"})
        self.assertEqual(response.status_code, 400)

    def test_a_department_attached_to_the_zone_sees_the_household_but_not_its_menu(self):
        line = self.service()
        self.assertEqual(
            self.get(
                self.handler_a, reverse("registry:household", args=[self.household.pk])
            ).status_code,
            200,
        )
        url = reverse("programs:order_for", args=[self.household.pk])
        self.assertEqual(self.get(self.handler_a, url).status_code, 404)
        response = self.post(self.handler_a, url, {"service": str(line.pk), "channel": "phone"})
        self.assertEqual(response.status_code, 404)
        self.assertFalse(ServiceOrder.objects.exists())
        url = reverse("programs:order_for", args=[self.far_household.pk])
        self.assertEqual(self.get(self.cadre_user, url).status_code, 404)


class FiguresTest(ServicePagesTestCase):
    def build(self):
        on_time = self.done()
        actions.do_rate_order(on_time, actor=self.community_staff, rating="satisfied")
        late = self.ordered(household=self.neighbour)
        with time_machine.travel(at(2026, 6, 25, 9), tick=False):
            late = actions.do_complete_order(late, actor=self.handler_a, note=DONE_NOTE)
        actions.do_rate_order(late, actor=self.community_staff, rating="unsatisfied", note="太慢")
        self.ordered(service=self.service(name="家电维修", provider=self.dept_b, working_days=1))
        actions.do_cancel_order(
            self.ordered(service=self.service(name="法律咨询")),
            actor=self.community_staff,
            reason="已电话解答",
        )

    def test_the_figures_page_counts_by_provider_and_community(self):
        self.build()
        with time_machine.travel(at(2026, 6, 30, 9), tick=False):
            page = self.get(self.dispatcher, reverse("programs:figures"))
        total = page.context["service_total"]
        self.assertEqual(
            (total.ordered, total.done, total.on_time, total.overdue, total.cancelled),
            (4, 2, 1, 1, 1),
        )
        self.assertEqual((total.satisfied, total.unsatisfied, total.satisfaction), (1, 1, 50.0))
        providers = {
            row.label: (row.ordered, row.done, row.overdue)
            for row in page.context["service_providers"]
        }
        self.assertEqual(providers, {"区城市管理局": (3, 2, 0), "区住房和城乡建设局": (1, 0, 1)})
        self.assertEqual(
            [(row.label, row.ordered) for row in page.context["service_communities"]],
            [("福临社区", 4)],
        )
        page = self.get(self.other_community_staff, reverse("programs:figures"))
        self.assertEqual(page.context["service_total"].ordered, 0)

    def test_stats_prints_the_services_in_the_one_json_line(self):
        self.build()
        out = io.StringIO()
        with time_machine.travel(at(2026, 6, 30, 9), tick=False):
            call_command("programs", "stats", stdout=out)
        lines = out.getvalue().strip().splitlines()
        self.assertEqual(len(lines), 1)
        services = json.loads(lines[0])["services"]
        self.assertEqual(
            {k: services[k] for k in ("menu", "ordered", "done", "on_time", "overdue")},
            {"menu": 4, "ordered": 4, "done": 2, "on_time": 1, "overdue": 1},
        )
        self.assertEqual(services["satisfaction"], 50.0)
        self.assertEqual(services["by_status"]["cancelled"], 1)

    def test_the_ledger_has_a_row_per_order_masked_for_a_street(self):
        self.build()
        self.client.force_login(self.street_staff)
        response = self.client.get(reverse("ledgers:export", args=["service_orders", "xlsx"]))
        self.assertEqual(response.status_code, 200)
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
        header = rows[0]
        records = [dict(zip(header, row, strict=True)) for row in rows[1:]]
        self.assertEqual(len(records), 4)
        late = next(r for r in records if r["评价"] == "不满意")
        self.assertEqual((late["逾期"], late["户主"], late["评价意见"]), ("是", "陈**", "太慢"))
        self.client.force_login(self.community_staff)
        response = self.client.get(reverse("ledgers:export", args=["service_orders", "xlsx"]))
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        self.assertIn("13812341234", [c.value for c in sheet["E"]])
        self.client.force_login(self.resident)
        response = self.client.get(reverse("ledgers:export", args=["service_orders", "xlsx"]))
        self.assertEqual(response.status_code, 404)


class PortalTest(ServicePagesTestCase):
    def test_a_resident_proves_his_phone_then_orders_for_his_household_and_rates(self):
        import datetime as dt

        from django.utils import timezone

        from lianxin.notify.models import PhoneCode
        from lianxin.notify.verify import _hash

        open_line = self.service(name="助老送餐")
        self.service(name="上门退休认证", tags=["gaoling"])
        url = reverse("portal:services")
        page = self.get(self.resident, url)
        self.assertContains(page, "获取短信验证码")
        self.assertEqual(page.context["households"], [])
        order_url = reverse("portal:order_service", args=[self.household.pk, open_line.pk])
        self.assertEqual(self.client.post(order_url).status_code, 404)
        now = timezone.now()
        PhoneCode.objects.create(
            phone="13812341234",
            code_hash=_hash("13812341234", "246810"),
            created_at=now,
            expires_at=now + dt.timedelta(minutes=10),
        )
        self.assertRedirects(self.client.post(url, {"code": "246810"}), url)
        page = self.get(self.resident, url)
        self.assertEqual(page.context["households"], [self.household])
        self.assertContains(page, "助老送餐")
        self.assertNotContains(page, "上门退休认证", msg_prefix="a line it may not order")
        self.assertRedirects(self.client.post(order_url, {"note": "中午在家"}), url)
        order = ServiceOrder.objects.get()
        self.assertEqual((order.channel, order.ordered_by), ("portal", self.resident))
        rate_url = reverse("portal:rate_service", args=[order.pk])
        self.client.post(rate_url, {"rating": "satisfied"})
        self.assertEqual(ServiceOrder.objects.get().rating, "", "not done yet")
        actions.do_complete_order(order, actor=self.handler_a, note=DONE_NOTE)
        self.assertContains(self.get(self.resident, url), "提交评价")
        self.client.post(rate_url, {"rating": "basic"})
        order = ServiceOrder.objects.get()
        self.assertEqual((order.rating, order.rated_via), ("basic", "portal"))

    def test_staff_and_other_residents_are_turned_away(self):
        order = self.done()
        self.assertEqual(
            self.get(self.community_staff, reverse("portal:services")).status_code, 404
        )
        self.client.force_login(self.other_resident)
        response = self.client.post(
            reverse("portal:rate_service", args=[order.pk]), {"rating": "satisfied"}
        )
        self.assertEqual(response.status_code, 404)
