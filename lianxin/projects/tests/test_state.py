"""The calendar rules: due days on awkward days, report periods, and the state rule.

Expectations derived by hand from the State Council's notices: 2025's Spring Festival
holiday ran 1月28日–2月4日; 端午 5月31日–6月2日; 2023's New Year holiday 12月31日–1月2日;
2025年9月28日 (a Sunday) was a working day swapped for National Day.
"""

import datetime as dt

from django.test import TestCase

from lianxin.projects.models import ProjectState, Schedule
from lianxin.projects.state import (
    MilestoneFacts,
    due_day,
    expected_periods,
    period_of,
    periods_between,
    project_state,
    report_period,
)
from lianxin.workdays.models import DayOverride

D = dt.date
M = Schedule.MONTHLY
Q = Schedule.QUARTERLY


class DueDayTest(TestCase):
    def test_a_working_day_is_its_own_due_day(self):
        self.assertEqual(due_day(D(2025, 3, 31)), D(2025, 3, 31))

    def test_a_holiday_moves_to_the_first_working_day_after_it(self):
        self.assertEqual(due_day(D(2025, 1, 31)), D(2025, 2, 5))  # Spring Festival

    def test_a_month_end_on_a_weekend_and_holiday(self):
        self.assertEqual(due_day(D(2025, 5, 31)), D(2025, 6, 3))  # Saturday, then 端午

    def test_a_year_end_in_the_new_year_holiday(self):
        self.assertEqual(due_day(D(2022, 12, 31)), D(2023, 1, 3))

    def test_a_swapped_sunday_is_a_working_day(self):
        self.assertEqual(due_day(D(2025, 9, 28)), D(2025, 9, 28))

    def test_a_plain_weekend(self):
        self.assertEqual(due_day(D(2025, 8, 31)), D(2025, 9, 1))

    def test_an_administrators_override_counts(self):
        DayOverride.objects.create(date=D(2025, 3, 31), is_working_day=False, name="测试")
        self.assertEqual(due_day(D(2025, 3, 31)), D(2025, 4, 1))

    def test_a_year_the_calendar_does_not_know_counts_monday_to_friday(self):
        self.assertEqual(due_day(D(2027, 7, 31)), D(2027, 8, 2))  # a Saturday


class PeriodTest(TestCase):
    def test_months_and_quarters(self):
        self.assertEqual(period_of(M, D(2025, 2, 14)).key, "2025-02")
        self.assertEqual(period_of(M, D(2024, 2, 14)).end, D(2024, 2, 29))
        quarter = period_of(Q, D(2025, 11, 3))
        self.assertEqual(
            (quarter.key, quarter.start, quarter.end), ("2025-Q4", D(2025, 10, 1), D(2025, 12, 31))
        )

    def test_the_periods_of_a_year_and_over_a_year_end(self):
        self.assertEqual(len(periods_between(M, D(2025, 1, 1), D(2025, 12, 31))), 12)
        keys = [p.key for p in periods_between(Q, D(2025, 11, 1), D(2026, 2, 1))]
        self.assertEqual(keys, ["2025-Q4", "2026-Q1"])

    def test_january_is_due_after_the_spring_festival(self):
        self.assertEqual(period_of(M, D(2025, 1, 5)).due, D(2025, 2, 5))

    def test_a_report_in_the_grace_days_answers_the_earlier_period(self):
        # 2月3日 is still in the Spring Festival's grace: January's report.
        self.assertEqual(report_period(M, D(2025, 2, 3), set()).key, "2025-01")
        self.assertEqual(report_period(M, D(2025, 2, 5), set()).key, "2025-01")
        # Unless January has its report: then it is February's.
        self.assertEqual(report_period(M, D(2025, 2, 3), {"2025-01"}).key, "2025-02")
        # After the due day it is the current period's.
        self.assertEqual(report_period(M, D(2025, 2, 6), set()).key, "2025-02")

    def test_a_report_on_new_years_day_answers_december(self):
        self.assertEqual(report_period(M, D(2023, 1, 2), set()).key, "2022-12")
        self.assertEqual(report_period(Q, D(2023, 1, 3), set()).key, "2022-Q4")

    def test_expected_periods_are_those_whose_due_day_has_passed(self):
        start, finish = D(2025, 1, 1), D(2025, 12, 31)
        self.assertEqual([p.key for p in expected_periods(M, start, finish, D(2025, 2, 5))], [])
        self.assertEqual(
            [p.key for p in expected_periods(M, start, finish, D(2025, 2, 6))], ["2025-01"]
        )
        # May's due day is 6月3日 (端午): not yet missed on 6月3日.
        keys = [p.key for p in expected_periods(M, start, finish, D(2025, 6, 3))]
        self.assertEqual(keys[-1], "2025-04")


class StateRuleTest(TestCase):
    def state(self, *, closed=False, finish=None, milestones=(), percent=None, today):
        return project_state(
            closed=closed,
            finish_date=finish or D(2025, 12, 31),
            milestones=[MilestoneFacts(day, done) for day, done in milestones],
            latest_percent=percent,
            today=today,
        )

    def test_nothing_reported_and_nothing_missed_is_not_started(self):
        self.assertEqual(
            self.state(milestones=[(D(2025, 3, 31), False)], today=D(2025, 2, 1)),
            ProjectState.NOT_STARTED,
        )

    def test_a_report_or_a_milestone_done_is_in_progress(self):
        self.assertEqual(self.state(percent=0, today=D(2025, 2, 1)), ProjectState.IN_PROGRESS)
        self.assertEqual(
            self.state(
                milestones=[(D(2025, 3, 31), True), (D(2025, 9, 30), False)], today=D(2025, 5, 1)
            ),
            ProjectState.IN_PROGRESS,
        )

    def test_a_missed_milestone_is_late_even_before_anything_started(self):
        self.assertEqual(
            self.state(milestones=[(D(2025, 3, 31), False)], today=D(2025, 4, 1)),
            ProjectState.LATE,
        )
        self.assertEqual(
            self.state(milestones=[(D(2025, 3, 31), False)], percent=40, today=D(2025, 4, 2)),
            ProjectState.LATE,
        )

    def test_a_milestone_due_on_a_holiday_is_not_late_until_the_next_working_day_passes(self):
        milestones = [(D(2025, 5, 31), False)]
        self.assertEqual(
            self.state(milestones=milestones, percent=10, today=D(2025, 6, 3)),
            ProjectState.IN_PROGRESS,
        )
        self.assertEqual(
            self.state(milestones=milestones, percent=10, today=D(2025, 6, 4)), ProjectState.LATE
        )

    def test_the_finish_date_passed_is_late(self):
        self.assertEqual(
            self.state(finish=D(2022, 12, 31), percent=90, today=D(2023, 1, 3)),
            ProjectState.IN_PROGRESS,
        )
        self.assertEqual(
            self.state(finish=D(2022, 12, 31), percent=90, today=D(2023, 1, 4)),
            ProjectState.LATE,
        )

    def test_done_at_one_hundred_percent_with_every_milestone_done(self):
        done = [(D(2025, 3, 31), True)]
        self.assertEqual(
            self.state(milestones=done, percent=100, today=D(2026, 3, 1)), ProjectState.DONE
        )
        pending = [(D(2025, 3, 31), False)]
        self.assertEqual(
            self.state(milestones=pending, percent=100, today=D(2025, 4, 5)), ProjectState.LATE
        )

    def test_a_closed_project_is_done_whatever_else(self):
        self.assertEqual(
            self.state(closed=True, milestones=[(D(2025, 3, 31), False)], today=D(2026, 1, 1)),
            ProjectState.DONE,
        )
