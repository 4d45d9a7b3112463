"""Who hears what when a case moves: driven through the workflow actions, sent by the jobs."""

import datetime as dt
import json
import re
import shutil
import tempfile
from pathlib import Path

import time_machine
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from huey.storage import RedisStorage

from lianxin.cases import actions
from lianxin.cases.models import Case, CaseEvent, Status
from lianxin.notify.models import Message
from lianxin.notify.outbox import BACKOFF
from lianxin.notify.tasks import remind_reply_due, resend_due_messages
from lianxin.notify.tests.httpserver import closed_port_url, local_server
from lianxin.notify.tests.jobs import queued, run_queued, run_scheduled, scheduled
from lianxin.test import LianxinTestCase, at

JOBS = {"notify_events", "send_messages"}
RESIDENT_PHONE = "13812341234"
INTERNAL_NOTE = "内部掌握：该户多次投诉，注意沟通方式"


class NotifyTestCase(LianxinTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.phones = {
            "handler_a": "13900000001",
            "head_a": "13900000002",
            "handler_b": "13900000003",
            "dispatcher": "13900000004",
            "leader": "13900000005",
            "grid_worker": "13900000006",
        }
        for name, phone in cls.phones.items():
            user = getattr(cls, name)
            user.phone = phone
            user.save(update_fields=["phone"])

    def setUp(self):
        folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, folder)
        self.sms_file = Path(folder) / "sms.jsonl"
        sms = override_settings(
            SMS_BACKEND="lianxin.notify.backends.FileBackend",
            SMS_FILE_PATH=self.sms_file,
            SITE_URL="https://lianxin.example.gov.cn",
        )
        sms.enable()
        self.addCleanup(sms.disable)

    def sent(self) -> list[dict]:
        if not self.sms_file.exists():
            return []
        return [json.loads(line) for line in self.sms_file.read_text("utf-8").splitlines()]

    def texts_to(self, name_or_phone: str) -> list[str]:
        phone = self.phones.get(name_or_phone, name_or_phone)
        return [line["text"] for line in self.sent() if line["to"] == phone]

    def committed(self, action, *args, **kwargs):
        """Run a workflow action as a request would: its on-commit work runs after it."""
        with self.captureOnCommitCallbacks(execute=True):
            return action(*args, **kwargs)


class ResidentMessagesTest(NotifyTestCase):
    def test_registration_queues_a_job_that_texts_the_tracking_number(self):
        case = self.committed(self.register)
        event = CaseEvent.objects.get(case=case, code="cases.case.registered")
        jobs = queued(JOBS)
        self.assertEqual([(job.name, job.args) for job in jobs], [("notify_events", ([event.pk],))])
        self.assertEqual(self.sent(), [])  # the request itself sends nothing

        run_queued(JOBS)
        [text] = self.texts_to(RESIDENT_PHONE)
        self.assertIn(case.tracking_number, text)
        self.assertRegex(text, r"https://lianxin\.example\.gov\.cn/m/f/[\w:-]+/")
        self.assertNotIn("后四位", text)
        message = Message.objects.get()
        self.assertEqual(
            (message.kind, message.status, message.attempts, message.case_id),
            ("resident.registered", Message.Status.SENT, 1, case.pk),
        )

    def test_an_event_recorded_long_after_it_happened_is_history_and_texts_nobody(self):
        self.committed(self.register, when=timezone.now() - dt.timedelta(days=3))  # an import
        self.assertEqual(queued(JOBS), [])
        run_queued(JOBS)
        self.assertFalse(Message.objects.exists())

    def test_an_anonymous_case_without_a_phone_texts_nobody(self):
        self.committed(
            self.register, resident=None, resident_name="", resident_phone="", anonymous=True
        )
        run_queued(JOBS)
        self.assertEqual(self.sent(), [])
        self.assertFalse(Message.objects.exists())

    def test_the_reply_reaches_the_resident_and_an_internal_note_never_does(self):
        case = self.in_progress()
        self.committed(actions.do_add_note, case, actor=self.handler_a, note=INTERNAL_NOTE)
        reply = "已安排维修人员本周五前更换灯具，请您耐心等待。"
        self.committed(actions.do_reply_case, case, actor=self.handler_a, text=reply)
        run_queued(JOBS)
        texts = self.texts_to(RESIDENT_PHONE)
        self.assertEqual(len(texts), 1)
        self.assertIn(reply, texts[0])
        self.assertNotIn(INTERNAL_NOTE, json.dumps(self.sent(), ensure_ascii=False))

    def test_a_constrained_case_texts_the_resident_its_explanation(self):
        explanation = "该路段路灯改造需纳入明年市政计划，已登记并将逐步推进。"
        self.committed(
            actions.do_mark_constrained,
            self.in_progress(),
            actor=self.handler_a,
            explanation=explanation,
        )
        run_queued(JOBS)
        [text] = self.texts_to(RESIDENT_PHONE)
        self.assertIn(explanation, text)

    def test_resolution_and_verification_ask_the_resident_to_rate(self):
        case = self.replied()
        self.committed(
            actions.do_resolve_case, case, actor=self.handler_a, note="已更换灯具，恢复照明。"
        )
        self.committed(
            actions.do_verify_case,
            self.reload(case),
            actor=self.dispatcher,
            passed=True,
            on_site=True,
        )
        run_queued(JOBS)
        kinds = list(Message.objects.order_by("pk").values_list("kind", flat=True))
        self.assertEqual(kinds, ["resident.resolved", "resident.rate"])
        resolved, rate = self.texts_to(RESIDENT_PHONE)
        self.assertIn("已办结", resolved)
        self.assertIn("评价", rate)
        self.assertIn(case.tracking_number, rate)

    def test_the_link_in_the_rating_text_lets_the_resident_rate_without_signing_in(self):
        case = self.resolved()
        self.committed(
            actions.do_verify_case, case, actor=self.dispatcher, passed=True, on_site=True
        )
        run_queued(JOBS)
        [rate] = [t for t in self.texts_to(RESIDENT_PHONE) if "评价" in t]
        link = re.search(r"https://lianxin\.example\.gov\.cn(/m/f/[\w:-]+/)", rate)[1]
        visitor = Client()
        page = visitor.get(link, follow=True)
        self.assertContains(page, "提交评价")
        visitor.post(
            reverse("portal:rate", args=[case.pk]),
            {"satisfaction": "satisfied", "solved": "yes", "comment": ""},
        )
        self.assertEqual(self.reload(case).status, Status.CLOSED)


class StaffMessagesTest(NotifyTestCase):
    def test_a_split_texts_the_handlers_of_the_lead_and_co_units(self):
        case = self.register()
        self.committed(
            actions.do_dispatch_case,
            case,
            actor=self.dispatcher,
            unit=self.dept_a,
            co_units=[self.dept_b],
        )
        run_queued(JOBS)
        [to_a] = self.texts_to("handler_a")
        [to_b] = self.texts_to("handler_b")
        self.assertIn("区城市管理局有新派单（主办）", to_a)
        self.assertIn("区住房和城乡建设局有新派单（协办）", to_b)
        self.assertIn(case.tracking_number, to_a)
        self.assertEqual(self.texts_to("head_a"), [])  # heads hear of missed deadlines
        self.assertEqual(self.texts_to("dispatcher"), [])
        self.assertNotIn(RESIDENT_PHONE, {line["to"] for line in self.sent()})

    def test_a_return_texts_the_office_with_the_reason(self):
        case = self.dispatched()
        self.committed(
            actions.do_return_part,
            case.parts.get(),
            actor=self.handler_a,
            reason="不属于本部门职责",
        )
        run_queued(JOBS)
        [text] = self.texts_to("dispatcher")
        self.assertIn("区城市管理局退回了诉求", text)
        self.assertIn("不属于本部门职责", text)
        self.assertEqual(self.texts_to(RESIDENT_PHONE), [])  # the reason is internal

    def test_an_escalation_texts_the_leaders(self):
        case = self.in_progress()
        self.committed(
            actions.do_escalate_case, case, actor=self.dispatcher, note="涉及多个部门，需区领导协调"
        )
        run_queued(JOBS)
        [text] = self.texts_to("leader")
        self.assertIn("需区领导协调", text)
        self.assertIn("连心服务办公室", text)

    def test_a_missed_reply_texts_the_lead_units_handlers_and_head(self):
        # Street lights allow 5 working days, fewer than the reply's 7 (+ National Day), so
        # the resolution is due with the reply, on 15 October, never before it.
        case = self.dispatched(when=at(2026, 9, 30))
        for moment in (at(2026, 10, 14, 9), at(2026, 10, 16, 9)):
            with time_machine.travel(moment, tick=False):  # the scan runs on time
                self.committed(actions.do_record_overdue_cases)
        # The first scan found nothing; the second both deadlines, a job for each.
        self.assertEqual([job.name for job in queued(JOBS)], ["notify_events"] * 2)
        run_queued(JOBS)
        number = f"{case.tracking_number}“{case.title}”"
        for name in ("handler_a", "head_a"):
            self.assertEqual(
                self.texts_to(name),
                [
                    f"【连心】区城市管理局承办的诉求{number}已答复逾期（期限10月15日），请尽快办理。",
                    f"【连心】区城市管理局承办的诉求{number}已办结逾期（期限10月15日），请尽快办理。",
                ],
            )
        self.assertEqual(self.texts_to("handler_b"), [])

    def test_deadlines_missed_long_ago_are_history_and_text_nobody(self):
        self.dispatched(when=at(2026, 9, 30))
        with time_machine.travel(at(2026, 12, 1), tick=False):  # the first scan ever
            counts = self.committed(actions.do_record_overdue_cases)
        self.assertEqual(counts["cases.case.reply_overdue"], 1)  # the event is recorded
        run_queued(JOBS)
        self.assertEqual(self.sent(), [])

    def test_the_daily_job_reminds_of_replies_due_by_the_next_working_day(self):
        case = self.dispatched(when=at(2026, 9, 30))  # reply due Thursday 15 October
        self.replied(when=at(2026, 9, 30))  # another case, answered already
        with time_machine.travel(at(2026, 10, 14, 7), tick=False):
            self.assertEqual(remind_reply_due.call_local(), 0)  # before the working day
        with time_machine.travel(at(2026, 10, 14, 9), tick=False):
            self.assertEqual(remind_reply_due.call_local(), 1)
            self.assertEqual(remind_reply_due.call_local(), 0)  # hourly, but once a day
        with time_machine.travel(at(2026, 10, 13, 9), tick=False):
            self.assertEqual(remind_reply_due.call_local(), 0)  # due in two working days
        self.assertEqual([job.name for job in queued(JOBS)], ["send_messages"])
        run_queued(JOBS)
        [text] = self.texts_to("handler_a")
        self.assertIn(case.tracking_number, text)
        self.assertIn("将于10月15日答复到期", text)


class FailuresTest(NotifyTestCase):
    def test_a_failing_gateway_is_retried_with_back_off_and_the_case_is_unharmed(self):
        with override_settings(
            SMS_BACKEND="lianxin.notify.backends.HttpGatewayBackend",
            SMS_GATEWAY_URL=closed_port_url(),
            SMS_GATEWAY_KEY="gw-secret",
        ):
            case = self.committed(self.register)
            run_queued(JOBS)
            message = Message.objects.get()
            self.assertEqual(self.reload(case).status, Status.REGISTERED)
            self.assertEqual((message.status, message.attempts), (Message.Status.PENDING, 1))
            self.assertIn("ConnectionError", message.last_error)
            self.assertAlmostEqual(
                (message.next_attempt_at - timezone.now()).total_seconds(), 60, delta=5
            )
            [retry] = scheduled(JOBS)
            self.assertEqual(retry.args, ([message.pk],))

            with (
                local_server(statuses=[200], answer={"id": "gw-42"}) as gateway,
                override_settings(SMS_GATEWAY_URL=gateway.url),
                time_machine.travel(timezone.now() + dt.timedelta(seconds=61)),
            ):
                self.assertEqual(run_scheduled(JOBS), 1)
        message.refresh_from_db()
        self.assertEqual(
            (message.status, message.attempts, message.provider_id, message.last_error),
            (Message.Status.SENT, 2, "gw-42", ""),
        )
        [request] = gateway.received
        self.assertEqual(request["headers"]["Authorization"], "Bearer gw-secret")
        self.assertEqual(json.loads(request["body"]), {"to": RESIDENT_PHONE, "text": message.text})

    def test_after_the_last_attempt_the_message_is_marked_failed(self):
        with (
            local_server(statuses=[503]) as gateway,
            override_settings(
                SMS_BACKEND="lianxin.notify.backends.HttpGatewayBackend",
                SMS_GATEWAY_URL=gateway.url,
            ),
            time_machine.travel(timezone.now(), tick=False) as clock,
        ):
            self.committed(self.register)
            run_queued(JOBS)
            for delay in [60, 120, 240, 480]:  # then given up (docs/notifications.md)
                clock.shift(dt.timedelta(seconds=delay + 1))
                self.assertEqual(run_scheduled(JOBS), 1)
        message = Message.objects.get()
        self.assertEqual((message.status, message.attempts), (Message.Status.FAILED, 5))
        self.assertIn("HTTP 503", message.last_error)
        self.assertEqual(len(gateway.received), 5)
        self.assertEqual(scheduled(JOBS), [])  # no attempt after the last

    def test_the_sweep_sends_what_a_lost_job_or_a_dead_worker_left_behind(self):
        now = timezone.now()

        def message(phone, status, minutes_ago):
            return Message.objects.create(
                kind="resident.registered",
                phone=phone,
                text=f"短信{phone}",
                status=status,
                next_attempt_at=now - dt.timedelta(minutes=minutes_ago),
                dedupe_key=phone,
            )

        dead_worker = message("13800000001", Message.Status.SENDING, 11)
        still_sending = message("13800000002", Message.Status.SENDING, 9)
        lost_job = message("13800000003", Message.Status.PENDING, 3)
        job_queued = message("13800000004", Message.Status.PENDING, 1)
        with time_machine.travel(now, tick=False):
            self.assertEqual(resend_due_messages.call_local(), 2)
            run_queued(JOBS)
        self.assertEqual(
            sorted(line["to"] for line in self.sent()), [dead_worker.phone, lost_job.phone]
        )
        rows = (dead_worker, still_sending, lost_job, job_queued)
        self.assertEqual(
            [Message.objects.get(pk=row.pk).status for row in rows],
            [
                Message.Status.SENT,
                Message.Status.SENDING,
                Message.Status.SENT,
                Message.Status.PENDING,
            ],
        )

    def test_the_back_off_gives_up_after_five_attempts(self):
        self.assertEqual([BACKOFF.next_delay(n) for n in range(1, 6)], [60, 120, 240, 480, None])

    def test_a_queue_that_is_down_never_breaks_the_workflow(self):
        HUEY.storage = RedisStorage(HUEY.name, url="redis://127.0.0.1:1/0")  # nothing listens
        with self.assertLogs("lianxin.notify.tasks", "ERROR"):
            case = self.committed(self.register)
        self.assertTrue(Case.objects.filter(pk=case.pk, status=Status.REGISTERED).exists())
