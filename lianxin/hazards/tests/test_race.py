"""Two inspectors at once over real PostgreSQL connections: notice numbers stay one a
notice and sequential, and a hazard gets one notice however many press "issue"."""

import os

import pytest
import time_machine
from django.db import connection
from django.test import TransactionTestCase

from lianxin.cases.tests.test_concurrency import race
from lianxin.errors import WorkflowError
from lianxin.hazards import actions
from lianxin.hazards.models import Notice
from lianxin.hazards.tests.builders import REQUIREMENTS, Hazards
from lianxin.test import Builders, District, at


@pytest.mark.postgres
class NoticeRaceTest(Hazards, Builders, TransactionTestCase):
    def setUp(self):
        if connection.vendor != "postgresql":
            if os.getenv("CI") == "true" and os.getenv("DATABASE_URL"):
                self.fail("CI runs this test on PostgreSQL")
            self.skipTest("needs PostgreSQL: row locks are what is being tested")
        self.enterContext(time_machine.travel(at(2026, 6, 17, 10), tick=True))
        District.build(self)
        self.build_hazards()

    def test_two_notices_at_once_take_two_numbers(self):
        first, second = self.hazard(), self.hazard()
        results = race(
            lambda: actions.do_issue_notice(first, actor=self.handler_a, requirements=REQUIREMENTS),
            lambda: actions.do_issue_notice(
                second, actor=self.street_staff, requirements=REQUIREMENTS
            ),
        )
        self.assertTrue(all(isinstance(r, Notice) for r in results), results)
        self.assertEqual(sorted(n.seq for n in results), [1, 2])

    def test_one_hazard_issued_twice_at_once_gets_one_notice(self):
        hazard = self.hazard()
        results = race(
            lambda: actions.do_issue_notice(
                hazard, actor=self.handler_a, requirements=REQUIREMENTS
            ),
            lambda: actions.do_issue_notice(
                hazard, actor=self.street_staff, requirements=REQUIREMENTS
            ),
        )
        losers = [r for r in results if isinstance(r, Exception)]
        self.assertEqual(len(losers), 1, results)
        self.assertIsInstance(losers[0], WorkflowError)
        self.assertEqual(Notice.objects.filter(hazard=hazard).count(), 1)
