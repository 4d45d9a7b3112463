"""One gate for staff pages: every member of staff passes it, leaders and administrators
included (they see the whole district's cases); a resident gets the 404 of a page that is
not there, on every staff page alike."""

from django.http import Http404
from django.urls import reverse

from lianxin.cases.access import require_office, require_staff
from lianxin.test import LianxinTestCase

STAFF = [
    "grid_worker",
    "community_staff",
    "street_staff",
    "handler_a",
    "head_a",
    "dispatcher",
    "leader",
    "admin",
]
STAFF_PAGES = [
    ("workbench:intake", 200),
    ("workbench:forum", 200),
    ("figures:dashboard", 200),
    ("geo:map", 200),
    ("geo:case_points", 200),
    ("intel:topics", 200),
]


class StaffGateTest(LianxinTestCase):
    def test_every_staff_role_passes_and_a_resident_does_not(self):
        for name in STAFF:
            with self.subTest(role=name):
                self.assertTrue(require_staff(getattr(self, name)).staff)
        for name in ("resident", "other_resident"):
            with self.subTest(role=name), self.assertRaises(Http404):
                require_staff(getattr(self, name))

    def test_only_the_office_passes_the_office_gate(self):
        self.assertTrue(require_office(self.dispatcher).office)
        for name in ["resident", *STAFF]:
            if name == "dispatcher":
                continue
            with self.subTest(role=name), self.assertRaises(Http404):
                require_office(getattr(self, name))

    def test_staff_pages_open_to_every_staff_role(self):
        for name in STAFF:
            self.client.force_login(getattr(self, name))
            for page, status in STAFF_PAGES:
                with self.subTest(role=name, page=page):
                    self.assertEqual(self.client.get(reverse(page)).status_code, status)

    def test_staff_pages_are_not_there_for_a_resident(self):
        self.client.force_login(self.resident)
        for page, _status in STAFF_PAGES:
            with self.subTest(page=page):
                self.assertEqual(self.client.get(reverse(page)).status_code, 404)
        export = reverse("ledgers:export", args=["cases", "xlsx"])
        self.assertEqual(self.client.get(export).status_code, 404)

    def test_office_pages_are_not_there_for_other_staff(self):
        for name in STAFF:
            if name == "dispatcher":
                continue
            self.client.force_login(getattr(self, name))
            with self.subTest(role=name):
                url = reverse("workbench:return_visits")
                self.assertEqual(self.client.get(url).status_code, 404)
                url = reverse("intel:topic_refresh")
                self.assertEqual(self.client.post(url).status_code, 404)
        self.client.force_login(self.dispatcher)
        self.assertEqual(self.client.get(reverse("workbench:return_visits")).status_code, 200)
