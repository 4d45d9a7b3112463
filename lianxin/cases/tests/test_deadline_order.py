"""The resolution deadline (办结期限) never falls before the reply deadline (答复期限)."""

import datetime as dt

import time_machine

from lianxin.cases.models import Category
from lianxin.orgs.models import DistrictSettings
from lianxin.test import LianxinTestCase, at
from lianxin.workdays.days import local_date


@time_machine.travel(at(2026, 12, 20, 10), tick=False)
class DeadlineOrderTest(LianxinTestCase):
    def setUp(self):
        # Power cuts: a day to fix, far quicker than the 7 working days of the reply.
        self.quick = Category.objects.create(
            code="power_cut", name="停电", parent=self.top_category, resolution_working_days=1
        )

    def assert_in_order(self, case):
        case = self.reload(case)
        self.assertGreaterEqual(case.resolve_due_at, case.reply_due_at, case.tracking_number)
        return case

    def test_a_quick_category_is_due_with_the_reply_across_national_day(self):
        # Every day from mid-September to the end of October: weekends, the swapped working
        # Sunday (20 Sep) and Saturday (10 Oct), and the National Day week.
        day = dt.date(2026, 9, 14)
        while day <= dt.date(2026, 10, 31):
            case = self.assert_in_order(
                self.new(at(day.year, day.month, day.day, 23), category=self.quick)
            )
            # The category alone would have asked for the resolution 6 working days early.
            self.assertEqual(case.resolve_due_at, case.reply_due_at)
            day += dt.timedelta(days=1)

    def test_seen_on_the_demo_reply_11_december_resolution_9_december(self):
        case = self.assert_in_order(self.new(at(2026, 12, 2, 10), category=self.quick))
        self.assertEqual(local_date(case.reply_due_at), dt.date(2026, 12, 11))
        self.assertEqual(local_date(case.resolve_due_at), dt.date(2026, 12, 11))

    def test_a_longer_category_keeps_its_own_limit(self):
        case = self.assert_in_order(self.new(at(2026, 12, 2, 10)))  # 路灯照明 5 days: 9 Dec
        self.assertEqual(local_date(case.resolve_due_at), dt.date(2026, 12, 11))
        self.category.resolution_working_days = 15
        self.category.save()
        case = self.assert_in_order(self.new(at(2026, 12, 2, 10)))
        self.assertEqual(local_date(case.resolve_due_at), dt.date(2026, 12, 23))

    def test_a_reply_limit_in_calendar_days(self):
        policy = DistrictSettings.load()
        policy.reply_limit_counting = DistrictSettings.Counting.CALENDAR_DAYS
        policy.reply_limit_days = 15
        policy.save()
        # 15 calendar days from 30 September: 15 October; 5 working days over the holiday
        # would have been 13 October.
        case = self.assert_in_order(self.new(at(2026, 9, 30, 10)))
        self.assertEqual(local_date(case.resolve_due_at), dt.date(2026, 10, 15))

    def test_recategorised_at_dispatch_and_reopened(self):
        case = self.new(at(2026, 12, 2, 10))
        case = self.assert_in_order(self.dispatch(case, at(2026, 12, 2, 11), category=self.quick))
        self.assertEqual(local_date(case.resolve_due_at), dt.date(2026, 12, 11))
        self.accept(case, at(2026, 12, 2, 12))
        self.resolve(case, at(2026, 12, 3, 9))
        self.verify(case, at(2026, 12, 3, 10))
        case = self.visit(case, at(2026, 12, 3, 11), satisfaction="unsatisfied", solved=False)
        # Reopened: a fresh day from now would be 4 December; the reply is due on the 11th.
        case = self.assert_in_order(case)
        self.assertEqual(local_date(case.resolve_due_at), dt.date(2026, 12, 11))
