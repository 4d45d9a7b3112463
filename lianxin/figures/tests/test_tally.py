"""The figures' tally keeps the cases' counts as they change: exactly, in the same
transaction, whoever saves the case; and the dashboard reads it only where it can answer."""

import datetime as dt
import io

import time_machine
from django.core.management import CommandError, call_command
from django.db import transaction

from lianxin.cases import actions
from lianxin.cases.models import Case, Status
from lianxin.figures import board, tally, trend
from lianxin.figures import metrics as m
from lianxin.figures.models import Tally
from lianxin.figures.tests.reference import as_reference
from lianxin.test import LianxinTestCase, at

NOW = at(2026, 11, 20, 10)
MONTHS = m.Selection(dt.date(2026, 9, 1), dt.date(2026, 11, 30))


def summed(selection=MONTHS, now=NOW):
    return board.summary_from_tally(selection, m.Context.build(now=now))


class KeepingCountTest(LianxinTestCase):
    def test_each_action_moves_the_case_between_the_status_totals(self):
        case = self.new(at(2026, 11, 2, 9))
        self.assertEqual(summed()["awaiting"].numerator, 1)
        self.dispatch(case, at(2026, 11, 2, 10))
        self.accept(case, at(2026, 11, 2, 11))
        after = summed()
        self.assertEqual((after["awaiting"].numerator, after["in_progress"].numerator), (0, 1))
        self.assertEqual(after["total"].numerator, 1)
        self.assertEqual(tally.differences(), [])

    def test_an_action_rolled_back_with_its_request_leaves_the_tally_as_it_was(self):
        case = self.new(at(2026, 11, 2, 9))
        rows = Tally.objects.count()
        with self.assertRaises(RuntimeError), transaction.atomic():
            actions.do_void_case(case, actor=self.dispatcher, reason="重复登记", when=NOW)
            raise RuntimeError("the request failed after the action")
        self.assertEqual(Tally.objects.count(), rows)
        self.assertEqual(summed()["voided"].numerator, 0)

    def test_a_save_of_some_fields_counts_only_what_it_stored(self):
        case = self.new(at(2026, 11, 2, 9))
        case.status = Status.CLOSED  # changed in memory, not saved
        case.title = "福临苑3号楼门口路灯不亮（补充）"
        case.save(update_fields=["title"])
        self.assertEqual(summed()["closed"].numerator, 0)
        self.assertEqual(tally.differences(), [])

    def test_a_deleted_case_leaves_the_tally(self):
        case = self.new(at(2026, 11, 2, 9))
        self.new(at(2026, 11, 3, 9))
        Case.objects.filter(pk=case.pk).delete()
        self.assertEqual(summed()["total"].numerator, 1)
        self.assertEqual(tally.differences(), [])

    def test_a_deadline_passing_moves_a_waiting_case_into_the_denominator(self):
        case = self.new(at(2026, 11, 2, 9))  # reply due at the end of 11 November
        self.dispatch(case, at(2026, 11, 2, 10))
        before = summed(now=at(2026, 11, 11, 23))["reply_on_time"]
        after = summed(now=at(2026, 11, 12, 0, 1))["reply_on_time"]
        self.assertEqual((before.numerator, before.denominator), (0, 0))
        self.assertEqual((after.numerator, after.denominator), (0, 1))

    def test_month_rows_and_day_rows_give_the_same_figures(self):
        for day in (at(2026, 9, 30, 9), at(2026, 10, 12, 9), at(2026, 11, 3, 9)):
            self.through([day, day + dt.timedelta(hours=1), day + dt.timedelta(hours=2)])
        ctx = m.Context.build(now=NOW)
        whole = board.summary_from_tally(m.Selection(dt.date(2026, 9, 30), NOW.date()), ctx)
        by_day = board.trend_from_tally(m.Selection(dt.date(2026, 9, 30), NOW.date()), "day", ctx)
        self.assertEqual(whole["total"].numerator, 3)
        self.assertEqual(sum(row["total"].numerator for row in by_day), 3)
        self.assertEqual(
            whole["reply_days"].histogram,
            {
                days: sum(row["reply_days"].histogram.get(days, 0) for row in by_day)
                for days in whole["reply_days"].histogram
            },
        )
        october = m.Selection(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
        before = as_reference(board.summary_from_tally(october, ctx))
        self.assertEqual(before["total"], (1, None))
        self.assertFalse(Tally.objects.filter(span=Tally.Span.MONTH).exists())
        tally.compact()  # the month's rows now hold what the days held
        self.assertTrue(Tally.objects.filter(span=Tally.Span.MONTH, day=october.start).exists())
        self.assertEqual(as_reference(board.summary_from_tally(october, ctx)), before)
        self.assertEqual(tally.differences(), [])


class PeriodTest(LianxinTestCase):
    def test_a_month_read_whole_leaves_out_its_days_outside_the_period(self):
        for day in (3, 20, 28):
            self.new(at(2026, 10, day, 9))
        tally.compact()
        self.new(at(2026, 10, 5, 9))  # not yet carried into October's row
        self.new(at(2026, 10, 29, 9))
        ctx = m.Context.build(now=NOW)
        for end, expected in ((25, 3), (31, 5), (2, 0), (4, 1)):
            with self.subTest(end=end):
                selection = m.Selection(dt.date(2026, 10, 1), dt.date(2026, 10, end))
                self.assertEqual(
                    board.summary_from_tally(selection, ctx)["total"].numerator, expected
                )
                scanned = m.summary(selection.apply(Case.objects.all()), ctx)
                self.assertEqual(scanned["total"].numerator, expected)


class CompactingTest(LianxinTestCase):
    def test_folding_keeps_every_sum_and_drops_what_cancels_out(self):
        case = self.through([at(2026, 11, 2, 9), at(2026, 11, 2, 10), at(2026, 11, 2, 11)])
        before = {
            code: (fig.numerator, fig.denominator)
            for code, fig in summed().items()
            if code != "score"
        }
        rows = Tally.objects.count()
        removed = tally.compact()
        self.assertGreater(removed, 0)
        self.assertEqual(Tally.objects.count(), rows - removed)
        self.assertFalse(Tally.objects.filter(settled=False).exists())
        after = {
            code: (fig.numerator, fig.denominator)
            for code, fig in summed().items()
            if code != "score"
        }
        self.assertEqual(after, before)
        # Every group has one row now; the case's old status left nothing behind.
        self.assertEqual(tally.differences(), [])
        self.assertNotIn(
            "status:registered", Tally.objects.get(dimension="district", span="d").counts
        )
        self.assertEqual(case.status, Status.IN_PROGRESS)
        self.assertEqual(tally.compact(), 0)


class CommandTest(LianxinTestCase):
    def test_check_finds_a_change_made_behind_the_tallys_back_and_rebuild_repairs_it(self):
        case = self.new(at(2026, 11, 2, 9))
        out = io.StringIO()
        call_command("tally", "check", stdout=out)
        self.assertIn("The tally equals the cases.", out.getvalue())
        Case.objects.filter(pk=case.pk).update(status=Status.VOIDED)  # bypasses save()
        with self.assertRaisesMessage(CommandError, "groups differ"):
            call_command("tally", "check", stdout=out, stderr=io.StringIO())
        call_command("tally", "rebuild", stdout=out)
        self.assertEqual(tally.differences(), [])
        self.assertEqual(summed()["voided"].numerator, 1)


class SourceTest(LianxinTestCase):
    def test_the_office_reads_the_tally_and_a_department_or_a_filter_reads_the_cases(self):
        case = self.through([at(2026, 11, 2, 9), at(2026, 11, 2, 10)], until="dispatched")
        with time_machine.travel(NOW, tick=False):
            self.client.force_login(self.dispatcher)
            office = self.client.get(
                "/figures/", {"period": "range", "start": "2026-11-01", "end": "2026-11-20"}
            )
            filtered = self.client.get(
                "/figures/",
                {
                    "period": "range",
                    "start": "2026-11-01",
                    "end": "2026-11-20",
                    "channel": case.channel,
                },
            )
            self.client.force_login(self.handler_a)
            department = self.client.get(
                "/figures/", {"period": "range", "start": "2026-11-01", "end": "2026-11-20"}
            )
        self.assertTrue(office.context["from_tally"])
        self.assertFalse(filtered.context["from_tally"])
        self.assertFalse(department.context["from_tally"])
        for page in (office, filtered, department):
            self.assertEqual(page.context["cards"]["total"]["numerator"], 1)


class MonthlyBoardTest(LianxinTestCase):
    """A long period's dashboard reads the tally once, bucketed by month: its breakdowns,
    headline figures and trend equal the ones read from the cases."""

    def test_one_read_gives_what_the_cases_give(self):
        for day in (at(2026, 6, 30, 9), at(2026, 8, 12, 9), at(2026, 10, 3, 9)):
            self.through([day, day + dt.timedelta(hours=1), day + dt.timedelta(hours=2)])
        tally.compact()  # month rows for the months so far, and new day rows after them
        self.through([at(2026, 10, 20, 9), at(2026, 10, 20, 10)], unit=self.dept_b)
        self.new(at(2026, 11, 19, 9), grid=self.other_grid)
        ctx = m.Context.build(now=NOW)
        dims = ["lead_unit", "street", "leader"]
        for start, end, step in (
            (dt.date(2026, 1, 1), NOW.date(), "month"),
            (dt.date(2026, 6, 30), dt.date(2026, 10, 25), "month"),  # cuts June and October
            (dt.date(2026, 7, 1), NOW.date(), "quarter"),
        ):
            with self.subTest(start=start, end=end, step=step):
                selection = m.Selection(start, end)
                kept = board.board_from_tally(selection, dims, step, ctx)
                cases = selection.apply(Case.objects.all())
                self.assertEqual(as_reference(kept.summary), as_reference(m.summary(cases, ctx)))
                scanned_trend = trend.trend(cases, step, ctx)
                self.assertEqual(
                    [(row.key, row["total"].numerator) for row in kept.trend],
                    [(row.key, row["total"].numerator) for row in scanned_trend],
                )
                for dimension in dims:
                    rows = m.breakdown(cases, dimension, ctx)
                    expected = {
                        row.key: row["total"].numerator
                        for row in rows
                        if row.key is not None or dimension != "leader"
                    }
                    got = {row.key: row["total"].numerator for row in kept.tables[dimension]}
                    self.assertEqual(got, expected, dimension)
