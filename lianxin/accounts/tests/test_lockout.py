"""Wrong passwords lock out the account and the address on every sign-in page."""

import time_machine
from django.test import override_settings
from django.urls import reverse

from lianxin.test import LianxinTestCase, at

LOCKED = "登录失败次数过多，请15分钟后再试。"
PAGES = {
    "staff": reverse("login"),
    "residents": reverse("portal:login"),
    "admin": reverse("admin_login"),
}


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


class LockoutTest(LianxinTestCase):
    def setUp(self):
        self.enterContext(time_machine.travel(at(2026, 6, 17, 10, 0), tick=False))

    def sign_in(self, page, username, password, address="203.0.113.7"):
        self.client.logout()
        return self.client.post(
            PAGES[page], {"username": username, "password": password}, REMOTE_ADDR=address
        )

    def test_fifty_wrong_passwords_then_the_right_one_does_not_sign_in_on_any_page(self):
        for page, (username, password) in {
            "staff": ("handler_a", "pw-handler_a"),
            "residents": ("resident", "pw-resident"),
            "admin": ("admin", "pw-admin"),
        }.items():
            with self.subTest(page):
                for _ in range(50):
                    self.sign_in(page, username, "guess-" + str(_))
                response = self.sign_in(page, username, password)
                self.assertEqual(response.status_code, 429)
                self.assertContains(response, LOCKED, status_code=429)
                self.assertFalse(signed_in(self.client))

    def test_the_account_locks_when_the_guesses_come_from_many_addresses(self):
        for n in range(10):
            self.sign_in("staff", "dispatcher", "wrong", address=f"198.51.100.{n}")
        response = self.sign_in("staff", "dispatcher", "pw-dispatcher", address="192.0.2.1")
        self.assertContains(response, LOCKED, status_code=429)
        # The same account on the residents' page: one count for all pages.
        response = self.sign_in("residents", "Dispatcher ", "pw-dispatcher", address="192.0.2.1")
        self.assertEqual(response.status_code, 429)

    def test_the_address_locks_when_it_guesses_many_accounts(self):
        for n in range(30):
            self.sign_in("residents", f"1390000{n:04d}", "12345678")
        response = self.sign_in("staff", "leader", "pw-leader")
        self.assertContains(response, LOCKED, status_code=429)
        # Another address is not locked.
        response = self.sign_in("staff", "leader", "pw-leader", address="192.0.2.1")
        self.assertEqual(response.status_code, 302)

    def test_a_few_wrong_passwords_do_not_lock_and_the_right_one_clears_the_account(self):
        for _ in range(9):
            self.sign_in("staff", "handler_a", "wrong")
        response = self.sign_in("staff", "handler_a", "pw-handler_a")
        self.assertRedirects(response, reverse("workbench:home"), fetch_redirect_response=False)
        for _ in range(9):
            self.sign_in("staff", "handler_a", "wrong", address="192.0.2.1")
        self.assertEqual(self.sign_in("staff", "handler_a", "pw-handler_a").status_code, 302)

    def test_a_sign_in_does_not_reset_the_addresss_count_for_other_accounts(self):
        for n in range(29):
            self.sign_in("residents", f"1390000{n:04d}", "12345678")
        self.assertEqual(self.sign_in("staff", "leader", "pw-leader").status_code, 302)
        self.sign_in("residents", "13900009999", "12345678")
        response = self.sign_in("residents", "resident", "pw-resident")
        self.assertEqual(response.status_code, 429)

    def test_the_lock_ends_with_its_window(self):
        for _ in range(10):
            self.sign_in("staff", "handler_a", "wrong")
        self.assertEqual(self.sign_in("staff", "handler_a", "pw-handler_a").status_code, 429)
        with time_machine.travel(at(2026, 6, 17, 10, 16), tick=False):
            self.assertEqual(self.sign_in("staff", "handler_a", "pw-handler_a").status_code, 302)

    def test_an_administrator_unlocks_an_account(self):
        for n in range(10):
            self.sign_in("staff", "handler_a", "wrong", address=f"198.51.100.{n}")
        self.client.force_login(self.admin)
        response = self.client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "unlock_sign_in", "_selected_action": [self.handler_a.pk]},
            follow=True,
        )
        self.assertContains(response, "已解除1个账号的登录锁定。")
        response = self.sign_in("staff", "handler_a", "pw-handler_a", address="192.0.2.1")
        self.assertEqual(response.status_code, 302)

    @override_settings(SIGNIN_FAILURES_PER_ACCOUNT=0, SIGNIN_FAILURES_PER_ADDRESS=0)
    def test_zero_switches_the_lockout_off(self):
        for _ in range(50):
            self.sign_in("staff", "handler_a", "wrong")
        self.assertEqual(self.sign_in("staff", "handler_a", "pw-handler_a").status_code, 302)

    def test_a_wrong_password_says_so_in_chinese_with_200(self):
        response = self.sign_in("staff", "handler_a", "wrong")
        self.assertContains(response, "用户名或密码不正确，请重新输入。")
        response = self.sign_in("residents", "resident", "wrong")
        self.assertContains(response, "手机号或密码不正确，请重新输入。")

    def test_the_admin_signs_in_on_the_admin_page(self):
        response = self.sign_in("admin", "admin", "pw-admin")
        self.assertRedirects(response, reverse("admin:index"), fetch_redirect_response=False)
        # Staff who may not use the admin site are refused without a lock count.
        self.sign_in("admin", "handler_a", "pw-handler_a")
        self.assertFalse(signed_in(self.client))
