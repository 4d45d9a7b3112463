"""Two-factor sign-in (TOTP) for administrators and the office, when the district asks."""

import datetime as dt

import pyotp
import time_machine
from django.test import Client
from django.urls import reverse

from lianxin.accounts.models import RecoveryCode, TotpDevice
from lianxin.accounts.two_factor import ENROLLING_KEY
from lianxin.orgs.models import DistrictSettings
from lianxin.test import LianxinTestCase, at

NOW = at(2026, 6, 17, 10, 0)
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def code_at(moment: dt.datetime, secret: str = SECRET) -> str:
    return pyotp.TOTP(secret).at(moment)


class TwoFactorTest(LianxinTestCase):
    def setUp(self):
        self.clock = self.enterContext(time_machine.travel(NOW, tick=False))

    def require_two_factor(self, on=True):
        settings = DistrictSettings.load()
        settings.two_factor_required = on
        settings.save()

    def enrol(self, user, secret=SECRET):
        TotpDevice.objects.create(user=user, secret=secret, created_at=NOW)

    def sign_in(self, username, page="login", client=None):
        client = client or self.client
        response = client.post(reverse(page), {"username": username, "password": "pw-" + username})
        self.assertEqual(response.status_code, 302)
        return response

    def test_off_by_default_the_password_is_enough(self):
        self.sign_in("dispatcher")
        self.assertEqual(self.client.get(reverse("workbench:cases")).status_code, 200)

    def test_when_required_the_office_enrols_before_any_page(self):
        self.require_two_factor()
        self.sign_in("dispatcher")
        for url in (reverse("workbench:cases"), reverse("admin:index"), "/m/mine/"):
            response = self.client.get(url)
            self.assertRedirects(
                response,
                reverse("two_factor_setup") + "?next=" + url.replace("/", "%2F"),
                fetch_redirect_response=False,
            )
        page = self.client.get(reverse("two_factor_setup"))
        self.assertContains(page, "data:image/svg+xml")
        self.assertContains(page, "本区要求系统管理员和办公室人员登录时进行两步验证")
        secret = self.client.session[ENROLLING_KEY]
        wrong = self.client.post(reverse("two_factor_setup"), {"code": "000000"})
        self.assertContains(wrong, "验证码不正确")
        done = self.client.post(reverse("two_factor_setup"), {"code": code_at(NOW, secret)})
        self.assertContains(done, "两步验证已启用")
        codes = done.context["codes"]
        self.assertEqual(len(codes), 10)
        stored = set(
            RecoveryCode.objects.filter(user=self.dispatcher).values_list("code_hash", flat=True)
        )
        self.assertEqual(len(stored), 10)
        self.assertFalse(stored & set(codes))  # only hashes are kept
        self.assertEqual(TotpDevice.objects.get(user=self.dispatcher).secret, secret)
        self.assertEqual(self.client.get(reverse("workbench:cases")).status_code, 200)

    def test_an_enrolled_admin_gives_the_code_after_the_password_on_the_admin_page(self):
        self.require_two_factor()
        self.enrol(self.admin)
        self.sign_in("admin", page="admin_login")
        response = self.client.get(reverse("admin:index"))
        self.assertRedirects(
            response, reverse("two_factor") + "?next=%2Fadmin%2F", fetch_redirect_response=False
        )
        wrong = self.client.post(reverse("two_factor"), {"code": "123456", "next": "/admin/"})
        self.assertContains(wrong, "验证码不正确")
        self.assertEqual(self.client.get(reverse("admin:index")).status_code, 302)
        right = self.client.post(reverse("two_factor"), {"code": code_at(NOW), "next": "/admin/"})
        self.assertRedirects(right, "/admin/", fetch_redirect_response=False)
        self.assertEqual(self.client.get(reverse("admin:index")).status_code, 200)

    def test_a_code_from_the_step_before_is_accepted_but_never_twice(self):
        self.enrol(self.dispatcher)
        self.sign_in("dispatcher")
        earlier = code_at(NOW - dt.timedelta(seconds=30))
        self.assertEqual(
            self.client.post(reverse("two_factor"), {"code": earlier}).status_code, 302
        )
        other = Client()
        self.sign_in("dispatcher", client=other)
        replayed = other.post(reverse("two_factor"), {"code": earlier})
        self.assertContains(replayed, "验证码不正确")
        stale = code_at(NOW - dt.timedelta(minutes=2))
        self.assertContains(other.post(reverse("two_factor"), {"code": stale}), "验证码不正确")

    def test_a_recovery_code_stands_in_once(self):
        self.require_two_factor()
        self.sign_in("dispatcher")
        secret = self.client.get(reverse("two_factor_setup")) and self.client.session[ENROLLING_KEY]
        codes = self.client.post(
            reverse("two_factor_setup"), {"code": code_at(NOW, secret)}
        ).context["codes"]
        for n, expected in ((1, 302), (2, 200)):
            client = Client()
            self.sign_in("dispatcher", client=client)
            response = client.post(reverse("two_factor"), {"code": codes[0].upper()})
            self.assertEqual(response.status_code, expected, f"try {n}")

    def test_wrong_codes_lock_like_wrong_passwords(self):
        self.enrol(self.dispatcher)
        self.sign_in("dispatcher")
        for _ in range(10):
            self.client.post(reverse("two_factor"), {"code": "000001"})
        response = self.client.post(reverse("two_factor"), {"code": code_at(NOW)})
        self.assertContains(response, "登录失败次数过多，请15分钟后再试。", status_code=429)

    def test_a_stolen_password_cannot_enrol_a_new_app(self):
        self.enrol(self.dispatcher)
        self.sign_in("dispatcher")
        response = self.client.get(reverse("two_factor_setup"))
        self.assertTrue(response.url.startswith(reverse("two_factor")))
        self.client.post(reverse("two_factor_setup"), {"code": "000000"})
        self.assertEqual(TotpDevice.objects.get(user=self.dispatcher).secret, SECRET)

    def test_other_staff_and_residents_are_not_asked(self):
        self.require_two_factor()
        self.sign_in("handler_a")
        self.assertEqual(self.client.get(reverse("workbench:cases")).status_code, 200)
        self.sign_in("resident", page="portal:login", client=(resident := Client()))
        self.assertEqual(resident.get(reverse("portal:mine")).status_code, 200)

    def test_turning_it_on_reaches_sessions_already_open_within_a_minute(self):
        self.sign_in("leader")  # a leader is not asked
        self.sign_in("dispatcher", client=(office := Client()))
        self.require_two_factor()
        self.clock.shift(dt.timedelta(seconds=61))
        self.assertEqual(office.get(reverse("workbench:cases")).status_code, 302)
        self.assertEqual(self.client.get(reverse("workbench:cases")).status_code, 200)

    def test_the_residents_sign_in_page_does_not_skip_the_code(self):
        self.enrol(self.admin)
        self.sign_in("admin", page="portal:login")
        self.assertEqual(self.client.get(reverse("admin:index")).status_code, 302)
        self.assertEqual(self.client.get(reverse("workbench:cases")).status_code, 302)

    def test_an_administrator_removes_a_lost_device(self):
        self.enrol(self.dispatcher)
        self.client.force_login(self.admin)
        self.client.post(reverse("two_factor"), {"code": "x"})  # admin has no device: passes
        url = reverse("admin:accounts_totpdevice_delete", args=[self.dispatcher.totp_device.pk])
        self.client.post(url, {"post": "yes"})
        self.assertFalse(TotpDevice.objects.filter(user=self.dispatcher).exists())
