"""Passwords: Django's four checks on sign-up and password change, said in Chinese."""

from django.urls import reverse

from lianxin.accounts.models import User
from lianxin.test import LianxinTestCase


class SignupPasswordTest(LianxinTestCase):
    url = reverse("portal:signup")

    def sign_up(self, password, phone="13912345678", full_name="张建国"):
        return self.client.post(
            self.url, {"phone": phone, "full_name": full_name, "password": password}
        )

    def test_the_passwords_the_probe_used_are_refused(self):
        for password, message in {
            "12345678": "这个密码太常见了。",
            "password": "这个密码太常见了。",
            "83920174": "密码只包含数字。",
            "short1": "密码至少需要8位。",
            "13912345678": "密码与手机号太相似，请换一个。",
        }.items():
            with self.subTest(password):
                response = self.sign_up(password)
                self.assertContains(response, message)
                self.assertFalse(User.objects.filter(username="13912345678").exists())

    def test_a_good_password_is_accepted(self):
        response = self.sign_up("lamp-post-42")
        self.assertEqual(response.status_code, 302)
        self.assertTrue(User.objects.get(username="13912345678").check_password("lamp-post-42"))


class PasswordChangeTest(LianxinTestCase):
    def change(self, url, old, new, again=None):
        return self.client.post(
            url, {"old_password": old, "new_password1": new, "new_password2": again or new}
        )

    def test_staff_change_their_password_and_stay_signed_in(self):
        self.client.force_login(self.handler_a)
        self.assertContains(self.client.get(reverse("password_change")), "新密码")
        response = self.change(reverse("password_change"), "pw-handler_a", "quiet-river-17")
        self.assertRedirects(response, reverse("workbench:home"), fetch_redirect_response=False)
        self.handler_a.refresh_from_db()
        self.assertTrue(self.handler_a.check_password("quiet-river-17"))
        self.assertIn("_auth_user_id", self.client.session)

    def test_a_weak_new_password_is_refused_in_chinese(self):
        self.client.force_login(self.resident)
        url = reverse("portal:password_change")
        for password, message in {
            "password": "这个密码太常见了。",
            "12345678": "这个密码太常见了。",
            "13812341234x": "密码与手机号太相似，请换一个。",
        }.items():
            with self.subTest(password):
                response = self.change(url, "pw-resident", password)
                self.assertContains(response, message)
        self.resident.refresh_from_db()
        self.assertTrue(self.resident.check_password("pw-resident"))

    def test_the_old_password_must_be_right(self):
        self.client.force_login(self.resident)
        response = self.change(reverse("portal:password_change"), "wrong", "quiet-river-17")
        self.assertContains(response, "旧密码不正确")

    def test_a_visitor_is_sent_to_sign_in(self):
        response = self.client.get(reverse("portal:password_change"))
        self.assertTrue(response.url.startswith(reverse("portal:login")))
        response = self.client.get(reverse("password_change"))
        self.assertTrue(response.url.startswith(reverse("login")))
