"""Random sequences of hazard actions: whatever happens, the figures counted in the
database equal the same figures recounted in plain Python from the raw rows.

Each example is a list of steps (an action, which hazard or place or actor, how much time
passes); a step the rules refuse is skipped, as a person's refused click would be.
"""

import contextlib
import datetime as dt

import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from lianxin.errors import WorkflowError
from lianxin.hazards import actions, figures
from lianxin.hazards.models import Hazard, HazardStatus, Inspection, Notice
from lianxin.hazards.tests.builders import MEASURES, REQUIREMENTS, Hazards
from lianxin.test import District, at
from lianxin.workdays.days import local_date

H = HazardStatus
START = at(2026, 4, 6, 9)
OPS = ["inspect", "hazard"] * 2 + ["notice", "fix", "pass", "relapse"] * 2
STEP = st.tuples(st.sampled_from(OPS), st.integers(0, 1_000_000), st.integers(0, 3 * 24 * 3600))


def reference(today: dt.date, key):
    """{group: (places, 家次, found, fixed, overdue, relapses, re-inspections)} row by row."""
    inspections = [
        i for i in Inspection.objects.select_related("place", "campaign") if i.submitted_at
    ]
    hazards = list(Hazard.objects.select_related("place", "campaign"))
    notices = list(Notice.objects.select_related("hazard__place", "hazard__campaign"))
    groups: dict = {}

    def row(name):
        return groups.setdefault(
            name,
            {
                "places": set(),
                "n": 0,
                "found": 0,
                "fixed": 0,
                "overdue": 0,
                "relapses": 0,
                "reinspections": 0,
            },
        )

    for i in inspections:
        r = row(key(i))
        r["places"].add(i.place_id)
        r["n"] += 1
    late = {n.hazard_id for n in notices if n.status == "issued" and n.deadline < today}
    for h in hazards:
        r = row(key(h))
        r["found"] += 1
        r["fixed"] += h.status == H.FIXED
        r["overdue"] += h.pk in late
    for n in notices:
        if n.status in ("passed", "relapsed"):
            r = row(key(n.hazard))
            r["reinspections"] += 1
            r["relapses"] += n.status == "relapsed"
    return {
        name: (
            len(r["places"]),
            r["n"],
            r["found"],
            r["fixed"],
            r["overdue"],
            r["relapses"],
            r["reinspections"],
        )
        for name, r in groups.items()
    }


def as_tuple(row):
    return (
        row.places,
        row.inspections,
        row.found,
        row.fixed,
        row.overdue,
        row.relapses,
        row.reinspections,
    )


class HazardFiguresPropertyTest(Hazards, TestCase):
    @classmethod
    def setUpTestData(cls):
        District.build(cls)
        cls.build_hazards(cls)

    def apply(self, op, pick, hazards):
        places = [self.factory, self.village, self.estate]
        inspectors = [self.handler_a, self.street_staff]
        place = places[pick % 3]
        if op == "inspect":
            self.inspect(place, inspector=inspectors[pick % 2], scores={0: pick % 21})
            return
        if op == "hazard":
            inspection = actions.do_start_inspection(
                self.campaign, place, actor=inspectors[pick % 2]
            )
            hazards.append(actions.do_add_hazard(inspection, actor=self.handler_a, text="隐患"))
            return
        if not hazards:
            return
        hazard = Hazard.objects.get(pk=hazards[pick % len(hazards)].pk)
        if op == "notice":
            actions.do_issue_notice(
                hazard,
                actor=inspectors[pick % 2],
                requirements=REQUIREMENTS,
                working_days=1 + pick % 5,
            )
        elif op == "fix":
            actions.do_report_fix(
                hazard, actor=None, via_link=True, reporter_name="周", measures=MEASURES
            )
        elif op in ("pass", "relapse"):
            actions.do_reinspect(hazard, actor=self.handler_a, passed=op == "pass", note="又反弹了")

    def inspect(self, place, inspector=None, scores=None):
        inspection = actions.do_start_inspection(self.campaign, place, actor=inspector)
        items = list(self.campaign.items.all())
        answers = {
            item.pk: min(item.points, (scores or {}).get(n, item.points))
            for n, item in enumerate(items)
        }
        return actions.do_submit_inspection(inspection, actor=inspector, answers=answers)

    @settings(
        max_examples=15,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(st.lists(STEP, min_size=8, max_size=30))
    def test_the_database_figures_equal_the_reference(self, steps):
        hazards: list[Hazard] = []
        moment = START
        for op, pick, seconds in steps:
            moment += dt.timedelta(seconds=seconds)
            with time_machine.travel(moment, tick=False), contextlib.suppress(WorkflowError):
                self.apply(op, pick, hazards)
        everything, inspections = Hazard.objects.all(), Inspection.objects.all()
        for day in (local_date(moment), local_date(moment) + dt.timedelta(days=9)):
            total = reference(day, lambda _row: "all").get("all", (0,) * 7)
            self.assertEqual(as_tuple(figures.totals(everything, inspections, day)), total)
            for dimension, key in (
                ("street", lambda r: r.place.street.name),
                ("village", lambda r: r.place.community.name),
                ("unit", lambda r: r.place.responsible_unit.name),
            ):
                expected = reference(day, key)
                got = {
                    r.label: as_tuple(r)
                    for r in figures.by(dimension, everything, inspections, day)
                }
                self.assertEqual(got, expected)
