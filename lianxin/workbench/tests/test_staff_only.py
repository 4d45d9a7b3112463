"""Staff pages are for staff: a signed-in resident gets 404 on every one of them, his own
case included, and is sent from the staff inbox to his own cases on /m/."""

import re

from django.urls import URLPattern, reverse

from lianxin.cases import actions
from lianxin.test import LianxinTestCase
from lianxin.workbench import urls as workbench_urls

INTERNAL_NOTE = "内部备注：该户曾多次来电，注意沟通方式"


def staff_urls(kwargs: dict) -> list[str]:
    """Every workbench address, its placeholders filled from `kwargs`."""
    found = []
    for pattern in workbench_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        names = re.findall(r"<(?:\w+:)?(\w+)>", str(pattern.pattern))
        found.append(reverse(f"workbench:{pattern.name}", kwargs={n: kwargs[n] for n in names}))
    return found


class ResidentOnStaffPagesTest(LianxinTestCase):
    def setUp(self):
        self.case = self.dispatched()  # the resident's own case
        actions.do_add_note(self.case, actor=self.dispatcher, note=INTERNAL_NOTE, public=False)
        self.client.force_login(self.resident)

    def test_the_resident_gets_404_on_his_own_case_on_the_staff_page(self):
        response = self.client.get(reverse("workbench:case", args=[self.case.pk]))
        self.assertEqual(response.status_code, 404)
        self.assertNotContains(response, INTERNAL_NOTE, status_code=404)

    def test_every_staff_address_is_404_for_a_resident_except_the_inbox(self):
        kwargs = {"pk": self.case.pk, "photo_pk": 1, "action": "note"}
        urls = staff_urls(kwargs)
        self.assertGreaterEqual(len(urls), 7)
        for url in urls:
            if url == reverse("workbench:home"):
                continue
            for method in ("get", "post"):
                with self.subTest(url=url, method=method):
                    response = getattr(self.client, method)(url, {"note": "我来补充"})
                    self.assertEqual(response.status_code, 404)
        self.assertEqual(self.case.events.filter(note="我来补充").count(), 0)

    def test_the_inbox_sends_a_resident_to_his_own_cases(self):
        self.assertRedirects(self.client.get(reverse("workbench:home")), reverse("portal:mine"))

    def test_the_other_staff_pages_refuse_a_resident_too(self):
        urls = [
            reverse("figures:dashboard"),
            reverse("figures:cases"),
            reverse("geo:map"),
            reverse("geo:case_points"),
            reverse("ledgers:brief"),
            reverse("ledgers:import"),
            reverse("ledgers:export", args=["cases", "xlsx"]),
            reverse("ledgers:jobs"),
            reverse("intel:topics"),
            reverse("intel:case_duplicates", args=[self.case.pk]),
        ]
        for url in urls:
            with self.subTest(url=url):
                response = self.client.get(url)
                if response.status_code == 302:  # the map sends a resident to his own cases
                    self.assertEqual(response["Location"], reverse("portal:mine"))
                else:
                    self.assertIn(response.status_code, (403, 404), url)

    def test_staff_still_open_the_case_page(self):
        self.client.force_login(self.handler_a)
        response = self.client.get(reverse("workbench:case", args=[self.case.pk]))
        self.assertContains(response, INTERNAL_NOTE)
