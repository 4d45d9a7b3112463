"""Each metric on a few hand-built cases, with the right answer worked out by hand.

November 2026 has no public holidays: Monday 2 November plus 7 working days is Wednesday
11 November; the National Day holiday runs from 1 to 7 October 2026.
"""

import datetime as dt

import time_machine

from lianxin.cases import actions
from lianxin.cases.models import Case, Category, Channel, Status
from lianxin.cases.queues import queue_counts
from lianxin.figures import board, hotspots, rankings, trend
from lianxin.figures import metrics as m
from lianxin.figures.tests.reference import as_reference
from lianxin.orgs.models import DistrictSettings
from lianxin.test import REPLY, LianxinTestCase, at

NOW = at(2026, 11, 20, 10)


def figures(start=dt.date(2026, 9, 1), end=dt.date(2026, 11, 20), now=NOW, **narrow):
    """The figures read from the cases; for the whole district, the tally's must agree."""
    ctx = m.Context.build(now=now)
    selection = m.Selection(start=start, end=end, **narrow)
    scanned = m.summary(selection.apply(Case.objects.all()), ctx)
    if not narrow:
        kept = board.summary_from_tally(selection, ctx)
        assert as_reference(kept) == as_reference(scanned), (kept, scanned)
    return scanned


def pair(fig):
    return fig.numerator, fig.denominator


class ReplyTest(LianxinTestCase):
    def test_on_time_reply_rate_and_reply_time(self):
        mon = (at(2026, 11, 2, 10), at(2026, 11, 2, 11), at(2026, 11, 2, 14))
        on_time = self.through([*mon, at(2026, 11, 10)], until="replied")  # due 11 Nov
        late = self.through([*mon, at(2026, 11, 12)], until="replied")
        self.through(list(mon), until="in_progress")  # unreplied, due date passed
        self.new(at(2026, 11, 19))  # unreplied, due 30 November: not judged yet
        actions.do_void_case(
            self.new(at(2026, 11, 2)), actor=self.dispatcher, reason="测试数据", when=mon[1]
        )

        result = figures()
        # On time: the first; judged: the first, the late one and the overdue one.
        self.assertEqual(pair(result["reply_on_time"]), (1, 3))
        self.assertAlmostEqual(result["reply_on_time"].value, 100 / 3)
        # Working days after 2 Nov: 3,4,5,6,9,10 Nov = 6; to 12 Nov = 8.
        self.assertEqual(self.reload(on_time).reply_working_days, 6)
        self.assertEqual(self.reload(late).reply_working_days, 8)
        days = result["reply_days"]
        self.assertEqual((days.numerator, days.median, days.p90), (2, 6, 8))
        self.assertEqual(result["total"].numerator, 5)
        self.assertEqual(result["valid"].numerator, 4)
        self.assertEqual(result["voided"].numerator, 1)


class ResponseTest(LianxinTestCase):
    def test_response_rate_counts_working_days_from_dispatch(self):
        fri = at(2026, 11, 6, 10)
        in_time = self.through([at(2026, 11, 6, 9), fri, at(2026, 11, 9)], until="in_progress")
        late = self.through([at(2026, 11, 6, 9), fri, at(2026, 11, 10)], until="in_progress")
        self.through([at(2026, 11, 6, 9), fri], until="dispatched")  # never accepted
        # Dispatched yesterday: its limit runs to the end of today, so it is not judged.
        self.through([at(2026, 11, 19, 14), at(2026, 11, 19, 15)], until="dispatched")
        # Across the National Day holiday: dispatched 30 Sep, accepted 8 Oct = 1 working day.
        holiday = self.through(
            [at(2026, 9, 30, 9), at(2026, 9, 30, 10), at(2026, 10, 8, 9)], until="in_progress"
        )

        self.assertEqual(self.reload(in_time).response_working_days, 1)
        self.assertEqual(self.reload(late).response_working_days, 2)
        self.assertEqual(self.reload(holiday).response_working_days, 1)
        self.assertEqual(pair(figures()["response"]), (2, 4))

    def test_the_response_limit_is_the_district_setting(self):
        self.through(
            [at(2026, 11, 6, 9), at(2026, 11, 6, 10), at(2026, 11, 10)], until="in_progress"
        )
        self.assertEqual(pair(figures()["response"]), (0, 1))
        policy = DistrictSettings.load()
        policy.response_limit_working_days = 2
        policy.save()
        self.assertEqual(pair(figures()["response"]), (1, 1))


class ResolutionTest(LianxinTestCase):
    def test_resolution_rate_and_on_time_resolution(self):
        # 路灯照明 has 5 working days, less than the 7 of the reply, so its resolution is due
        # with the reply (never before it): registered 2 Nov, due 11 Nov.
        start = [at(2026, 11, 2, 9), at(2026, 11, 2, 10), at(2026, 11, 2, 11)]
        in_time = self.through([*start, at(2026, 11, 3), at(2026, 11, 10)], until="resolved")
        late = self.through([*start, at(2026, 11, 3), at(2026, 11, 12)], until="resolved")
        self.through(start, until="in_progress")  # overdue, unresolved
        self.constrain(self.through(start, until="in_progress"), at(2026, 11, 4))
        self.through(
            [at(2026, 11, 19, 9), at(2026, 11, 19, 10), at(2026, 11, 19, 11)], until="in_progress"
        )  # due 30 Nov (with its reply): not judged yet

        result = figures()
        self.assertEqual(pair(result["resolve_on_time"]), (1, 3))
        # Resolved 2 of the 5 valid cases.
        self.assertEqual(pair(result["resolution"]), (2, 5))
        self.assertEqual(result["resolution"].value, 40.0)
        self.assertEqual(self.reload(in_time).resolve_working_days, 6)
        self.assertEqual(self.reload(late).resolve_working_days, 8)
        days = result["resolve_days"]
        self.assertEqual((days.numerator, days.median, days.p90), (2, 6, 8))
        self.assertEqual(result["constrained"].numerator, 1)
        self.assertEqual(result["in_progress"].numerator, 2)


class VerdictTest(LianxinTestCase):
    def test_satisfaction_solved_reopen_and_the_score(self):
        days = [at(2026, 11, d) for d in (2, 2, 2, 3, 4, 5, 6)]
        self.through(days)  # satisfied, solved
        basic = self.through(days, until="verified")
        self.visit(basic, at(2026, 11, 6), satisfaction="basically", solved=False)
        sent_back = self.through(days, until="verified")
        sent_back = self.visit(sent_back, at(2026, 11, 6), satisfaction="unsatisfied", solved=False)
        self.through(days, until="resolved")  # not visited yet

        self.assertEqual((sent_back.status, sent_back.reopen_count), (Status.IN_PROGRESS, 1))
        self.assertIsNone(sent_back.resolve_working_days)  # its resolution was undone
        result = figures()
        self.assertEqual(pair(result["satisfaction"]), (2, 3))
        self.assertEqual(pair(result["first_satisfaction"]), (2, 3))
        self.assertEqual(result["unsatisfied"].numerator, 1)
        self.assertEqual(pair(result["solved"]), (1, 3))
        self.assertEqual(pair(result["reopen"]), (1, 3))
        self.assertEqual(pair(result["resolution"]), (3, 4))
        self.assertEqual(pair(result["response"]), (4, 4))
        self.assertEqual(result["resolve_days"].numerator, 3)
        # 10% × 100 (response) + 15% × 100 (reply) + 15% × 75 (the reopened case missed
        # its fresh deadline of 13 Nov) + 30% × 33.3… (solved) + 30% × 66.6… (content).
        self.assertEqual(pair(result["resolve_on_time"]), (3, 4))
        self.assertAlmostEqual(result["score"].value, 66.25)

    def test_a_reopened_case_ends_satisfied_but_its_first_verdict_stays(self):
        days = [at(2026, 11, d) for d in (2, 2, 2, 3, 4, 5, 6)]
        self.through(days)  # satisfied at the first visit
        again = self.through(days, until="verified")
        again = self.visit(again, at(2026, 11, 6), satisfaction="unsatisfied", solved=False)
        again = self.verify(self.resolve(again, at(2026, 11, 9)), at(2026, 11, 10))
        # Content at last, but the resident says the problem itself is not solved.
        again = self.visit(again, at(2026, 11, 11), satisfaction="basically", solved=False)

        self.assertEqual((again.status, again.reopen_count), (Status.CLOSED, 1))
        result = figures()
        self.assertEqual(pair(result["satisfaction"]), (2, 2))  # final: everyone content
        self.assertEqual(pair(result["first_satisfaction"]), (1, 2))  # first: one of two
        self.assertEqual(result["unsatisfied"].numerator, 1)  # a reopen does not hide it
        self.assertEqual(pair(result["solved"]), (1, 2))  # its own question

    def test_a_return_visit_needs_both_answers(self):
        case = self.through([at(2026, 11, d) for d in (2, 2, 2, 3, 4, 5)], until="verified")
        with self.assertRaises(actions.WorkflowError) as raised:
            actions.do_record_return_visit(
                case, actor=self.dispatcher, satisfaction="satisfied", solved=None
            )
        self.assertEqual(raised.exception.code, "invalid_solved")
        self.assertEqual(self.reload(case).status, Status.VERIFIED)

    def test_no_score_without_data_for_every_weighted_rate(self):
        self.through(
            [at(2026, 11, 2, 9), at(2026, 11, 2, 10), at(2026, 11, 3)], until="in_progress"
        )
        # Accepted at once, its deadlines long passed: response 1 of 1, timeliness 0 of 1.
        # Nobody rated the case yet, so there is no score, rather than marks for the rest.
        result = figures()
        self.assertEqual(result["response"].value, 100.0)
        self.assertIsNone(result["score"].value)
        self.assertEqual(
            m.missing_data(result, m.Context.build(now=NOW)),
            ["solved", "satisfaction"],
        )
        nothing = figures(start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 2))
        self.assertIsNone(nothing["score"].value)

    def test_a_rate_with_no_weight_needs_no_data(self):
        policy = DistrictSettings.load()
        policy.weight_response, policy.weight_reply_on_time = 50, 50
        policy.weight_resolve_on_time = policy.weight_resolution = 0
        policy.weight_satisfaction = 0
        policy.save()
        self.through(
            [at(2026, 11, 2, 9), at(2026, 11, 2, 10), at(2026, 11, 3), at(2026, 11, 4)],
            until="replied",
        )
        self.assertEqual(figures()["score"].value, 100.0)


class StatusTotalsTest(LianxinTestCase):
    def test_every_case_is_in_exactly_one_status_total(self):
        for status in Status.values:
            self.case_in(status)
        today = m.local_date(m.timezone.now())
        result = figures(start=today - dt.timedelta(days=1), end=today, now=m.timezone.now())
        expected = {
            # registered, dispatched, returned, and the case the duplicate was merged into
            "awaiting": 4,
            "in_progress": 2,  # in progress, and replied (not yet resolved)
            "constrained": 1,
            "resolved": 2,  # resolved and verified
            "closed": 1,
            "merged_withdrawn": 2,
            "voided": 1,
        }
        self.assertEqual({code: result[code].numerator for code in expected}, expected)
        self.assertEqual(list(expected), m.STATUS_TOTALS)
        self.assertEqual(sum(expected.values()), 13)
        self.assertEqual(result["replied"].numerator, 1)
        self.assertEqual(result["total"].numerator, 13)
        self.assertEqual(result["valid"].numerator, 10)


class PeriodTest(LianxinTestCase):
    def test_a_case_belongs_to_the_local_day_it_was_registered(self):
        self.new(at(2026, 11, 1, 23, 30))  # 15:30 UTC on 1 Nov
        self.new(at(2026, 11, 2, 0, 10))  # 16:10 UTC on 1 Nov, but 2 Nov in Shanghai
        one = dt.date(2026, 11, 1)
        self.assertEqual(figures(start=one, end=one)["total"].numerator, 1)
        two = dt.date(2026, 11, 2)
        self.assertEqual(figures(start=two, end=two)["total"].numerator, 1)

    def test_trend_by_week_and_by_month(self):
        for day in (2, 3, 10):
            self.new(at(2026, 11, day))
        self.new(at(2026, 10, 30))
        ctx = m.Context.build(now=NOW)
        cases = m.Selection(dt.date(2026, 10, 1), dt.date(2026, 11, 20)).apply(Case.objects.all())
        weeks = {row.key: row["total"].numerator for row in trend.trend(cases, "week", ctx)}
        # 30 Oct is in the week of Monday 26 Oct; 2 and 3 Nov in that of 2 Nov.
        self.assertEqual(
            weeks, {dt.date(2026, 10, 26): 1, dt.date(2026, 11, 2): 2, dt.date(2026, 11, 9): 1}
        )
        months = {row.key: row["total"].numerator for row in trend.trend(cases, "month", ctx)}
        self.assertEqual(months, {dt.date(2026, 10, 1): 1, dt.date(2026, 11, 1): 3})


class BreakdownTest(LianxinTestCase):
    def test_by_unit_channel_leader_and_place(self):
        days = [at(2026, 11, d) for d in (2, 2, 2, 3, 4, 5, 6)]
        for _ in range(5):
            self.through(days, unit=self.dept_a)
        self.through(days, unit=self.dept_b, channel=Channel.PHONE, grid=self.other_grid)
        led = self.through(days[:2], unit=self.dept_b, until="dispatched")
        actions.do_assign_leader(led, actor=self.dispatcher, leader=self.leader, when=days[2])
        self.new(days[0])  # not dispatched

        ctx = m.Context.build(now=NOW)
        cases = m.Selection(dt.date(2026, 11, 1), dt.date(2026, 11, 20)).apply(Case.objects.all())
        by_unit = {row.key: row for row in m.breakdown(cases, "lead_unit", ctx)}
        self.assertEqual(set(by_unit), {self.dept_a.pk, self.dept_b.pk, None})
        self.assertEqual(by_unit[self.dept_a.pk]["total"].numerator, 5)
        self.assertEqual(by_unit[self.dept_b.pk]["total"].numerator, 2)
        self.assertEqual(pair(by_unit[self.dept_b.pk]["resolution"]), (1, 2))
        self.assertEqual(by_unit[None].label, "（未派单）")

        by_channel = {row.key: row["total"].numerator for row in m.breakdown(cases, "channel", ctx)}
        self.assertEqual(by_channel, {Channel.PATROL: 7, Channel.PHONE: 1})
        by_grid = {row.key: row["total"].numerator for row in m.breakdown(cases, "grid", ctx)}
        self.assertEqual(by_grid, {self.grid.pk: 7, self.other_grid.pk: 1})
        by_street = {row.key: row["total"].numerator for row in m.breakdown(cases, "street", ctx)}
        self.assertEqual(by_street, {self.street.pk: 7, self.other_street.pk: 1})
        leaders = m.breakdown(cases, "leader", ctx)
        self.assertEqual(
            [(r.key, r.label, r["total"].numerator) for r in leaders],
            [(self.leader.pk, "李副区长", 1)],
        )

        # Ranking: dept_a has 5 valid cases (the minimum), dept_b 2: too few to rank.
        ranked, unranked = rankings.ranking(m.breakdown(cases, "lead_unit", ctx), ctx)
        self.assertEqual([(r.key, r.rank, r.score) for r in ranked], [(self.dept_a.pk, 1, 100.0)])
        self.assertEqual([r.key for r in unranked], [self.dept_b.pk])

    def test_narrowing_by_area_unit_department_and_parent_category(self):
        other = Category.objects.create(code="noise", name="噪音", parent=self.top_category)
        days = [at(2026, 11, 2, h) for h in (9, 10)]
        self.through(days, unit=self.dept_a, until="dispatched")
        self.through(days, unit=self.dept_b, until="dispatched", category=other)
        self.through(days, unit=self.dept_b, until="dispatched", grid=self.other_grid)

        def total(**narrow):
            return figures(**narrow)["total"].numerator

        self.assertEqual(total(unit=self.street), 2)  # its area, whoever leads
        self.assertEqual(total(unit=self.community), 2)
        self.assertEqual(total(unit=self.other_grid), 1)
        self.assertEqual(total(unit=self.dept_b), 2)  # the cases it leads
        self.assertEqual(total(category=self.top_category), 3)  # a parent takes its children
        self.assertEqual(total(category=other), 1)
        self.assertEqual(total(channel=Channel.PATROL), 3)
        self.assertEqual(total(channel=Channel.PHONE), 0)


class HotSpotTest(LianxinTestCase):
    def test_categories_and_grids_with_most_new_cases_this_week(self):
        noise = Category.objects.create(code="noise", name="噪音", parent=self.top_category)
        # This week starts Monday 16 Nov; now is Friday 20 Nov.
        for day in (16, 17, 18):
            self.new(at(2026, 11, day), category=noise, grid=self.other_grid)
        self.new(at(2026, 11, 19))
        for day in (9, 10):
            self.new(at(2026, 11, day))
        self.new(at(2026, 11, 11), category=noise, grid=self.other_grid)
        self.new(at(2026, 11, 6))  # the week before last: not counted

        ctx = m.Context.build(now=NOW)
        hot = hotspots.hot_spots(Case.objects.all(), ctx)
        self.assertEqual(hotspots.hot_spots_of_district(ctx), hot)  # from the tally
        self.assertEqual(hot["this_week_start"], dt.date(2026, 11, 16))
        self.assertEqual(
            [(i["key"], i["this_week"], i["last_week"], i["change"]) for i in hot["category"]],
            [(noise.pk, 3, 1, 2), (self.category.pk, 1, 2, -1)],
        )
        self.assertEqual(
            [(i["key"], i["this_week"], i["last_week"]) for i in hot["grid"]],
            [(self.other_grid.pk, 3, 1), (self.grid.pk, 1, 2)],
        )


class PercentileTest(LianxinTestCase):
    def test_nearest_rank(self):
        self.assertIsNone(m.nearest_rank({}, 0.5))
        self.assertEqual(m.nearest_rank({3: 1}, 0.9), 3)
        # 1,2,3,4 → median is the 2nd value (2), 90th percentile the 4th (4).
        histogram = {1: 1, 2: 1, 3: 1, 4: 1}
        self.assertEqual((m.nearest_rank(histogram, 0.5), m.nearest_rank(histogram, 0.9)), (2, 4))
        # Ten cases of 0 days and one of 20: the 90th percentile is still 0.
        self.assertEqual(m.nearest_rank({0: 10, 20: 1}, 0.9), 0)


class InProgressTest(LianxinTestCase):
    """办理中 is one number: the workbench's queue and the figures' card count the same cases."""

    def in_progress_on_the_figures_page(self, user, **filters):
        self.client.force_login(user)
        params = {"period": "range", "start": "2026-11-01", "end": "2026-11-20", **filters}
        response = self.client.get("/figures/", params)
        return response.context["cards"]["in_progress"]["numerator"]

    def in_progress_in_the_inbox(self, user):
        return {queue.code: n for queue, n in queue_counts(user)}["in_progress"]

    def test_the_inbox_and_the_figures_count_the_same_cases(self):
        with time_machine.travel(at(2026, 11, 20, 10), tick=False):
            for status in Status.values:
                self.case_in(status)
            other = self.in_progress()
            actions.do_reply_case(other, actor=self.handler_a, text=REPLY)
            office = self.in_progress_in_the_inbox(self.dispatcher)
            self.assertEqual(office, 3)  # in progress, replied, and the one just replied
            self.assertEqual(self.in_progress_on_the_figures_page(self.dispatcher), office)
            # A department's own: the cases it leads (the unit filter), as in its inbox.
            self.assertEqual(
                self.in_progress_on_the_figures_page(self.handler_a, unit=self.dept_a.pk),
                self.in_progress_in_the_inbox(self.handler_a),
            )
