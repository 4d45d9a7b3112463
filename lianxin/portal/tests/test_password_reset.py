"""A forgotten password is reset with a code to the account's phone, on /m/ and for staff,
without ever telling whether a phone has an account."""

import re

import time_machine
from django.test import Client
from django.urls import reverse

from lianxin.notify.models import Message, PhoneCode
from lianxin.notify.tests.jobs import run_queued
from lianxin.notify.tests.test_notifications import NotifyTestCase
from lianxin.test import at

NEW = "quiet-river-17"
STRANGER = "13700009999"  # a phone with no account
SENT = "如该手机号已注册，验证码已发送"


class PasswordResetTest(NotifyTestCase):
    start = reverse("portal:password_reset")
    confirm = reverse("portal:password_reset_confirm")

    def setUp(self):
        super().setUp()
        self.enterContext(time_machine.travel(at(2026, 6, 17, 10), tick=False))

    def ask(self, phone, client=None, address="203.0.113.5"):
        client = client or self.client
        with self.captureOnCommitCallbacks(execute=True):
            response = client.post(self.start, {"phone": phone}, REMOTE_ADDR=address, follow=True)
        run_queued({"send_messages"})
        return response

    def code_sent_to(self, phone) -> str:
        text = Message.objects.filter(phone=phone).latest("pk").text
        return re.search(r"验证码是(\d{6})", text).group(1)

    def reset(self, code, password=NEW, again=None, client=None):
        client = client or self.client
        data = {"code": code, "new_password1": password, "new_password2": again or password}
        return client.post(self.confirm, data)

    def test_a_resident_resets_his_password_with_the_code_texted_to_his_phone(self):
        phone = self.resident.phone
        response = self.ask(phone)
        self.assertRedirects(response, self.confirm)
        self.assertContains(response, SENT)
        self.assertContains(response, "138****1234")
        response = self.reset(self.code_sent_to(phone))
        self.assertRedirects(response, reverse("portal:login"), fetch_redirect_response=False)
        self.resident.refresh_from_db()
        self.assertTrue(self.resident.check_password(NEW))
        signed_in = Client().post(
            reverse("portal:login"), {"username": "resident", "password": NEW}
        )
        self.assertEqual(signed_in.status_code, 302)

    def test_the_code_is_spent_once_used(self):
        self.ask(self.resident.phone)
        code = self.code_sent_to(self.resident.phone)
        self.reset(code)
        with time_machine.travel(at(2026, 6, 17, 10, 2), tick=False):
            self.ask(self.resident.phone)  # step 1 again, then the old code
            response = self.reset(code, password="another-river-18")
        self.assertContains(response, "验证码不正确或已失效")
        self.resident.refresh_from_db()
        self.assertTrue(self.resident.check_password(NEW))

    def test_a_phone_without_an_account_gets_the_same_answer_and_no_text(self):
        known = self.ask(self.resident.phone, client=Client())
        unknown = self.ask(STRANGER)
        self.assertEqual(unknown.status_code, known.status_code)
        self.assertEqual(unknown.redirect_chain, known.redirect_chain)

        def page(response, masked_phone):
            text = response.content.decode().replace(masked_phone, "PHONE")
            return re.sub(r"[A-Za-z0-9]{64}", "CSRF", text)  # each session's own token

        self.assertEqual(page(unknown, "137****9999"), page(known, "138****1234"))
        self.assertContains(unknown, SENT)
        self.assertFalse(Message.objects.filter(phone=STRANGER).exists())
        self.assertFalse(PhoneCode.objects.filter(phone=STRANGER).exists())
        # Any code then fails with the message a wrong code gets for a real account.
        response = self.reset("123456")
        self.assertContains(response, "验证码不正确或已失效，请核对短信或重新获取。")

    def test_a_wrong_code_says_the_same_as_no_account(self):
        self.ask(self.resident.phone)
        code = self.code_sent_to(self.resident.phone)
        response = self.reset(f"{(int(code) + 1) % 10**6:06d}")
        self.assertContains(response, "验证码不正确或已失效，请核对短信或重新获取。")
        self.resident.refresh_from_db()
        self.assertTrue(self.resident.check_password("pw-resident"))

    def test_five_wrong_codes_spend_the_code(self):
        self.ask(self.resident.phone)
        code = self.code_sent_to(self.resident.phone)
        wrong = f"{(int(code) + 1) % 10**6:06d}"
        for _ in range(5):
            self.reset(wrong)
        response = self.reset(code)
        self.assertContains(response, "验证码不正确或已失效")
        self.resident.refresh_from_db()
        self.assertFalse(self.resident.check_password(NEW))

    def test_an_expired_code_does_not_reset(self):
        self.ask(self.resident.phone)
        code = self.code_sent_to(self.resident.phone)
        with time_machine.travel(at(2026, 6, 17, 10, 11), tick=False):
            response = self.reset(code)
        self.assertContains(response, "验证码不正确或已失效")

    def test_a_weak_password_is_refused_before_the_code_is_tried(self):
        self.ask(self.resident.phone)
        code = self.code_sent_to(self.resident.phone)
        for password, message in {
            "12345678": "这个密码太常见了。",
            "password": "这个密码太常见了。",
            "13812341234": "密码与手机号太相似，请换一个。",
        }.items():
            with self.subTest(password):
                self.assertContains(self.reset(code, password), message)
        self.assertContains(self.reset(code, NEW, again="other-river-19"), "两次输入的密码不一致。")
        self.assertEqual(PhoneCode.objects.get(phone=self.resident.phone).attempts, 0)
        self.assertEqual(self.reset(code).status_code, 302)

    def test_codes_to_one_phone_are_rate_limited_whether_or_not_it_has_an_account(self):
        for phone in (self.resident.phone, STRANGER):
            with self.subTest(phone):
                self.ask(phone, client=Client())
                response = self.ask(phone, client=Client())
                self.assertEqual(response.status_code, 429)
                self.assertContains(response, "验证码已发送，请稍后再试。", status_code=429)

    def test_codes_from_one_address_are_rate_limited(self):
        for n in range(10):
            self.ask(f"1370000{n:04d}")
        response = self.ask(self.resident.phone)
        self.assertContains(response, "今天获取验证码的次数已达上限", status_code=429)
        self.assertFalse(Message.objects.filter(phone=self.resident.phone).exists())

    def test_step_two_without_step_one_goes_back_to_step_one(self):
        self.assertRedirects(self.client.get(self.confirm), self.start)

    def test_the_reset_ends_other_sessions_and_lifts_the_lock(self):
        other = Client()
        other.force_login(self.resident)
        for n in range(10):
            Client().post(
                reverse("portal:login"),
                {"username": "resident", "password": "wrong"},
                REMOTE_ADDR=f"198.51.100.{n}",
            )
        self.ask(self.resident.phone)
        self.reset(self.code_sent_to(self.resident.phone))
        self.assertEqual(other.get(reverse("portal:mine")).status_code, 302)
        response = Client().post(reverse("portal:login"), {"username": "resident", "password": NEW})
        self.assertEqual(response.status_code, 302)

    def test_staff_with_a_phone_reset_on_the_staff_pages(self):
        phone = self.phones["handler_a"]
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("password_reset"), {"phone": phone}, follow=True)
        run_queued({"send_messages"})
        self.assertRedirects(response, reverse("password_reset_confirm"))
        response = self.client.post(
            reverse("password_reset_confirm"),
            {"code": self.code_sent_to(phone), "new_password1": NEW, "new_password2": NEW},
        )
        self.assertRedirects(response, reverse("login"), fetch_redirect_response=False)
        self.handler_a.refresh_from_db()
        self.assertTrue(self.handler_a.check_password(NEW))

    def test_the_pages_answer_get_and_refuse_other_methods(self):
        self.assertContains(self.client.get(self.start), "找回密码")
        self.assertContains(self.client.get(reverse("portal:login")), self.start)
        self.assertContains(self.client.get(reverse("login")), reverse("password_reset"))
        self.assertEqual(self.client.put(self.start).status_code, 405)
