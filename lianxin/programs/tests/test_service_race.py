"""The recurring scheduler run twice at the same moment over real PostgreSQL connections:
one order per household and period, one event per order."""

import os

import pytest
import time_machine
from django.db import connection
from django.test import TransactionTestCase

from lianxin.cases.tests.test_concurrency import race
from lianxin.programs import actions
from lianxin.programs.models import ServiceEvent, ServiceOrder
from lianxin.programs.tests.service_builders import Services, seed_tags
from lianxin.registry import actions as registry
from lianxin.test import Builders, District, at


@pytest.mark.postgres
class ScheduleRaceTest(Services, Builders, TransactionTestCase):
    def setUp(self):
        if connection.vendor != "postgresql":
            if os.getenv("CI") == "true" and os.getenv("DATABASE_URL"):
                self.fail("CI runs this test on PostgreSQL")
            self.skipTest("needs PostgreSQL: concurrent inserts are what is being tested")
        self.enterContext(time_machine.travel(at(2026, 6, 17, 10), tick=True))
        District.build(self)
        seed_tags()
        self.build_registers()
        for n in range(30):
            registry.do_save_household(
                actor=self.dispatcher,
                community=self.community,
                grid=self.grid,
                address=f"福临苑9号楼{n + 1}室",
                head_name="住户",
                residents=[{"name": "住户", "relation": "head", "tags": ["kunnan"]}],
            )

    def test_two_runs_at_once_schedule_each_household_once(self):
        service = self.service(
            name="困难户每月关爱走访", recurrence="monthly", tags=["dibao", "kunnan"]
        )
        results = race(actions.do_schedule_recurring_orders, actions.do_schedule_recurring_orders)
        self.assertFalse([r for r in results if isinstance(r, Exception)], results)
        self.assertEqual(sum(results), 31, results)  # 30 kunnan and the dibao household
        self.assertEqual(ServiceOrder.objects.filter(service=service).count(), 31)
        scheduled = ServiceEvent.objects.filter(code="programs.order.scheduled")
        self.assertEqual(scheduled.count(), 31)
        self.assertEqual(scheduled.values("order").distinct().count(), 31)

    def test_two_cadres_ordering_one_line_for_one_household_at_once_make_one_order(self):
        from lianxin.errors import WorkflowError
        from lianxin.programs.models import ServiceOrder

        line = self.service(name="助老送餐")
        results = race(
            lambda: actions.do_order_service(
                line, self.household, actor=self.cadre_user, channel="visit"
            ),
            lambda: actions.do_order_service(
                line, self.household, actor=self.community_staff, channel="phone"
            ),
        )
        winners = [r for r in results if isinstance(r, ServiceOrder)]
        losers = [r for r in results if isinstance(r, WorkflowError)]
        self.assertEqual((len(winners), len(losers)), (1, 1), results)
        self.assertEqual(losers[0].code, "already_ordered")
        self.assertEqual(ServiceOrder.objects.filter(service=line).count(), 1)
        self.assertEqual(ServiceEvent.objects.filter(code="programs.order.placed").count(), 1)
