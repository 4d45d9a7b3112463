"""The demo district builds through the real actions, and `make demo` can run it twice."""

from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from django.urls import reverse

from lianxin.accounts.models import Membership, Role, User
from lianxin.cases.models import Case, CaseEvent, Status
from lianxin.orgs.models import Unit
from lianxin.upstream.exchange import run_exchange
from lianxin.upstream.models import UpstreamSettings


class LoadDemoTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", cases=160, stdout=StringIO())

    def test_the_district_has_its_units_and_every_role(self):
        kinds = Unit.objects.values_list("kind", flat=True)
        self.assertEqual(list(kinds).count("street"), 10)
        self.assertEqual(list(kinds).count("community"), 40)
        self.assertEqual(list(kinds).count("grid"), 150)
        self.assertEqual(list(kinds).count("department"), 25)
        self.assertEqual(set(Membership.objects.values_list("role", flat=True)), set(Role.values))
        self.assertTrue(User.objects.get(username="office").check_password("lianxin2026"))

    def test_cases_went_through_the_workflow(self):
        self.assertGreater(Case.objects.count(), 140)
        statuses = set(Case.objects.values_list("status", flat=True))
        self.assertTrue({Status.CLOSED, Status.IN_PROGRESS, Status.CONSTRAINED} <= statuses)
        # Every case's timeline starts with its registration.
        self.assertEqual(
            CaseEvent.objects.filter(code="cases.case.registered").count(), Case.objects.count()
        )

    def test_loading_again_is_refused_unless_asked_to_skip(self):
        with self.assertRaises(CommandError):
            call_command("load_demo", cases=1, stdout=StringIO())
        out = StringIO()
        call_command("load_demo", if_empty=True, stdout=out)
        self.assertIn("already loaded", out.getvalue())

    def test_the_logins_are_printed_for_every_role(self):
        out = StringIO()
        call_command("demo_logins", stdout=out)
        for username in ("office", "leader", "cgj", "resident", "admin"):
            self.assertIn(username, out.getvalue())

    def test_the_city_platform_settings_are_filled_in_and_switched_off(self):
        config = UpstreamSettings.load()
        self.assertFalse(config.enabled)
        self.assertTrue(config.base_url.startswith("http://127.0.0.1:"))
        self.assertEqual(config.coordinate_datum, "gcj02")
        self.assertIn("演示", config.name)
        config.full_clean()  # switching it on in the admin needs nothing more
        self.assertEqual(run_exchange(), {"enabled": False})
        self.assertFalse(User.objects.get(username="city-12345").has_usable_password())

        self.client.force_login(User.objects.get(username="admin"))
        page = self.client.get(reverse("admin:upstream_upstreamsettings_change", args=[1]))
        self.assertContains(page, config.base_url)
        self.assertContains(page, "DEMO-LD01")
        self.assertContains(page, "演示用市级平台")
