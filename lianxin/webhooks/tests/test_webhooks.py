"""Webhooks: case events POSTed, signed, to a real HTTP server on 127.0.0.1, with retries."""

import datetime as dt
import hashlib
import hmac
import json

import time_machine
from django.urls import reverse
from django.utils import timezone

from lianxin.cases import actions
from lianxin.cases.models import CaseEvent, Status
from lianxin.notify.tests.httpserver import closed_port_url, local_server
from lianxin.notify.tests.jobs import queued, run_queued, run_scheduled, scheduled
from lianxin.test import LianxinTestCase
from lianxin.webhooks.models import Attempt, Delivery, Subscription
from lianxin.webhooks.sending import BACKOFF, make_deliveries

JOBS = {"fan_out_events", "send_delivery"}
SECRET = "s3cret-shared-with-the-partner"


def signature_of(request: dict, secret: str = SECRET) -> str:
    """What the receiving partner computes (docs/notifications.md): over the timestamp,
    the delivery id and the raw body."""
    headers = request["headers"]
    signed = (
        f"{headers['X-Lianxin-Timestamp']}.{headers['X-Lianxin-Delivery']}.".encode()
        + request["body"]
    )
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


class WebhookTestCase(LianxinTestCase):
    def subscribe(self, url, events=("cases.case.registered", "cases.case.replied"), **fields):
        return Subscription.objects.create(
            name="合作方", url=url, secret=SECRET, events=list(events), **fields
        )

    def committed(self, action, *args, **kwargs):
        with self.captureOnCommitCallbacks(execute=True):
            return action(*args, **kwargs)


class DeliveryTest(WebhookTestCase):
    def test_a_case_event_is_posted_signed_with_public_fields_only(self):
        with local_server() as partner:
            subscription = self.subscribe(partner.url)
            case = self.committed(self.register)
            event = CaseEvent.objects.get(case=case)
            self.assertEqual(
                [(job.name, job.args) for job in queued(JOBS)], [("fan_out_events", ([event.pk],))]
            )
            self.assertEqual(partner.received, [])  # nothing is sent from the request
            run_queued(JOBS)

        [request] = partner.received
        raw = request["body"]
        headers = request["headers"]
        self.assertEqual(headers["X-Lianxin-Signature"], signature_of(request))
        self.assertNotEqual(headers["X-Lianxin-Signature"], signature_of(request, "another-secret"))
        self.assertLess(abs(int(headers["X-Lianxin-Timestamp"]) - timezone.now().timestamp()), 5)
        self.assertEqual(headers["X-Lianxin-Event"], "cases.case.registered")
        self.assertEqual(headers["Content-Type"], "application/json; charset=utf-8")
        body = json.loads(raw)
        delivery = Delivery.objects.get()
        self.assertEqual(headers["X-Lianxin-Delivery"], str(delivery.delivery_id))
        self.assertEqual(body["id"], str(delivery.delivery_id))
        self.assertEqual(
            body["event"],
            {
                "id": event.pk,
                "code": "cases.case.registered",
                "label": "登记受理",
                "at": timezone.localtime(event.at).isoformat(timespec="seconds"),
                "note": "",
            },
        )
        self.assertTrue(body["event"]["at"].endswith("+08:00"))
        self.assertEqual(body["case"]["tracking_number"], case.tracking_number)
        self.assertEqual(body["case"]["status"], Status.REGISTERED)
        self.assertEqual(body["case"]["category"], "street_lights")
        text = raw.decode("utf-8")
        for private in ("13812341234", "王秀兰", case.address, case.text):
            self.assertNotIn(private, text)

        self.assertEqual(
            (delivery.status, delivery.attempts, delivery.last_status_code),
            (Delivery.Status.DELIVERED, 1, 200),
        )
        [attempt] = Attempt.objects.filter(delivery=delivery)
        self.assertEqual((attempt.status_code, attempt.error), (200, ""))
        self.assertGreaterEqual(attempt.duration_ms, 0)
        self.assertEqual(subscription.deliveries.count(), 1)

    def test_the_reply_is_public_but_an_internal_note_is_not(self):
        with local_server() as partner:
            self.subscribe(partner.url, events=["cases.case.replied", "cases.case.note_added"])
            case = self.in_progress()
            self.committed(
                actions.do_add_note, case, actor=self.handler_a, note="内部：注意沟通方式"
            )
            reply = "已安排维修人员本周五前更换灯具，请您耐心等待。"
            self.committed(actions.do_reply_case, case, actor=self.handler_a, text=reply)
            run_queued(JOBS)
        note, replied = (json.loads(r["body"]) for r in partner.received)
        self.assertEqual(
            (note["event"]["code"], note["event"]["note"]), ("cases.case.note_added", "")
        )
        self.assertEqual(replied["event"]["note"], reply)
        self.assertEqual(replied["case"]["status"], Status.REPLIED)

    def test_the_title_and_the_reply_go_out_with_personal_data_blanked(self):
        with local_server() as partner:
            self.subscribe(partner.url, events=["cases.case.replied"])
            case = self.in_progress(title="3号楼2单元502室王秀兰家门口路灯坏了")
            reply = "已联系王秀兰（0532-88881234），本周五前更换3号楼2单元502室门口灯具。"
            self.committed(actions.do_reply_case, case, actor=self.handler_a, text=reply)
            run_queued(JOBS)
        [replied] = (json.loads(r["body"]) for r in partner.received)
        self.assertEqual(replied["case"]["title"], "3号楼***家门口路灯坏了")
        self.assertEqual(
            replied["event"]["note"], "已联系***（***），本周五前更换3号楼***门口灯具。"
        )

    def test_events_not_chosen_and_inactive_subscriptions_get_nothing(self):
        with local_server() as partner:
            self.subscribe(partner.url, events=["cases.case.resolved"])
            self.subscribe(partner.url, active=False)
            self.committed(self.dispatched)
            run_queued(JOBS)
        self.assertEqual(partner.received, [])
        self.assertFalse(Delivery.objects.exists())

    def test_without_subscriptions_a_committed_action_queues_no_webhook_job(self):
        subscription = self.subscribe("http://127.0.0.1:9/unused")
        subscription.delete()
        self.committed(self.register)
        self.assertEqual(queued(JOBS), [])
        self.subscribe("http://127.0.0.1:9/unused", events=["cases.case.dispatched"])
        self.committed(self.register)  # a code nobody wants still queues one cheap job
        self.assertEqual([job.name for job in queued(JOBS)], ["fan_out_events"])
        run_queued(JOBS)
        self.assertFalse(Delivery.objects.exists())

    def test_a_fan_out_run_twice_delivers_once(self):
        self.subscribe("http://127.0.0.1:9/unused")
        event = CaseEvent.objects.get(case=self.register())
        self.assertEqual(len(make_deliveries([event.pk])), 1)
        self.assertEqual(make_deliveries([event.pk]), [])
        self.assertEqual(Delivery.objects.count(), 1)


class RetryTest(WebhookTestCase):
    def test_a_failing_endpoint_is_retried_with_back_off_until_it_answers(self):
        with local_server(statuses=[500, 200]) as partner:
            self.subscribe(partner.url)
            case = self.committed(self.register)
            run_queued(JOBS)
            delivery = Delivery.objects.get()
            self.assertEqual(self.reload(case).status, Status.REGISTERED)  # the workflow stands
            self.assertEqual(
                (delivery.status, delivery.attempts, delivery.last_status_code),
                (Delivery.Status.PENDING, 1, 500),
            )
            self.assertAlmostEqual(
                (delivery.next_attempt_at - timezone.now()).total_seconds(), 30, delta=5
            )
            [retry] = scheduled(JOBS)
            self.assertEqual(retry.args, (delivery.pk,))
            self.assertEqual(run_scheduled(JOBS), 0)  # not before its time
            with time_machine.travel(timezone.now() + dt.timedelta(seconds=31)):
                self.assertEqual(run_scheduled(JOBS), 1)

        delivery.refresh_from_db()
        self.assertEqual(
            (delivery.status, delivery.attempts, delivery.last_status_code, delivery.last_error),
            (Delivery.Status.DELIVERED, 2, 200, ""),
        )
        log = list(Attempt.objects.filter(delivery=delivery).values_list("status_code", "error"))
        self.assertEqual(log, [(500, "HTTP 500"), (200, "")])
        first, second = partner.received
        self.assertEqual(first["body"], second["body"])  # the same bytes
        self.assertEqual(
            first["headers"]["X-Lianxin-Delivery"], second["headers"]["X-Lianxin-Delivery"]
        )
        # A new timestamp, signed anew: a receiver refuses a replay of the first.
        self.assertGreater(
            int(second["headers"]["X-Lianxin-Timestamp"]),
            int(first["headers"]["X-Lianxin-Timestamp"]),
        )
        self.assertEqual(second["headers"]["X-Lianxin-Signature"], signature_of(second))

    def test_an_unreachable_endpoint_is_given_up_after_the_last_attempt(self):
        self.subscribe(closed_port_url())
        with time_machine.travel(timezone.now(), tick=False) as clock:
            case = self.committed(self.register)
            run_queued(JOBS)
            for delay in [30, 60, 120, 240, 480]:  # then given up (docs/notifications.md)
                clock.shift(dt.timedelta(seconds=delay + 1))
                self.assertEqual(run_scheduled(JOBS), 1)
        delivery = Delivery.objects.get()
        self.assertEqual((delivery.status, delivery.attempts), (Delivery.Status.FAILED, 6))
        self.assertIsNone(delivery.last_status_code)
        errors = list(Attempt.objects.filter(delivery=delivery).values_list("error", flat=True))
        self.assertEqual(len(errors), 6)
        self.assertTrue(all("ConnectionError" in error for error in errors))
        self.assertEqual(scheduled(JOBS), [])
        self.assertEqual(self.reload(case).status, Status.REGISTERED)

    def test_back_off_doubles_and_is_capped(self):
        self.assertEqual([BACKOFF.delay(n) for n in range(1, 6)], [30, 60, 120, 240, 480])
        self.assertEqual(BACKOFF.delay(20), 3600)
        self.assertEqual([BACKOFF.next_delay(n) for n in (5, 6, 7)], [480, None, None])


class AdminTest(WebhookTestCase):
    def setUp(self):
        self.client.force_login(self.admin)

    def test_a_subscription_is_made_with_events_chosen_from_the_timeline(self):
        response = self.client.post(
            reverse("admin:webhooks_subscription_add"),
            {
                "name": "市民热线",
                "url": "https://partner.example.cn/hooks/lianxin",
                "secret": "abc123",
                "events": ["cases.case.registered", "cases.case.resolved"],
                "active": "on",
            },
        )
        self.assertEqual(response.status_code, 302)
        subscription = Subscription.objects.get()
        self.assertEqual(subscription.events, ["cases.case.registered", "cases.case.resolved"])

        response = self.client.post(
            reverse("admin:webhooks_subscription_add"),
            {"name": "无事件", "url": "https://x.example.cn/", "secret": "abc", "events": []},
        )
        self.assertContains(response, "这个字段是必填项")
        self.assertEqual(Subscription.objects.count(), 1)

    def test_send_a_test_delivery_and_read_its_log(self):
        with local_server() as partner:
            subscription = self.subscribe(partner.url)
            response = self.client.post(
                reverse("admin:webhooks_subscription_changelist"),
                {"action": "send_test_delivery", "_selected_action": [subscription.pk]},
                follow=True,
            )
            self.assertContains(response, "已为1个订阅生成测试推送")
            self.assertEqual([job.name for job in queued(JOBS)], ["send_delivery"])
            run_queued(JOBS)
        [request] = partner.received
        body = json.loads(request["body"])
        self.assertEqual((body["event"]["code"], body["case"]), ("webhooks.test", None))
        self.assertEqual(request["headers"]["X-Lianxin-Signature"], signature_of(request))

        delivery = Delivery.objects.get()
        response = self.client.get(reverse("admin:webhooks_delivery_changelist"))
        self.assertContains(response, "已送达")
        response = self.client.get(reverse("admin:webhooks_delivery_change", args=[delivery.pk]))
        self.assertContains(response, "field-status_code")
        self.assertContains(response, "<p>200</p>", html=False)

    def test_a_failed_delivery_can_be_sent_again(self):
        with local_server(statuses=[200]) as partner:
            self.subscribe(partner.url)
            self.register()
            delivery = Delivery.objects.create(
                subscription=Subscription.objects.get(),
                event_code="webhooks.test",
                body="{}",
                status=Delivery.Status.FAILED,
                attempts=6,
            )
            self.client.post(
                reverse("admin:webhooks_delivery_changelist"),
                {"action": "redeliver", "_selected_action": [delivery.pk]},
            )
            run_queued(JOBS)
        delivery.refresh_from_db()
        self.assertEqual((delivery.status, delivery.attempts), (Delivery.Status.DELIVERED, 1))
        self.assertEqual(len(partner.received), 1)

    def test_only_administrators_reach_the_webhook_admin(self):
        self.client.force_login(self.dispatcher)
        response = self.client.get(reverse("admin:webhooks_delivery_changelist"))
        self.assertEqual(response.status_code, 302)
