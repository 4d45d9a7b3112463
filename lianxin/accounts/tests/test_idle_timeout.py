"""Staff sessions end after STAFF_IDLE_MINUTES without a request; residents' do not."""

import datetime as dt

import time_machine
from django.test import override_settings
from django.urls import reverse

from lianxin.test import LianxinTestCase, at

START = at(2026, 6, 17, 9, 0)


class StaffIdleTimeoutTest(LianxinTestCase):
    def setUp(self):
        self.clock = self.enterContext(time_machine.travel(START, tick=False))

    def sign_in(self, page, username):
        response = self.client.post(
            reverse(page), {"username": username, "password": "pw-" + username}
        )
        self.assertEqual(response.status_code, 302)

    def test_staff_idle_for_more_than_30_minutes_are_signed_out_and_told_why(self):
        self.sign_in("login", "handler_a")
        self.assertEqual(self.client.get(reverse("workbench:cases")).status_code, 200)
        self.clock.shift(dt.timedelta(minutes=31))
        response = self.client.get(reverse("workbench:cases"))
        self.assertRedirects(
            response,
            reverse("login") + "?next=" + reverse("workbench:cases"),
            fetch_redirect_response=False,
        )
        self.assertNotIn("_auth_user_id", self.client.session)
        page = self.client.get(response.url)
        self.assertContains(page, "会话已超时，请重新登录。")
        # Said once: the next visit to the page is a plain sign-in page.
        self.assertNotContains(self.client.get(response.url), "会话已超时")

    def test_staff_at_work_stay_signed_in(self):
        self.sign_in("login", "dispatcher")
        for _ in range(6):
            self.clock.shift(dt.timedelta(minutes=25))
            self.assertEqual(self.client.get(reverse("workbench:cases")).status_code, 200)

    def test_a_resident_idle_for_hours_stays_signed_in(self):
        self.sign_in("portal:login", "resident")
        self.clock.shift(dt.timedelta(hours=5))
        self.assertEqual(self.client.get(reverse("portal:mine")).status_code, 200)

    @override_settings(STAFF_IDLE_MINUTES=5)
    def test_the_idle_time_is_a_setting(self):
        self.sign_in("login", "leader")
        self.clock.shift(dt.timedelta(minutes=6))
        self.assertEqual(self.client.get(reverse("workbench:cases")).status_code, 302)

    @override_settings(STAFF_IDLE_MINUTES=0)
    def test_zero_switches_it_off(self):
        self.sign_in("login", "leader")
        self.clock.shift(dt.timedelta(hours=8))
        self.assertEqual(self.client.get(reverse("workbench:cases")).status_code, 200)

    def test_the_admin_site_times_out_too(self):
        self.sign_in("admin_login", "admin")
        self.assertEqual(self.client.get(reverse("admin:index")).status_code, 200)
        self.clock.shift(dt.timedelta(minutes=31))
        response = self.client.get(reverse("admin:index"))
        self.assertEqual(response.status_code, 302)
        self.assertNotIn("_auth_user_id", self.client.session)
