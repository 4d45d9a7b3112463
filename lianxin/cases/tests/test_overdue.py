"""The periodic scan records each missed deadline once."""

import datetime as dt

from django.db import transaction

from lianxin.cases import actions, signals
from lianxin.cases.actions.common import announced_together
from lianxin.cases.models import CaseEvent
from lianxin.cases.sla import deadline_state
from lianxin.cases.tasks import record_overdue_cases
from lianxin.test import LianxinTestCase, at


class OverdueScanTest(LianxinTestCase):
    def scan(self, when):
        return actions.do_record_overdue_cases(when=when)

    def test_a_missed_reply_is_recorded_once(self):
        case = self.dispatched(when=at(2026, 9, 30))  # reply due 15 October
        self.assertEqual(self.scan(at(2026, 10, 15, 23))["cases.case.reply_overdue"], 0)
        self.assertEqual(self.scan(at(2026, 10, 16, 9))["cases.case.reply_overdue"], 1)
        self.assertEqual(self.scan(at(2026, 10, 17, 9))["cases.case.reply_overdue"], 0)
        events = CaseEvent.objects.filter(case=case, code="cases.case.reply_overdue")
        self.assertEqual(list(events.values_list("at", flat=True)), [at(2026, 10, 16, 9)])

    def test_a_replied_case_is_not_overdue_for_its_reply(self):
        self.replied(when=at(2026, 9, 30))
        counts = self.scan(at(2026, 10, 16))
        self.assertEqual(counts["cases.case.reply_overdue"], 0)
        self.assertEqual(counts["cases.case.resolution_overdue"], 1)  # due 13 October

    def test_closed_and_constrained_cases_are_not_overdue(self):
        for status in ("closed", "constrained", "voided"):
            self.case_in(status)
        counts = self.scan(at(2030, 1, 1))
        self.assertEqual(counts["cases.case.reply_overdue"], 0)
        self.assertEqual(counts["cases.case.resolution_overdue"], 0)

    def test_an_approved_extension_lets_the_case_be_recorded_overdue_again(self):
        case = self.in_progress(when=at(2026, 9, 30))  # resolution due with the reply: 15 Oct
        self.scan(at(2026, 10, 16))
        extension = actions.do_request_extension(
            case,
            actor=self.handler_a,
            working_days=5,
            reason="需等待配件到货",
            when=at(2026, 10, 16),
        )
        actions.do_decide_extension(
            extension, actor=self.dispatcher, approve=True, when=at(2026, 10, 16)
        )
        # Five working days after the deadline it extends: 22 October.
        self.assertEqual(self.scan(at(2026, 10, 22))["cases.case.resolution_overdue"], 0)
        self.assertEqual(self.scan(at(2026, 10, 23))["cases.case.resolution_overdue"], 1)
        self.assertEqual(
            CaseEvent.objects.filter(case=case, code="cases.case.resolution_overdue").count(), 2
        )

    def test_a_constrained_case_is_flagged_for_review_when_its_period_ends(self):
        self.case_in("constrained")
        self.assertEqual(self.scan(at(2031, 1, 1))["cases.case.constrained_review_due"], 1)
        self.assertEqual(self.scan(at(2031, 1, 2))["cases.case.constrained_review_due"], 0)

    def test_a_resumed_case_gets_a_fresh_resolution_deadline(self):
        case = self.in_progress(when=at(2026, 9, 1))  # resolution due with the reply, 10 Sep
        actions.do_mark_constrained(
            case,
            actor=self.handler_a,
            explanation="需纳入明年改造计划，先做临时处置。",
            when=at(2026, 9, 2),
        )
        self.scan(at(2026, 9, 20))  # constrained: not overdue
        actions.do_resume_case(case, actor=self.handler_a, note="资金到位", when=at(2026, 10, 12))
        self.assertEqual(self.reload(case).resolve_due_at.date(), dt.date(2026, 10, 19))
        self.assertEqual(self.scan(at(2026, 10, 20))["cases.case.resolution_overdue"], 1)

    def test_the_scan_announces_its_events_after_commit(self):
        self.dispatched(when=at(2026, 9, 30))
        heard = []

        def listener(sender, event_ids, **kwargs):
            heard.extend(event_ids)

        signals.case_events_committed.connect(listener)
        self.addCleanup(signals.case_events_committed.disconnect, listener)
        with self.captureOnCommitCallbacks(execute=True):
            self.scan(at(2026, 10, 16))
        recorded = CaseEvent.objects.filter(code__endswith="_overdue")
        self.assertEqual(set(recorded.values_list("pk", flat=True)), set(heard))
        self.assertEqual(len(heard), 2)  # the reply and the 5-day resolution

    def test_the_periodic_job_runs_the_scan(self):
        self.dispatched(when=at(2020, 3, 2))
        self.assertEqual(record_overdue_cases.call_local()["cases.case.reply_overdue"], 1)


class DeadlineStateTest(LianxinTestCase):
    def test_due_soon_and_overdue(self):
        # Reply due Thursday 15 October; the district's 15-day resolution limit runs later.
        case = self.dispatched(when=at(2026, 9, 30), category=None)
        state = deadline_state(case, now=at(2026, 10, 9))
        self.assertEqual(
            (state.label, state.working_days_left), ("reply", 5)
        )  # 10 (a worked Saturday), 12–15
        self.assertFalse(state.due_soon)
        self.assertTrue(deadline_state(case, now=at(2026, 10, 13)).due_soon)
        self.assertTrue(deadline_state(case, now=at(2026, 10, 16)).overdue)

    def test_after_the_reply_the_resolution_deadline_runs(self):
        case = self.replied(when=at(2026, 9, 30))
        self.assertEqual(deadline_state(case, now=at(2026, 10, 9)).label, "resolve")
        self.assertIsNone(deadline_state(self.case_in("closed")))


class AfterCommitTest(LianxinTestCase):
    def test_events_are_announced_only_after_the_transaction_commits(self):
        heard = []

        def listener(sender, event_ids, **kwargs):
            heard.extend(CaseEvent.objects.filter(pk__in=event_ids).values_list("code", flat=True))

        signals.case_events_committed.connect(listener)
        self.addCleanup(signals.case_events_committed.disconnect, listener)
        with self.captureOnCommitCallbacks(execute=True):
            self.register()
            self.assertEqual(heard, [])
        self.assertEqual(heard, ["cases.case.registered"])

    def test_nothing_is_announced_when_the_transaction_rolls_back(self):
        heard = []

        def listener(sender, event_ids, **kwargs):
            heard.extend(CaseEvent.objects.filter(pk__in=event_ids).values_list("code", flat=True))

        signals.case_events_committed.connect(listener)
        self.addCleanup(signals.case_events_committed.disconnect, listener)
        with self.captureOnCommitCallbacks(execute=True):
            self.register()
            try:
                with transaction.atomic():
                    self.register()
                    raise RuntimeError("abandon")
            except RuntimeError:
                pass
        self.assertEqual(heard, ["cases.case.registered"])  # only the committed one

    def test_events_recorded_together_are_announced_in_one_signal(self):
        heard = []

        def listener(sender, event_ids, **kwargs):
            heard.append(sorted(event_ids))

        signals.case_events_committed.connect(listener)
        self.addCleanup(signals.case_events_committed.disconnect, listener)
        with self.captureOnCommitCallbacks(execute=True) as callbacks, transaction.atomic():
            with announced_together():
                first, second = self.register(), self.register()
            third = self.register()
        events = CaseEvent.objects.filter(code="cases.case.registered")
        together = sorted(events.filter(case__in=[first, second]).values_list("pk", flat=True))
        self.assertEqual(len(callbacks), 2)
        self.assertEqual(heard, [together, [events.get(case=third).pk]])
