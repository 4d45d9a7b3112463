"""Two overdue scans at the same moment, over real PostgreSQL connections: each lapse is
recorded once, with one event."""

import os

import pytest
import time_machine
from django.db import connection
from django.test import TransactionTestCase

from lianxin.cases.tests.test_concurrency import race
from lianxin.projects import actions
from lianxin.projects.models import Lapse, ProjectEvent
from lianxin.projects.tests.builders import Projects
from lianxin.test import Builders, District, at


@pytest.mark.postgres
class ScanRaceTest(Projects, Builders, TransactionTestCase):
    def setUp(self):
        if connection.vendor != "postgresql":
            if os.getenv("CI") == "true" and os.getenv("DATABASE_URL"):
                self.fail("CI runs this test on PostgreSQL")
            self.skipTest("needs PostgreSQL: row locks are what is being tested")
        District.build(self)

    def test_two_scans_at_once_record_each_lapse_once(self):
        with time_machine.travel(at(2025, 1, 2), tick=False):
            self.project()
            self.project(name="背街小巷硬化")
        moment = at(2025, 4, 2, 0, 5)
        results = race(
            lambda: actions.do_record_overdue_projects(when=moment),
            lambda: actions.do_record_overdue_projects(when=moment),
        )
        self.assertFalse([r for r in results if isinstance(r, Exception)], results)
        # January to March's reports and the March milestone, for each of the two.
        self.assertEqual(Lapse.objects.count(), 2 * 4)
        self.assertEqual(sorted(len(r) for r in results), [0, 8])
        overdue = ProjectEvent.objects.filter(code__endswith=".overdue")
        self.assertEqual(overdue.count(), 8)
