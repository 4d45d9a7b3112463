"""The signed link in a resident's text proves the case on /m/ without the last four digits."""

import datetime as dt

import time_machine
from django.urls import reverse
from django.utils import timezone

from lianxin.cases.follow_links import follow_token
from lianxin.test import LianxinTestCase, at


@time_machine.travel(at(2026, 6, 17), tick=False)
class FollowLinkTest(LianxinTestCase):
    def open(self, token):
        return self.client.get(reverse("portal:follow_link", args=[token]))

    def test_the_link_shows_the_case_at_its_own_address(self):
        case = self.replied()
        response = self.open(follow_token(case.pk))
        self.assertRedirects(response, reverse("portal:case", args=[case.pk]))
        page = self.client.get(response.url)
        self.assertContains(page, case.tracking_number)

    def test_the_link_lets_the_visitor_rate(self):
        case = self.verified()
        self.open(follow_token(case.pk))
        page = self.client.get(reverse("portal:case", args=[case.pk]))
        self.assertContains(page, reverse("portal:rate", args=[case.pk]))
        self.assertNotContains(page, "请登录后评价")

    def test_a_link_proves_only_its_own_case(self):
        case, other = self.replied(), self.replied()
        self.open(follow_token(case.pk))
        self.assertEqual(self.client.get(reverse("portal:case", args=[other.pk])).status_code, 404)

    def test_a_forged_or_mangled_link_proves_nothing(self):
        case, other = self.replied(), self.replied()
        token = follow_token(case.pk)
        value, stamp, signature = token.split(":")
        forged = ":".join([follow_token(other.pk).split(":")[0], stamp, signature])
        for bad in (forged, token[:-1], "abc", value):
            response = self.open(bad)
            self.assertContains(response, "该链接已失效或不完整", status_code=404)
        self.assertEqual(self.client.get(reverse("portal:case", args=[other.pk])).status_code, 404)
        self.assertEqual(self.client.get(reverse("portal:case", args=[case.pk])).status_code, 404)

    def test_the_link_expires_after_the_settings_days(self):
        case = self.replied()
        token = follow_token(case.pk)
        with self.settings(FOLLOW_LINK_DAYS=30):
            with time_machine.travel(timezone.now() + dt.timedelta(days=29), tick=False):
                self.assertEqual(self.open(token).status_code, 302)
            self.client.logout()
            with time_machine.travel(timezone.now() + dt.timedelta(days=31), tick=False):
                self.assertContains(self.open(token), "该链接已失效", status_code=404)

    def test_a_link_from_another_purpose_signed_with_the_same_key_is_refused(self):
        from django.core import signing

        case = self.replied()
        other_salt = signing.TimestampSigner(salt="something-else").sign(
            signing.b62_encode(case.pk)
        )
        self.assertEqual(self.open(other_salt).status_code, 404)

    def test_wrong_method(self):
        case = self.replied()
        response = self.client.post(reverse("portal:follow_link", args=[follow_token(case.pk)]))
        self.assertEqual(response.status_code, 405)
