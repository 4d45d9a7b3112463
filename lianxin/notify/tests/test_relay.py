"""The anonymous text-message relay (issue 12): a visitor on /m/ must not be able to make
the district text whatever number he types, with whatever words he wrote."""

import hashlib
import re

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from lianxin.cases import actions
from lianxin.cases.models import Case
from lianxin.cases.tests.images import image_bytes
from lianxin.notify.models import MessageTemplate, PhoneCode
from lianxin.notify.tests.jobs import run_queued
from lianxin.notify.tests.test_notifications import NotifyTestCase
from lianxin.test import at

VICTIM = "13700001111"
PHISHING = "您的医保卡已停用请点击 http://bad.example 重新激活"


def concern(n: int, **changes) -> dict:
    data = {
        "category": "",
        "title": PHISHING,
        "text": "福临苑小区北门的两盏路灯坏了快两周，晚上出入不方便。",
        "address": "福临苑小区北门",
        "name": "",
        "phone": VICTIM,
        "token": f"{n:032x}",
    }
    data.update(changes)
    return data


class AnonymousRelayTest(NotifyTestCase):
    url = reverse("portal:submit")

    def submit(self, n: int, **changes):
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url, concern(n, **changes))
        run_queued({"notify_events", "send_messages"})
        return response

    def test_a_burst_of_30_gives_at_most_the_daily_limit_and_no_text_to_the_phone(self):
        for n in range(30):
            self.submit(n)
        self.assertLessEqual(Case.objects.count(), 5)
        self.assertEqual(self.texts_to(VICTIM), [])

    def test_rotating_phones_from_one_address_runs_into_the_address_limit(self):
        responses = [self.submit(n, phone=f"1370000{n:04d}") for n in range(30)]
        self.assertEqual(Case.objects.count(), 20)
        refused = responses[-1]
        self.assertEqual(refused.status_code, 429)
        self.assertContains(refused, "提交过于频繁，今天已达上限", status_code=429)
        self.assertEqual(self.sent(), [])

    def test_the_limits_count_per_day(self):
        with time_machine.travel(at(2026, 6, 17, 9), tick=False):
            for n in range(6):
                self.submit(n)
        with time_machine.travel(at(2026, 6, 18, 9), tick=False):
            self.assertEqual(self.submit(99).status_code, 302)
        self.assertEqual(Case.objects.count(), 6)

    @override_settings(PORTAL_SUBMISSIONS_PER_PHONE=2)
    def test_the_limit_is_a_setting(self):
        for n in range(4):
            self.submit(n)
        self.assertEqual(Case.objects.count(), 2)


class PhoneCodeTest(NotifyTestCase):
    url = reverse("portal:submit")
    code_url = reverse("portal:phone_code")

    def send_code(self, phone=VICTIM):
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.code_url, {"phone": phone})
        run_queued({"send_messages"})
        return response

    def code_sent(self, phone=VICTIM) -> str:
        text = self.texts_to(phone)[-1]
        return re.search(r"验证码是(\d{6})", text).group(1)

    def submit(self, n=1, **changes):
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url, concern(n, **changes))
        run_queued({"notify_events", "send_messages"})
        return response

    def test_after_verifying_the_texts_go_out_without_the_visitors_words(self):
        self.assertEqual(self.send_code().json()["sent"], True)
        code = self.code_sent()
        expected = f"【连心】您的验证码是{code}，10分钟内有效。如非本人操作，请忽略本短信。"
        self.assertEqual(self.texts_to(VICTIM), [expected])

        response = self.submit(code=code)

        case = Case.objects.get()
        self.assertRedirects(response, reverse("portal:submitted", args=[case.pk]))
        self.assertTrue(case.phone_verified)
        registered = self.texts_to(VICTIM)[-1]
        self.assertIn(case.tracking_number, registered)
        self.assertNotIn(PHISHING, registered)
        self.assertNotIn("bad.example", registered)
        # The case goes on, and the later texts carry no title either.
        case = actions.do_dispatch_case(case, actor=self.dispatcher, unit=self.dept_a)
        actions.do_accept_part(case.parts.get(), actor=self.handler_a)
        with self.captureOnCommitCallbacks(execute=True):
            actions.do_reply_case(case, actor=self.handler_a, text="已安排维修人员更换灯具。")
        run_queued({"notify_events", "send_messages"})
        texts = self.texts_to(VICTIM)
        self.assertEqual(len(texts), 3)
        self.assertFalse(any(PHISHING in text for text in texts))

    def test_the_same_session_needs_no_second_code(self):
        self.send_code()
        self.submit(1, code=self.code_sent())
        self.submit(2)
        self.assertEqual([c.phone_verified for c in Case.objects.order_by("pk")], [True, True])

    def test_a_wrong_code_is_an_error_on_the_page_and_files_nothing(self):
        self.send_code()
        right = self.code_sent()
        wrong = "000000" if right != "000000" else "111111"
        response = self.submit(code=wrong)
        self.assertContains(response, "验证码不正确")
        self.assertFalse(Case.objects.exists())

    def test_a_code_allows_five_tries_then_is_spent(self):
        self.send_code()
        right = self.code_sent()
        wrong = "000000" if right != "000000" else "111111"
        for _ in range(5):
            self.submit(code=wrong)
        response = self.submit(code=right)
        self.assertContains(response, "验证码输错次数过多，请重新获取。")
        self.assertFalse(Case.objects.exists())

    def test_a_code_expires_after_ten_minutes(self):
        with time_machine.travel(at(2026, 6, 17, 9), tick=False):
            self.send_code()
        with time_machine.travel(at(2026, 6, 17, 9, 11), tick=False):
            response = self.submit(code=self.code_sent())
        self.assertContains(response, "验证码已失效，请重新获取。")

    def test_only_a_keyed_hash_of_the_code_is_stored(self):
        self.send_code()
        code = self.code_sent()
        stored = PhoneCode.objects.get()
        self.assertNotIn(code, stored.code_hash)
        self.assertEqual(len(stored.code_hash), 64)
        self.assertNotEqual(stored.code_hash, hashlib.sha256(code.encode()).hexdigest())

    def test_codes_are_one_a_minute_and_five_a_day_per_phone(self):
        with time_machine.travel(at(2026, 6, 17, 9), tick=False) as clock:
            self.assertEqual(self.send_code().status_code, 200)
            again = self.send_code()
            self.assertEqual(again.status_code, 429)
            self.assertEqual(again.json()["message"], "验证码已发送，请稍后再试。")
            for _ in range(4):
                clock.shift(61)
                self.assertEqual(self.send_code().status_code, 200)
            clock.shift(61)
            over = self.send_code()
        self.assertEqual(over.status_code, 429)
        self.assertIn("今天获取验证码的次数已达上限", over.json()["message"])
        self.assertEqual(len(self.texts_to(VICTIM)), 5)

    def test_codes_per_address_are_limited_across_phones(self):
        for n in range(11):
            self.send_code(phone=f"1370000{n:04d}")
        self.assertEqual(len(self.sent()), 10)

    def test_with_the_code_template_switched_off_the_page_says_so(self):
        MessageTemplate.objects.filter(code="resident.code").update(active=False)
        response = self.send_code()
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json()["message"], "暂时无法发送验证码，请稍后再试。")
        self.assertFalse(PhoneCode.objects.exists())

    def test_a_bad_phone_gets_a_clear_error_and_wrong_method_is_refused(self):
        response = self.send_code(phone="12345")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["message"], "请填写11位手机号。")
        self.assertEqual(self.client.get(self.code_url).status_code, 405)

    def test_without_javascript_the_button_posts_the_form_and_keeps_what_was_typed(self):
        photo = SimpleUploadedFile("灯.jpg", image_bytes(), "image/jpeg")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                self.url, {**concern(1), "send_code": "1", "photos": [photo]}
            )
        self.assertContains(response, "验证码已发送至137****1111，10分钟内有效。")
        self.assertContains(response, "福临苑小区北门")
        self.assertContains(response, "浏览器不会保留已选的照片，请重新选择照片。")
        self.assertFalse(Case.objects.exists())

    def test_a_resident_who_verified_his_account_phone_needs_no_code_next_time(self):
        self.resident.phone = VICTIM
        self.resident.save(update_fields=["phone"])
        self.client.force_login(self.resident)
        self.send_code()
        self.submit(1, code=self.code_sent())
        other = Client()
        other.force_login(self.resident)
        with self.captureOnCommitCallbacks(execute=True):
            other.post(self.url, concern(2))
        self.assertEqual([c.phone_verified for c in Case.objects.order_by("pk")], [True, True])

    def test_staff_intake_counts_the_phone_as_verified(self):
        case = self.committed(self.register, resident_phone=VICTIM)
        run_queued({"notify_events", "send_messages"})
        self.assertTrue(case.phone_verified)
        self.assertEqual(len(self.texts_to(VICTIM)), 1)
        self.assertNotIn(case.title, self.texts_to(VICTIM)[0])
