"""Codes after use: old rows are purged, and the SMS log never shows a code."""

import time_machine
from django.urls import reverse

from lianxin.notify.models import Message, PhoneCode
from lianxin.notify.tasks import remove_old_phone_codes
from lianxin.notify.tests.jobs import run_queued
from lianxin.notify.tests.test_notifications import NotifyTestCase
from lianxin.notify.verify import account_phone_verified, do_check_phone_code, do_send_phone_code
from lianxin.test import at

PHONE = "13700002222"


class PhoneCodePurgeTest(NotifyTestCase):
    def send(self, phone, when, client="203.0.113.9"):
        with time_machine.travel(when, tick=False), self.captureOnCommitCallbacks(execute=True):
            sent = do_send_phone_code(phone, client=client)
        run_queued({"send_messages"})
        return sent

    def code_of(self, phone) -> str:
        return Message.objects.filter(phone=phone).latest("pk").text.split("验证码是")[1][:6]

    def test_the_daily_job_removes_codes_expired_more_than_a_day_ago(self):
        old = self.send(PHONE, at(2026, 6, 15, 9))
        recent = self.send("13700003333", at(2026, 6, 17, 9))
        with time_machine.travel(at(2026, 6, 17, 10), tick=False):
            self.assertEqual(remove_old_phone_codes.call_local(), 1)
        self.assertFalse(PhoneCode.objects.filter(pk=old.pk).exists())
        self.assertTrue(PhoneCode.objects.filter(pk=recent.pk).exists())

    def test_a_residents_proof_of_his_account_phone_is_kept(self):
        self.send(self.resident.phone, at(2026, 6, 1, 9))
        with time_machine.travel(at(2026, 6, 1, 9, 2), tick=False):
            do_check_phone_code(
                self.resident.phone, self.code_of(self.resident.phone), user=self.resident
            )
        with time_machine.travel(at(2026, 6, 17, 10), tick=False):
            remove_old_phone_codes.call_local()
        self.assertTrue(account_phone_verified(self.resident, self.resident.phone))

    def test_the_job_is_periodic(self):
        from huey.contrib.djhuey import HUEY

        self.assertIn(remove_old_phone_codes.task_class, HUEY._registry._periodic_tasks)


class SmsLogTest(NotifyTestCase):
    def test_the_admin_never_sees_the_code_of_a_code_text(self):
        with (
            time_machine.travel(at(2026, 6, 17, 9), tick=False),
            self.captureOnCommitCallbacks(execute=True),
        ):
            do_send_phone_code(PHONE, client="203.0.113.9")
        run_queued({"send_messages"})
        message = Message.objects.get(phone=PHONE)
        code = message.text.split("验证码是")[1][:6]
        self.client.force_login(self.admin)
        url = reverse("admin:notify_message_change", args=[message.pk])
        with time_machine.travel(at(2026, 6, 17, 9, 1), tick=False):
            response = self.client.get(url)
        self.assertContains(response, "您的验证码是******")
        self.assertNotContains(response, code)
