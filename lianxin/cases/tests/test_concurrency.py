"""Two people acting on one case at the same moment, over real PostgreSQL connections."""

import datetime as dt
import os
import threading

import pytest
from django.db import connection, connections
from django.test import TransactionTestCase
from django.utils import timezone

from lianxin.cases import actions
from lianxin.cases.models import Case, CaseEvent, Status
from lianxin.cases.rules import WorkflowError
from lianxin.test import Builders, District


def race(*callables):
    """Run the callables in threads released together; return each one's result or error."""
    barrier = threading.Barrier(len(callables))
    results = [None] * len(callables)

    def run(index, fn):
        try:
            barrier.wait()
            results[index] = fn()
        except Exception as error:  # noqa: BLE001  (the error is the result)
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(callables)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.postgres
class RaceTest(Builders, TransactionTestCase):
    def setUp(self):
        if connection.vendor != "postgresql":
            if os.getenv("CI") == "true" and os.getenv("DATABASE_URL"):
                self.fail("CI runs this test on PostgreSQL")
            self.skipTest("needs PostgreSQL: row locks are what is being tested")
        District.build(self)

    def assert_one_winner(self, results):
        winners = [r for r in results if not isinstance(r, Exception)]
        losers = [r for r in results if isinstance(r, Exception)]
        self.assertEqual(len(winners), 1, results)
        self.assertEqual(len(losers), 1, results)
        self.assertIsInstance(losers[0], WorkflowError)

    def test_two_handlers_accepting_the_same_part_one_wins(self):
        case = actions.do_dispatch_case(self.register(), actor=self.dispatcher, unit=self.dept_a)
        part = case.parts.get()
        results = race(
            lambda: actions.do_accept_part(part, actor=self.handler_a),
            lambda: actions.do_accept_part(part, actor=self.head_a),
        )
        self.assert_one_winner(results)
        self.assertEqual(CaseEvent.objects.filter(code="cases.part.accepted").count(), 1)
        self.assertEqual(Case.objects.get(pk=case.pk).status, Status.IN_PROGRESS)

    def test_two_departments_claiming_the_same_case_one_wins(self):
        case = self.register(actor=self.dispatcher, open_for_claim=True)
        results = race(
            lambda: actions.do_claim_case(case, actor=self.handler_a),
            lambda: actions.do_claim_case(case, actor=self.handler_b),
        )
        self.assert_one_winner(results)
        case = Case.objects.get(pk=case.pk)
        self.assertEqual(case.parts.count(), 1)
        self.assertIn(case.lead_unit, (self.dept_a, self.dept_b))

    def test_accepting_and_returning_at_once_one_wins(self):
        case = actions.do_dispatch_case(self.register(), actor=self.dispatcher, unit=self.dept_a)
        part = case.parts.get()
        results = race(
            lambda: actions.do_accept_part(part, actor=self.handler_a),
            lambda: actions.do_return_part(part, actor=self.head_a, reason="不属于本部门职责"),
        )
        self.assert_one_winner(results)

    def test_the_same_registration_sent_twice_at_once_makes_one_case(self):
        results = race(
            lambda: self.register(idempotency_key="mini-42"),
            lambda: self.register(idempotency_key="mini-42"),
        )
        self.assertFalse([r for r in results if isinstance(r, Exception)], results)
        self.assertEqual(results[0].pk, results[1].pk)
        self.assertEqual(Case.objects.count(), 1)
        self.assertEqual(CaseEvent.objects.count(), 1)

    def test_tracking_numbers_stay_unique_under_concurrent_registration(self):
        results = race(*[self.register for _ in range(6)])
        numbers = {case.tracking_number for case in results}
        self.assertEqual(len(numbers), 6, results)

    def test_actions_and_the_overdue_scan_at_once_keep_one_chain_per_case(self):
        from lianxin.cases import chain

        case = self.dispatched(when=timezone.now() - dt.timedelta(days=30))
        results = race(
            lambda: actions.do_add_note(case, actor=self.dispatcher, note="已电话联系居民"),
            lambda: actions.do_add_note(case, actor=self.leader, note="请尽快安排人员查看"),
            lambda: actions.do_record_overdue_cases(),
            lambda: actions.do_accept_part(case.parts.get(), actor=self.handler_a),
        )
        self.assertFalse([r for r in results if isinstance(r, Exception)], results)
        seqs = list(
            CaseEvent.objects.filter(case=case).order_by("seq").values_list("seq", flat=True)
        )
        # registered, dispatched; two notes, two overdue marks and the acceptance in any order
        self.assertEqual(seqs, list(range(1, 8)))
        self.assertEqual(list(chain.verify()), [])
