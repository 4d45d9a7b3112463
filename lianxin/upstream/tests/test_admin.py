"""The settings page: one upstream, edited in the admin, in Chinese."""

from django.urls import reverse
from django.utils import timezone

from lianxin.test import LianxinTestCase
from lianxin.upstream.models import ServiceMapping, UpstreamSettings

URL = "admin:upstream_upstreamsettings_change"


def form(**fields):
    data = {
        "name": "青诉即办",
        "enabled": "on",
        "base_url": "https://12345.example.gov.cn/open311/v2/",
        "jurisdiction_id": "qingdao",
        "api_key": "secret",
        "actor": "",
        "poll_minutes": 5,
        "coordinate_datum": "wgs84",
        "default_category": "",
        "connect_timeout": 5,
        "read_timeout": 20,
        "retry_cap_minutes": 60,
        "mappings-TOTAL_FORMS": 1,
        "mappings-INITIAL_FORMS": 0,
        "mappings-MIN_NUM_FORMS": 0,
        "mappings-MAX_NUM_FORMS": 1000,
        "mappings-0-service_code": "",
        "mappings-0-service_name": "",
        "mappings-0-category": "",
    }
    data.update(fields)
    return data


class SettingsAdminTest(LianxinTestCase):
    def setUp(self):
        self.client.force_login(self.admin)

    def test_the_list_is_the_one_settings_page(self):
        response = self.client.get(reverse("admin:upstream_upstreamsettings_changelist"))
        self.assertRedirects(response, reverse(URL, args=[1]))
        page = self.client.get(reverse(URL, args=[1]))
        for label in ("接口地址", "API密钥", "轮询间隔（分钟）", "对接账号", "服务类型对应"):
            self.assertContains(page, label)

    def test_the_upstream_and_its_mapping_are_saved(self):
        response = self.client.post(
            reverse(URL, args=[1]),
            form(
                actor=self.dispatcher.pk,
                **{
                    "mappings-0-service_code": "LIGHT",
                    "mappings-0-service_name": "路灯故障",
                    "mappings-0-category": self.category.pk,
                },
            ),
        )
        self.assertEqual(response.status_code, 302)
        config = UpstreamSettings.load()
        self.assertEqual(
            (config.enabled, config.actor, config.api_key), (True, self.dispatcher, "secret")
        )
        mapping = ServiceMapping.objects.get()
        self.assertEqual((mapping.service_code, mapping.category), ("LIGHT", self.category))

    def test_the_integration_account_must_be_a_dispatcher(self):
        response = self.client.post(reverse(URL, args=[1]), form(actor=self.handler_a.pk))
        self.assertContains(response, "对接账号须是连心服务办公室的派单员")
        self.assertFalse(UpstreamSettings.load().enabled)

    def test_enabling_needs_an_account(self):
        response = self.client.post(reverse(URL, args=[1]), form())
        self.assertContains(response, "启用对接前请选择对接账号")

    def test_others_may_not_open_it(self):
        self.client.force_login(self.dispatcher)
        response = self.client.get(reverse(URL, args=[1]))
        self.assertEqual(response.status_code, 302)  # to the admin's login

    def test_orders_and_pushes_are_listed(self):
        for name in ("upstream_upstreamorder", "upstream_upstreampush"):
            with self.subTest(model=name):
                response = self.client.get(reverse(f"admin:{name}_changelist"))
                self.assertEqual(response.status_code, 200)


class RetryActionTest(LianxinTestCase):
    def test_retry_now_makes_pending_pushes_due(self):
        import datetime as dt

        from lianxin.upstream.models import PushState, UpstreamOrder, UpstreamPush

        case = self.register()
        order = UpstreamOrder.objects.create(upstream_id="QD-1", case=case)
        event = case.events.get()
        later = timezone.now() + dt.timedelta(hours=1)
        push = UpstreamPush.objects.create(
            order=order, event=event, payload={"update_id": "x"}, next_attempt_at=later
        )
        self.client.force_login(self.admin)
        response = self.client.post(
            reverse("admin:upstream_upstreampush_changelist"),
            {"action": "retry_now", "_selected_action": [push.pk]},
        )
        self.assertEqual(response.status_code, 302)
        push.refresh_from_db()
        self.assertEqual(push.state, PushState.PENDING)
        self.assertLess(push.next_attempt_at, later)
