"""Random sequences of workflow transitions, through the real actions: whatever happens,
the figures the dashboard shows equal the figures recomputed in plain Python from the raw
case rows (tests/reference.py).

Each example is a list of steps (an action, which case, how much time passes); a step
the rules refuse is skipped, as a person's refused click would be. About 40 examples of up
to 90 steps: a few thousand transitions per run, derandomized so that a run is repeatable.
"""

import contextlib
import datetime as dt

import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from lianxin.cases import actions
from lianxin.cases.models import Case, CasePart, Category, Channel
from lianxin.cases.rules import WorkflowError
from lianxin.figures import board, tally, trend
from lianxin.figures import metrics as m
from lianxin.figures.tests.reference import as_reference, recompute, recompute_by
from lianxin.orgs.models import DistrictSettings
from lianxin.test import EXPLANATION, REPLY, RESOLUTION, District, at
from lianxin.workdays.days import local_date, working_days_between

# Around the National Day holiday of 2026, so that working days and calendar days differ.
START = at(2026, 9, 24, 9)
OPS = [
    "register",
    "register",
    "dispatch",
    "dispatch",
    "split",
    "offer_claim",
    "accept",
    "accept",
    "return",
    "approve_return",
    "refuse_return",
    "reply",
    "constrain",
    "resume",
    "resolve",
    "resolve",
    "finish",
    "verify_pass",
    "verify_fail",
    "visit_satisfied",
    "visit_basically",
    "visit_unsatisfied",
    "merge",
    "withdraw",
    "void",
    "leader",
    "whistle",
]
STEP = st.tuples(st.sampled_from(OPS), st.integers(0, 1_000_000), st.integers(0, 40 * 3600))
P = CasePart.PartStatus


class PropertyTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        District.build(cls)
        cls.noise = Category.objects.create(code="noise", name="噪音", parent=cls.top_category)
        cls.depts = [cls.dept_a, cls.dept_b, cls.dept_c]

    def actor_for(self, unit_id):
        return {
            self.dept_a.pk: self.handler_a,
            self.dept_b.pk: self.handler_b,
            self.dept_c.pk: self.handler_c,
            self.grid.pk: self.grid_worker,
            self.other_grid.pk: self.other_grid_worker,
        }.get(unit_id)

    def apply(self, op: str, pick: int, when: dt.datetime, cases: list[Case]) -> None:
        """One step; a WorkflowError (the rules refuse it) leaves everything as it was."""
        if op == "register":
            grid = [self.grid, self.other_grid, None][pick % 3]
            cases.append(
                actions.do_register_case(
                    actor=self.grid_worker if grid == self.grid else self.dispatcher,
                    channel=Channel.values[pick % len(Channel.values)],
                    title="小区路灯不亮",
                    text="小区门口的路灯坏了一个多星期，晚上看不清路。",
                    address="福临苑小区",
                    grid=grid,
                    category=[self.category, self.noise, None][pick // 3 % 3],
                    when=when,
                )
            )
            return
        if not cases:
            return
        case = Case.objects.get(pk=cases[pick % len(cases)].pk)
        dept = self.depts[pick // 7 % 3]
        lead = self.actor_for(case.lead_unit_id)
        office = self.dispatcher
        parts = CasePart.objects.filter(case=case)
        if op in ("dispatch", "split"):
            co = [self.depts[(pick // 7 + 1) % 3]] if op == "split" else []
            leader = self.leader if pick % 5 == 0 else None
            actions.do_dispatch_case(
                case, actor=office, unit=dept, co_units=co, leader=leader, when=when
            )
        elif op == "offer_claim":
            actions.do_offer_case_for_claim(case, actor=office, when=when)
            actions.do_claim_case(case, actor=self.actor_for(dept.pk), when=when)
        elif op == "accept":
            part = parts.filter(status=P.ASSIGNED).first()
            if part is not None:
                actions.do_accept_part(part, actor=self.actor_for(part.unit_id), when=when)
        elif op == "return":
            part = parts.filter(status=P.ASSIGNED, role="lead").first()
            if part is not None:
                actions.do_return_part(
                    part, actor=self.actor_for(part.unit_id), reason="不属于本部门职责", when=when
                )
        elif op in ("approve_return", "refuse_return"):
            part = parts.filter(status=P.RETURNED, return_reviewed_at__isnull=True).first()
            if part is not None and op == "approve_return":
                actions.do_approve_return(part, actor=office, when=when)
            elif part is not None:
                actions.do_refuse_return(part, actor=office, note="属于本部门职责", when=when)
        elif op == "finish":
            part = parts.filter(status=P.ACCEPTED).exclude(role="lead").first()
            if part is not None:
                actions.do_finish_part(
                    part, actor=self.actor_for(part.unit_id), note="已完成", when=when
                )
        elif op == "reply" and lead:
            actions.do_reply_case(case, actor=lead, text=REPLY, when=when)
        elif op == "constrain" and lead:
            actions.do_mark_constrained(case, actor=lead, explanation=EXPLANATION, when=when)
        elif op == "resume" and lead:
            actions.do_resume_case(case, actor=lead, note="条件已具备", when=when)
        elif op == "resolve" and lead:
            actions.do_resolve_case(case, actor=lead, note=RESOLUTION, when=when)
        elif op.startswith("verify"):
            passed = op == "verify_pass"
            actions.do_verify_case(
                case, actor=office, passed=passed, on_site=False, note="现场未整改", when=when
            )
        elif op.startswith("visit"):
            actions.do_record_return_visit(
                case,
                actor=office,
                satisfaction=op.removeprefix("visit_"),
                solved=pick % 2 == 0,
                comment="问题依旧",
                when=when,
            )
        elif op == "merge" and len(cases) > 1:
            into = cases[(pick + 1) % len(cases)]
            actions.do_merge_case(case, actor=office, into=into, when=when)
        elif op == "withdraw":
            actions.do_withdraw_case(case, actor=office, reason="已自行解决", when=when)
        elif op == "void":
            actions.do_void_case(case, actor=office, reason="重复登记", when=when)
        elif op == "leader":
            actions.do_assign_leader(case, actor=office, leader=self.leader, when=when)
        elif op == "whistle" and case.grid_id:
            worker = self.actor_for(case.grid_id)
            actions.do_blow_whistle(
                case, actor=worker, units=[dept], note="需要部门到场", when=when
            )

    @settings(
        max_examples=50,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        steps=st.lists(STEP, min_size=40, max_size=100),
        later_hours=st.integers(0, 20 * 24),
        response_limit=st.integers(0, 3),
    )
    def test_dashboard_figures_equal_a_plain_recount(self, steps, later_hours, response_limit):
        policy = DistrictSettings.load()
        policy.response_limit_working_days = response_limit
        policy.save()
        cases: list[Case] = []
        applied: list[str] = []
        clock = START
        for op, pick, seconds in steps:
            clock += dt.timedelta(seconds=seconds)
            with contextlib.suppress(WorkflowError):  # a refused step changes nothing
                self.apply(op, pick, clock, cases)
                applied.append(op)
        now = clock + dt.timedelta(hours=later_hours)
        rows = list(Case.objects.all())
        self.assert_stored_durations(rows)

        start, end = local_date(START), local_date(now)
        expected = recompute(rows, now, response_limit=response_limit)
        self.client.force_login(self.dispatcher)
        with time_machine.travel(now, tick=False):
            page = self.client.get(
                "/figures/", {"period": "range", "start": start, "end": end, "by": "grid"}
            ).context
        shown = {}
        for code, cell in page["cards"].items():
            if cell["kind"] == "score":
                shown[code] = cell["value"]
            elif cell["kind"] == "duration":
                shown[code] = (cell["numerator"], cell["median"], cell["p90"])
            else:
                shown[code] = (cell["numerator"], cell.get("denominator"))
        self.assert_same(shown, expected)

        ctx = m.Context.build(now=now)
        everything = m.Selection(start, end).apply(Case.objects.all())
        keys = {
            "lead_unit": lambda c: c.lead_unit_id,
            "grid": lambda c: c.grid_id,
            "category": lambda c: c.category_id,
            "channel": lambda c: c.channel,
        }
        for dimension, key in keys.items():
            computed = {
                r.key: as_reference(r.figures) for r in m.breakdown(everything, dimension, ctx)
            }
            self.assertEqual(computed.keys(), recompute_by(rows, key, now).keys())
            for group, figures in recompute_by(
                rows, key, now, response_limit=response_limit
            ).items():
                self.assert_same(computed[group], figures)
        led = [c for c in rows if c.leader_id]
        leaders = {r.key: as_reference(r.figures) for r in m.breakdown(everything, "leader", ctx)}
        for group, figures in recompute_by(
            led, lambda c: c.leader_id, now, response_limit=response_limit
        ).items():
            self.assert_same(leaders[group], figures)
        self.assert_tally_equals_the_cases(m.Selection(start, end), everything, ctx)
        weekly = {r.key: r["total"].numerator for r in trend.trend(everything, "week", ctx)}
        by_week = {}
        for case in rows:
            day = local_date(case.registered_at)
            monday = day - dt.timedelta(days=day.weekday())
            by_week[monday] = by_week.get(monday, 0) + 1
        self.assertEqual(weekly, by_week)

    def assert_tally_equals_the_cases(self, selection, cases, ctx):
        """The tally's figures are those of the cases, in every breakdown and trend, before
        and after its rows are folded."""
        self.assertEqual(tally.differences(), [])
        for compacted in (False, True):
            if compacted:
                tally.compact()
                self.assertEqual(tally.differences(), [])
            dimensions = list(m.DIMENSIONS)
            kept = board.breakdowns_from_tally(selection, dimensions, ctx)
            for dimension in dimensions:
                scanned = m.breakdown(cases, dimension, ctx)
                self.assertEqual(
                    [(r.key, as_reference(r.figures)) for r in kept[dimension]],
                    [(r.key, as_reference(r.figures)) for r in scanned],
                    dimension,
                )
            for step in ("day", "week", "month"):
                self.assertEqual(
                    [
                        (r.key, r["total"].numerator, r["reply_on_time"].denominator)
                        for r in board.trend_from_tally(selection, step, ctx)
                    ],
                    [
                        (r.key, r["total"].numerator, r["reply_on_time"].denominator)
                        for r in trend.trend(cases, step, ctx)
                    ],
                    step,
                )

    def assert_same(self, computed: dict, expected: dict):
        score_c, score_e = computed.pop("score"), expected.pop("score")
        self.assertEqual(computed, expected)
        if score_e is None:
            self.assertIsNone(score_c)
        else:
            self.assertAlmostEqual(score_c, score_e, places=9)

    def assert_stored_durations(self, rows: list[Case]):
        def days(start, end):
            if start is None or end is None:
                return None
            return working_days_between(local_date(start), local_date(end))

        for case in rows:
            self.assertEqual(
                (case.response_working_days, case.reply_working_days, case.resolve_working_days),
                (
                    days(case.dispatched_at, case.accepted_at),
                    days(case.registered_at, case.replied_at),
                    days(case.registered_at, case.resolved_at),
                ),
                case,
            )
