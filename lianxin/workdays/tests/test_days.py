"""Deadline arithmetic on the awkward days of China's calendar.

Expected dates are worked out by hand from the State Council's 2026 holiday
notice: National Day 1–7 October with Sunday 20 September and Saturday 10
October worked; Mid-Autumn 25–27 September; Spring Festival 15–23 February
with Saturdays 14 and 28 February worked.
"""

import datetime as dt

from django.test import TestCase

from lianxin.test import at
from lianxin.workdays import days
from lianxin.workdays.models import DayOverride

D = dt.date


class WorkingDayTest(TestCase):
    def test_holidays_and_swapped_days_follow_the_official_calendar(self):
        self.assertFalse(days.is_working_day(D(2026, 10, 1)))  # National Day
        self.assertFalse(days.is_working_day(D(2026, 9, 25)))  # Mid-Autumn, a Friday
        self.assertTrue(days.is_working_day(D(2026, 10, 10)))  # swapped Saturday
        self.assertTrue(days.is_working_day(D(2026, 9, 20)))  # swapped Sunday
        self.assertFalse(days.is_working_day(D(2026, 11, 21)))  # plain Saturday

    def test_seven_working_days_from_the_day_before_national_day(self):
        # 8, 9, 10 (swapped Saturday), 12, 13, 14, 15 October.
        self.assertEqual(days.add_working_days(D(2026, 9, 30), 7), D(2026, 10, 15))

    def test_seven_working_days_from_a_swapped_sunday_skip_mid_autumn(self):
        # 21–24 September, then 25–27 off, then 28, 29, 30.
        self.assertEqual(days.add_working_days(D(2026, 9, 20), 7), D(2026, 9, 30))

    def test_seven_working_days_from_a_swapped_saturday(self):
        self.assertEqual(days.add_working_days(D(2026, 10, 10), 7), D(2026, 10, 20))

    def test_spring_festival_counts_both_worked_saturdays(self):
        # 14 Feb (worked Saturday), 24, 25, 26, 27, 28 (worked Saturday), 2 March.
        self.assertEqual(days.add_working_days(D(2026, 2, 13), 7), D(2026, 3, 2))

    def test_a_deadline_runs_to_the_end_of_the_day_in_shanghai(self):
        due = days.deadline_after(at(2026, 9, 30, 23, 30), 7)
        self.assertEqual(due, dt.datetime.combine(D(2026, 10, 15), dt.time.max, due.tzinfo))
        self.assertEqual(str(due.tzinfo), "Asia/Shanghai")

    def test_half_past_midnight_in_shanghai_is_already_the_next_day(self):
        # 16:30 UTC on Friday 9 October is 00:30 on the swapped Saturday in Shanghai,
        # so counting starts after the Saturday: 12–16 and 19, 20 October.
        moment = dt.datetime(2026, 10, 9, 16, 30, tzinfo=dt.UTC)
        self.assertEqual(days.deadline_after(moment, 7).date(), D(2026, 10, 20))

    def test_calendar_days_ignore_holidays(self):
        due = days.deadline_after(at(2026, 9, 30), 7, working=False)
        self.assertEqual(due.date(), D(2026, 10, 7))

    # 2100 is a year no release of the calendar package will know (the State Council
    # announces each year's holidays only weeks before it begins), unlike next year.

    def test_new_years_eve_into_a_year_the_package_does_not_know(self):
        self.assertFalse(days.official_calendar_knows(2100))
        # Without data for 2100, Monday to Friday: 1 Jan (a Friday) counts.
        self.assertEqual(days.add_working_days(D(2099, 12, 31), 7), D(2100, 1, 11))

    def test_an_administrator_holiday_fills_an_unknown_year(self):
        DayOverride.objects.create(date=D(2100, 1, 1), is_working_day=False, name="元旦")
        self.assertEqual(days.add_working_days(D(2099, 12, 31), 7), D(2100, 1, 12))

    def test_an_override_beats_the_package(self):
        DayOverride.objects.create(date=D(2026, 10, 9), is_working_day=False, name="台风停工")
        self.assertEqual(days.add_working_days(D(2026, 9, 30), 7), D(2026, 10, 16))
        DayOverride.objects.filter(date=D(2026, 10, 9)).delete()
        self.assertEqual(days.add_working_days(D(2026, 9, 30), 7), D(2026, 10, 15))

    def test_a_far_year_falls_back_to_weekdays_without_crashing(self):
        self.assertEqual(days.add_working_days(D(2031, 3, 2), 7), D(2031, 3, 11))
        self.assertEqual(days.working_days_between(D(2031, 3, 2), D(2031, 3, 11)), 7)

    def test_an_extension_counts_from_the_old_deadline(self):
        old = days.deadline_after(at(2026, 9, 30), 7)  # 15 October
        self.assertEqual(days.extend_deadline(old, 5).date(), D(2026, 10, 22))

    def test_working_days_left_is_zero_on_the_due_day_and_negative_after(self):
        due = days.end_of_day(D(2026, 10, 15))
        self.assertEqual(days.working_days_left(due, at(2026, 10, 12)), 3)
        self.assertEqual(days.working_days_left(due, at(2026, 10, 15, 18)), 0)
        self.assertEqual(days.working_days_left(due, at(2026, 10, 19)), -2)

    def test_administrators_are_told_which_years_lack_a_calendar(self):
        self.assertEqual(days.years_without_official_calendar(D(2099, 11, 21)), [2099, 2100])
        DayOverride.objects.create(date=D(2100, 2, 5), is_working_day=False, name="春节")
        self.assertEqual(days.years_without_official_calendar(D(2099, 11, 21)), [2099])
