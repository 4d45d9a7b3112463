"""Random registers and visits: the coverage the page shows (from the coverage tally,
rebuilt after the rows are written, and counted from the households) equals the coverage
recomputed in plain Python (tests/coverage_reference.py), for every grouping. Bounded and
derandomized, so that a run is repeatable."""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from lianxin.figures import coverage
from lianxin.figures.tests.coverage_reference import recompute
from lianxin.figures.tests.visits import a_round
from lianxin.registry import coverage_tally
from lianxin.registry.models import (
    Attachment,
    Cadre,
    Household,
    Pair,
    PairMember,
    Visit,
    VisitDue,
    Zone,
)
from lianxin.test import District, at, make_user

START = at(2026, 6, 1)
HOUSEHOLD = st.tuples(
    st.integers(0, 2),  # grid: g1, g2, none (in community c1)
    st.integers(0, 3),  # pair: three, or none
    st.booleans(),  # active (mostly)
    st.booleans(),
)
VISIT = st.tuples(st.integers(0, 1000), st.integers(0, 2), st.booleans(), st.integers(0, 60 * 24))
DUE = st.tuples(
    st.integers(0, 1000),
    st.sampled_from(["priority", "urgent_round", "urgent_free"]),
    st.integers(-10 * 24, 70 * 24),
    st.integers(1, 10 * 24),
    st.one_of(st.none(), st.integers(0, 1000)),
)


class CoverageProperty(TestCase):
    @classmethod
    def setUpTestData(cls):
        District.build(cls)
        cls.rounds = [
            a_round(1, at(2026, 3, 2), at(2026, 4, 30), status="closed"),
            a_round(2, START, at(2026, 7, 31)),
        ]
        cls.pairs = []
        for i in range(3):
            pair = Pair.objects.create(code=f"P{i}", community=cls.community)
            cadre = Cadre.objects.create(name=f"干部{i}", employer=cls.community)
            PairMember.objects.create(pair=pair, cadre=cadre, since=dt.date(2026, 1, 1))
            cls.pairs.append(pair)
        cls.zones = [Zone.objects.create(name=n, street=cls.street) for n in ("甲片区", "乙片区")]
        cls.zones[0].grids.set([cls.grid])
        cls.zones[1].grids.set([cls.grid, cls.other_grid])
        for dept, zone in [(cls.dept_a, 0), (cls.dept_b, 1), (cls.dept_a, 1)]:
            Attachment.objects.create(
                kind=Attachment.Kind.DEPARTMENT_ZONE, department=dept, zone=cls.zones[zone]
            )
        cls.officer = make_user("officer")
        Attachment.objects.create(
            kind=Attachment.Kind.LEADER_STREET, user=cls.leader, area=cls.street
        )
        Attachment.objects.create(
            kind=Attachment.Kind.OFFICER_GRID, user=cls.officer, area=cls.other_grid
        )
        Attachment.objects.create(
            kind=Attachment.Kind.OFFICER_GRID, user=cls.officer, area=cls.grid
        )

    def build(self, households, visits, dues):
        grids = [self.grid, self.other_grid, None]
        rows = []
        for i, (grid, pair, active_a, active_b) in enumerate(households):
            grid = grids[grid]
            community = grid.parent if grid else self.community
            rows.append(
                Household(
                    community=community,
                    grid=grid,
                    address=f"{i}号",
                    address_key=f"{i}",
                    head_name="户主",
                    pair=self.pairs[pair] if pair < 3 else None,
                    active=active_a or active_b,
                    created_at=START,
                    updated_at=START,
                )
            )
        made = Household.objects.bulk_create(rows)
        rounds = [*self.rounds, None]
        visit_rows = Visit.objects.bulk_create(
            Visit(
                household=made[pick % len(made)],
                round=rounds[r],
                visited_at=(self.rounds[0].opened_at if r == 0 else START)
                + dt.timedelta(minutes=minutes * 60),
                method="in_person",
                met=met,
                recorded_by=self.dispatcher,
                recorded_at=START,
            )
            for pick, r, met, minutes in visits
        )
        due_rows = []
        for pick, kind, opened, length, _done in dues:
            opened_at = START + dt.timedelta(hours=opened)
            due_rows.append(
                VisitDue(
                    kind="priority" if kind == "priority" else "urgent",
                    household=made[pick % len(made)],
                    round=self.rounds[1] if kind != "urgent_free" else None,
                    opened_at=opened_at,
                    due_at=opened_at + dt.timedelta(hours=length),
                    visit=None,
                )
            )
        used = set()
        for row, (_p, _k, _o, _l, done) in zip(due_rows, dues, strict=True):
            if done is not None and visit_rows and done % len(visit_rows) not in used:
                used.add(done % len(visit_rows))
                row.visit = visit_rows[done % len(visit_rows)]
        VisitDue.objects.bulk_create(due_rows)
        coverage_tally.rebuild()  # the rows above went around the actions
        return made, visit_rows, due_rows

    def group_keys(self, by):
        zone_grids = {z.pk: {g.pk for g in z.grids.all()} for z in self.zones}
        dept_grids: dict = {}
        for a in Attachment.objects.filter(kind="department_zone"):
            dept_grids.setdefault(a.department_id, set()).update(zone_grids[a.zone_id])

        def keys(h):
            if by == "pair":
                return {h.pair_id}
            if by == "grid":
                return {h.grid_id}
            if by == "building":
                return {h.building_id}
            if by == "community":
                return {h.community_id}
            if by == "street":
                return {h.community.parent_id}
            if by == "zone":
                found = {z for z, grids in zone_grids.items() if h.grid_id in grids}
                return found or {None}
            if by == "department":
                return {d for d, grids in dept_grids.items() if h.grid_id in grids}
            found = set()
            if h.community.parent_id == self.street.pk:
                found.add(self.leader.pk)
            if h.grid_id in (self.grid.pk, self.other_grid.pk):
                found.add(self.officer.pk)
            return found

        return keys

    @settings(
        max_examples=15,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        st.lists(HOUSEHOLD, min_size=1, max_size=25),
        st.lists(VISIT, max_size=40),
        st.lists(DUE, max_size=12),
    )
    def test_coverage_equals_the_plain_recount(self, households, visits, dues):
        made, visit_rows, due_rows = self.build(households, visits, dues)
        made = list(Household.objects.select_related("community"))
        for round_ in self.rounds:
            whole = recompute(made, visit_rows, due_rows, round_, lambda h: {"all"})
            row = coverage.summary(self.dispatcher, round_)
            got = (row.households, row.visited, row.met, row.dues, row.on_time)
            self.assertEqual(got, whole.get("all", (0, 0, 0, 0, 0)))
            for by in coverage.GROUPINGS:
                expected = recompute(made, visit_rows, due_rows, round_, self.group_keys(by))
                # Counted from the households too: the fallback for scopes the tally
                # cannot read, and the tally's own reference in the registry's tests.
                for from_tally in (False, True):
                    rows = coverage.breakdown(self.dispatcher, round_, by, from_tally=from_tally)
                    self.assertEqual(
                        {r.key: (r.households, r.visited, r.met, r.dues, r.on_time) for r in rows},
                        expected,
                        (by, from_tally),
                    )
                for r in rows:
                    for measure in ("households", "visited", "met", "not_visited"):
                        behind = coverage.households_behind(
                            self.dispatcher, round_, by, r.key, measure
                        )
                        self.assertEqual(behind.count(), getattr(r, measure), (by, measure))
