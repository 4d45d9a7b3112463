"""The demo district builds through the real actions, and `make demo` can run it twice."""

from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from django.urls import reverse

from lianxin.accounts.models import Membership, Role, User
from lianxin.cases.models import Case, CaseEvent, Channel, Status
from lianxin.figures import coverage
from lianxin.orgs.models import Unit
from lianxin.programs.models import Wish
from lianxin.registry.actions import pair_warnings
from lianxin.registry.models import (
    Attachment,
    Building,
    Cadre,
    HeardCase,
    Household,
    Pair,
    RegistryEvent,
    Resident,
    Round,
    Shop,
    VisitDue,
    Zone,
)
from lianxin.upstream.exchange import run_exchange
from lianxin.upstream.models import UpstreamSettings


class LoadDemoTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        # Two households a building keep the test quick; the shape is the full demo's.
        call_command(
            "load_demo",
            cases=160,
            households_per_building=2,
            wishes=60,
            service_orders=150,
            stdout=StringIO(),
        )

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

    def test_the_wish_wall_has_wishes_in_every_status(self):
        from lianxin.programs.models import WishClaim, WishEvent, WishStatus

        self.assertEqual(set(Wish.objects.values_list("status", flat=True)), set(WishStatus.values))
        # Every wish's history starts with its posting, and each went through the actions.
        self.assertEqual(
            WishEvent.objects.filter(code="programs.wish.posted").count(), Wish.objects.count()
        )
        self.assertTrue(WishClaim.objects.filter(overdue_at__isnull=False).exists())

    def test_the_volunteers_have_teams_activities_report_ins_and_partners(self):
        from lianxin.volunteers import figures
        from lianxin.volunteers.models import Activity, ReportIn, Team, VolunteerEvent

        stats = figures.stats()
        self.assertGreaterEqual(stats["teams"], 40)
        self.assertEqual((stats["activities"], stats["report_ins"]), (450, 360))
        self.assertEqual(stats["partner_units"], 11)
        self.assertGreater(stats["problems_solved"], 0)
        self.assertGreater(stats["assignments_done"], 0)
        # Everything went through the actions: an event per activity and per report-in.
        events = VolunteerEvent.objects
        self.assertEqual(
            events.filter(code="volunteers.activity.recorded").count(), Activity.objects.count()
        )
        self.assertEqual(
            events.filter(code="volunteers.report_in.registered").count(),
            ReportIn.objects.count(),
        )
        hours = sum(f.hours for f in figures.team_figures(Team.objects.all()).values())
        self.assertEqual(float(hours), stats["hours"])
        self.assertGreater(len(figures.by_employer(ReportIn.objects.all())), 10)

    def test_two_campaigns_with_notices_fixes_relapses_and_scores(self):
        from lianxin.hazards.models import Campaign, Hazard, Inspection, Notice, Place

        self.assertEqual(
            set(Campaign.objects.values_list("topic", flat=True)), {"safety", "sanitation"}
        )
        self.assertEqual(
            set(Hazard.objects.values_list("status", flat=True)),
            {"open", "rectifying", "reported", "fixed"},
        )
        self.assertTrue(Hazard.objects.filter(relapse_count__gt=0).exists())
        self.assertTrue(Notice.objects.filter(overdue_at__isnull=False).exists())
        self.assertTrue(Inspection.objects.filter(kind="self_check").exists())
        scored = Inspection.objects.filter(place__kind__in=("village", "estate"), score__gt=0)
        self.assertGreater(scored.values("place").distinct().count(), 5)
        self.assertGreater(Place.objects.count(), 40)

    def test_the_service_menu_has_its_lines_and_orders_in_every_state(self):
        from lianxin.programs.models import OrderStatus, Service, ServiceEvent, ServiceOrder

        self.assertGreaterEqual(Service.objects.filter(community=None).count(), 17)
        self.assertTrue(Service.objects.exclude(community=None).exists())
        orders = ServiceOrder.objects.all()
        self.assertEqual(set(orders.values_list("status", flat=True)), set(OrderStatus.values))
        self.assertEqual(
            set(orders.exclude(rating="").values_list("rating", flat=True)),
            {"satisfied", "basic", "unsatisfied"},
        )
        self.assertTrue(orders.filter(overdue_at__isnull=False).exists())
        self.assertTrue(orders.filter(channel="scheduled").exclude(period="").exists())
        # Every order's history starts with its placing or its scheduling.
        first = ServiceEvent.objects.filter(
            code__in=("programs.order.placed", "programs.order.scheduled")
        )
        self.assertEqual(first.count(), orders.count())

    def test_loading_again_is_refused_unless_asked_to_skip(self):
        with self.assertRaises(CommandError):
            call_command("load_demo", cases=1, stdout=StringIO())
        out = StringIO()
        call_command("load_demo", if_empty=True, stdout=out)
        self.assertIn("already loaded", out.getvalue())

    def test_the_registers_have_buildings_pairs_zones_and_three_rounds(self):
        self.assertEqual(Building.objects.count(), 600)
        self.assertEqual(Household.objects.count(), 1200)
        self.assertEqual(Pair.objects.count(), 600)
        self.assertEqual(Cadre.objects.count(), 1200)
        self.assertEqual(Shop.objects.count(), 500)
        self.assertEqual(
            Zone.objects.count(), Attachment.objects.filter(zone__isnull=False).count()
        )
        self.assertTrue(Resident.objects.filter(tags__code="dibao").exists())
        # Every pair has two cadres, one of the community and one of a department.
        self.assertFalse(pair_warnings(Pair.objects.first()))
        statuses = list(Round.objects.order_by("number").values_list("status", flat=True))
        self.assertEqual(statuses, ["closed", "closed", "open"])

    def test_the_closed_rounds_left_a_few_gaps_and_the_open_one_is_under_way(self):
        office = User.objects.get(username="office")
        first, second, third = Round.objects.order_by("number")
        for closed in (first, second):
            row = coverage.summary(office, closed)
            self.assertGreater(row.coverage, 95)
            self.assertGreater(row.dues, 0)
            self.assertGreater(row.on_time, 0)
        under_way = coverage.summary(office, third)
        self.assertTrue(20 < under_way.coverage < 95, under_way.coverage)
        self.assertLess(under_way.met, under_way.visited)
        page = self.client
        page.force_login(office)
        response = page.get(reverse("figures:coverage"), {"by": "street"})
        self.assertEqual(response.context["round"], third)
        self.assertEqual(len(response.context["rows"]), 10)

    def test_the_rounds_were_opened_and_closed_by_the_office_through_the_actions(self):
        opened = RegistryEvent.objects.filter(code="registry.round.opened")
        self.assertEqual(sorted(e.data["number"] for e in opened), [1, 2, 3])
        self.assertEqual(
            sorted(
                RegistryEvent.objects.filter(code="registry.round.closed").values_list(
                    "data__number", flat=True
                )
            ),
            [1, 2],
        )
        self.assertEqual(
            sum(e.data["priority_dues"] for e in opened),
            VisitDue.objects.filter(kind="priority").count(),
        )

    def test_the_concerns_heard_at_visits_are_cases_that_went_on_through_the_workflow(self):
        heard = list(HeardCase.objects.select_related("case", "visit", "household"))
        self.assertGreater(len(heard), 20)
        for link in heard:
            self.assertEqual(link.case.channel, Channel.VISIT)
            self.assertEqual(link.case.registered_at, link.visit.visited_at)
            self.assertEqual(link.visit.household, link.household)
            self.assertEqual(link.case.address, link.household.address)
            self.assertEqual(link.case.grid_id, link.household.grid_id)
        self.assertEqual({link.visit.round.number for link in heard}, {1, 2, 3})
        statuses = {link.case.status for link in heard}
        self.assertIn(Status.CLOSED, statuses)
        self.assertGreater(len(statuses), 2)
        # Cases are numbered in the order they were registered, heard ones among the rest.
        numbers = list(
            Case.objects.order_by("registered_at", "pk").values_list("tracking_number", flat=True)
        )
        self.assertEqual(numbers, sorted(numbers))

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
