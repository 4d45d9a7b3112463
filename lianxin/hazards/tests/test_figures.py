"""The figures and the year-end ranking against an example counted by hand."""

import datetime as dt

from django.test import override_settings

from lianxin.hazards import actions, figures
from lianxin.hazards.models import Hazard, Inspection, PlaceKind
from lianxin.hazards.tests.builders import MEASURES, REQUIREMENTS
from lianxin.hazards.tests.test_actions import HazardTestCase
from lianxin.test import at

TODAY = dt.date(2026, 6, 1)


class FiguresTests(HazardTestCase):
    """By hand:

    inspections submitted: 福临五金加工厂 2, 福临村 3 (80, 90, 100), 福临二村 3 (95, 85, 90),
    青峰花园 1 (70): 9 家次 at 4 places.
    hazards: factory h1 fixed at once, h2 relapsed then fixed, h3 noticed and overdue (deadline
    04-27), h4 open; 福临村 h5 fix reported; 青峰花园 h6 fixed. Found 6, fixed 3 (50.0 %),
    overdue 1; re-inspections 4 (h1, h2 twice, h6) with 1 relapse (25.0 %).
    海岚街道: places 3, 家次 8, found 5, fixed 2 (40.0 %), overdue 1, relapse 1 of 3 (33.3 %).
    青峰街道: places 1, 家次 1, found 1, fixed 1 (100.0 %), relapse 0 of 1 (0.0 %).
    Ranking 2026, at least 3 inspections: 福临村 90.0 and 福临二村 90.0 share rank 1; 青峰花园
    (1 inspection) is listed unranked.
    """

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.village2 = actions.do_save_place(
            actor=cls.dispatcher,
            kind=PlaceKind.VILLAGE,
            name="福临二村",
            community=cls.community,
            responsible_unit=cls.community,
        ).place
        actions.do_add_campaign_places(cls.campaign, actor=cls.dispatcher, places=[cls.village2])

    def build_example(self):
        self.inspect(self.factory, when=at(2026, 4, 10))
        self.inspect(self.factory, when=at(2026, 5, 10))
        for n, first in enumerate((0, 10, 20)):
            self.inspect(self.village, when=at(2026, 4, 10 + n), scores={0: first})
        for n, first in enumerate((15, 5, 10)):
            self.inspect(self.village2, when=at(2026, 4, 10 + n), scores={0: first})
        self.inspect(self.estate, when=at(2026, 4, 10), scores={1: 0})
        self.fixed()  # h1
        h2 = self.reported()
        actions.do_reinspect(h2, actor=self.handler_a, passed=False, note="又堵了")
        actions.do_issue_notice(h2, actor=self.handler_a, requirements=REQUIREMENTS)
        actions.do_report_fix(h2, actor=self.handler_b, measures=MEASURES)
        actions.do_reinspect(h2, actor=self.handler_a, passed=True)
        self.noticed()  # h3, deadline 2026-04-27
        self.hazard()  # h4
        h5 = self.noticed(place=self.village)
        actions.do_report_fix(h5, actor=self.community_staff, measures=MEASURES)
        self.fixed(place=self.estate)  # h6

    def test_totals_and_rates(self):
        self.build_example()
        total = figures.totals(Hazard.objects.all(), Inspection.objects.all(), TODAY)
        self.assertEqual(
            (total.places, total.inspections, total.found, total.fixed, total.overdue),
            (4, 9, 6, 3, 1),
        )
        self.assertEqual((total.reinspections, total.relapses), (4, 1))
        self.assertEqual((total.rectification_rate, total.relapse_rate), (50.0, 25.0))

    def test_by_street_and_by_campaign(self):
        self.build_example()
        rows = {
            row.label: row
            for row in figures.by("street", Hazard.objects.all(), Inspection.objects.all(), TODAY)
        }
        mine, theirs = rows["海岚街道"], rows["青峰街道"]
        self.assertEqual(
            (mine.places, mine.inspections, mine.found, mine.fixed, mine.overdue), (3, 8, 5, 2, 1)
        )
        self.assertEqual((mine.rectification_rate, mine.relapse_rate), (40.0, 33.3))
        self.assertEqual(
            (theirs.places, theirs.inspections, theirs.found, theirs.fixed), (1, 1, 1, 1)
        )
        self.assertEqual((theirs.rectification_rate, theirs.relapse_rate), (100.0, 0.0))
        (campaign,) = figures.by("campaign", Hazard.objects.all(), Inspection.objects.all(), TODAY)
        self.assertEqual((campaign.found, campaign.inspections), (6, 9))
        units = figures.by("unit", Hazard.objects.all(), Inspection.objects.all(), TODAY)
        self.assertEqual(
            {row.label: row.found for row in units},
            {"区住房和城乡建设局": 4, "福临社区": 1, "青峰街道": 1},
        )

    @override_settings(HAZARD_RANKING_MIN_INSPECTIONS=3)
    def test_the_ranking_with_its_minimum_volume(self):
        self.build_example()
        rows = figures.ranking(self.places(), Inspection.objects.all(), 2026)
        self.assertEqual(
            [(row.place.name, row.rank, row.score, row.inspections) for row in rows],
            [("福临二村", 1, 90.0, 3), ("福临村", 1, 90.0, 3), ("青峰花园", None, 70.0, 1)],
        )
        self.assertEqual(rows[1].open_hazards, 1)  # h5, reported, not yet re-inspected
        with self.settings(HAZARD_RANKING_MIN_INSPECTIONS=1):
            rows = figures.ranking(self.places(), Inspection.objects.all(), 2026)
            self.assertEqual([row.rank for row in rows], [1, 1, 3])
        self.assertEqual(
            figures.ranking(self.places(), Inspection.objects.all(), 2025)[0].score, None
        )

    def test_nothing_counted_is_no_rate(self):
        total = figures.totals(Hazard.objects.all(), Inspection.objects.all(), TODAY)
        self.assertEqual((total.rectification_rate, total.relapse_rate), (None, None))

    def places(self):
        from lianxin.hazards.models import Place

        return Place.objects.all()
