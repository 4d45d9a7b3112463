"""The city platform down, slow or losing answers mid-exchange, and coming back."""

import datetime as dt
import time

from django.utils import timezone

from lianxin.cases import actions
from lianxin.cases.models import Case, CaseEvent, Channel
from lianxin.upstream.models import PushState, UpstreamOrder, UpstreamPush
from lianxin.upstream.tests.base import UpstreamTestCase


class PullOutageTest(UpstreamTestCase):
    def test_upstream_stopped_then_back_loses_nothing_and_duplicates_nothing(self):
        self.fake.add_order("QD-1", self.later(hours=-2))
        self.exchange(self.t0)
        self.fake.stop()
        self.fake.add_order("QD-2", self.later(minutes=1))  # arrives while we cannot see

        self.assertIsNone(self.exchange(self.later(minutes=5))["pull"])
        config = self.settings_now()
        self.assertEqual(config.pull_failures, 1)
        self.assertIn("ConnectionError", config.last_pull_error)
        self.assertEqual(config.pull_cursor, self.t0)  # the cursor stays where it was

        self.fake.start()  # back, on the same port
        self.fake.change("QD-1", self.later(minutes=2), description="路灯不亮，灯杆倾斜。")
        self.exchange(self.later(minutes=10))
        self.assertEqual(
            sorted(UpstreamOrder.objects.values_list("upstream_id", flat=True)), ["QD-1", "QD-2"]
        )
        self.assertEqual(Case.objects.filter(channel=Channel.CITY).count(), 2)
        self.assertEqual(
            CaseEvent.objects.filter(code="cases.case.note_added").values_list("note", flat=True)[
                0
            ],
            "市级平台更新了诉求内容：路灯不亮，灯杆倾斜。",
        )
        config = self.settings_now()
        self.assertEqual((config.pull_failures, config.last_pull_error), (0, ""))
        self.assertEqual(config.pull_cursor, self.later(minutes=10))

    def test_going_down_mid_pull_keeps_what_was_done_and_redoes_nothing(self):
        for n in range(1, 4):
            self.fake.add_order(f"QD-{n}", self.later(hours=-n))
        self.exchange(self.t0)
        self.fake.add_order("QD-4", self.later(minutes=1))
        self.fake.change("QD-1", self.later(minutes=1), description="补充：灯杆也坏了。")
        # The window call succeeds (QD-4 is registered); the refresh by id fails.
        self.fake.served, self.fake.fail_after = 0, 1
        self.exchange(self.later(minutes=5))
        self.assertTrue(UpstreamOrder.objects.filter(upstream_id="QD-4").exists())
        self.assertEqual(self.settings_now().pull_cursor, self.t0)  # not advanced
        self.assertFalse(CaseEvent.objects.filter(code="cases.case.note_added").exists())

        self.fake.fail_after = None
        self.exchange(self.later(minutes=10))
        self.assertEqual(Case.objects.filter(channel=Channel.CITY).count(), 4)
        self.assertEqual(CaseEvent.objects.filter(code="cases.case.note_added").count(), 1)
        self.exchange(self.later(minutes=15))
        self.assertEqual(Case.objects.filter(channel=Channel.CITY).count(), 4)
        self.assertEqual(CaseEvent.objects.filter(code="cases.case.note_added").count(), 1)

    def test_failures_back_off_exponentially_up_to_the_cap(self):
        self.config.poll_minutes = 1
        self.config.save()
        self.fake.mode = "503"
        now = self.t0
        waits = []
        for _ in range(7):
            self.exchange(now)
            config = self.settings_now()
            self.assertIn("HTTP 503", config.last_pull_error)
            due = config.next_pull_at()
            waits.append(due - now)
            # Not asked again before it is due.
            asked = len(self.fake.gets)
            self.exchange(due - dt.timedelta(seconds=1))
            self.assertEqual(len(self.fake.gets), asked)
            now = due
        minutes = [w.total_seconds() / 60 for w in waits]
        # 30 s and 1 min are under the polling interval; then doubling to the 10-minute cap.
        self.assertEqual(minutes, [1, 1, 2, 4, 8, 10, 10])
        self.fake.mode = "up"
        self.exchange(now)
        self.assertEqual(self.settings_now().pull_failures, 0)

    def test_a_hanging_upstream_is_cut_off_by_the_read_timeout(self):
        self.fake.mode = "hang"
        started = time.monotonic()
        self.exchange(self.t0)
        self.assertLess(time.monotonic() - started, 2.5)  # a 0.5 s read timeout, not 3 s
        self.assertIn("timed out", self.settings_now().last_pull_error)


class PushOutageTest(UpstreamTestCase):
    def setUp(self):
        super().setUp()
        self.fake.add_order("QD-1", self.later(hours=-2))
        self.fake.add_order("QD-2", self.later(hours=-1))
        self.exchange(self.t0)
        self.case = self.order("QD-1").case
        self.other = self.order("QD-2").case

    def act(self, action, *args, **kwargs):
        with self.captureOnCommitCallbacks(execute=True):
            return action(*args, **kwargs)

    def pending(self):
        return UpstreamPush.objects.filter(state=PushState.PENDING).order_by("event_id")

    def test_pushes_wait_out_an_outage_and_arrive_once_in_order(self):
        self.fake.stop()
        self.act(actions.do_dispatch_case, self.case, actor=self.dispatcher, unit=self.dept_a)
        self.act(actions.do_accept_part, self.case.parts.get(), actor=self.handler_a)
        self.act(actions.do_dispatch_case, self.other, actor=self.dispatcher, unit=self.dept_b)
        # The workflow went on regardless; the city's copies wait in the outbox.
        self.assertEqual(self.reload(self.case).status, "in_progress")
        rows = list(self.pending())
        self.assertEqual(len(rows), 3)
        self.assertTrue(all(row.attempts >= 1 for row in rows[:1]))
        self.assertIn("ConnectionError", rows[0].last_error)

        now = timezone.now() + dt.timedelta(minutes=1)
        attempts = sum(self.pending().values_list("attempts", flat=True))
        self.exchange(now)  # still down: one try, not one timeout per waiting order
        self.assertEqual(self.pending().count(), 3)
        self.assertEqual(sum(self.pending().values_list("attempts", flat=True)), attempts + 1)

        self.fake.start()
        later = now + dt.timedelta(minutes=5)
        self.exchange(later)
        self.assertEqual(self.pending().count(), 0)
        applied = self.fake.applied_ids()
        self.assertEqual(len(applied), len(set(applied)))
        self.assertEqual(len(applied), 3)
        mine = [u["status"] for u in self.fake.updates if u["service_request_id"] == "QD-1"]
        self.assertEqual(mine, ["INVESTIGATING", "IN_PROGRESS"])
        self.exchange(later + dt.timedelta(minutes=5))
        self.assertEqual(len(self.fake.posts), len(self.fake.applied_ids()))

    def test_a_lost_answer_is_resent_with_the_same_key_and_applied_once(self):
        self.fake.mode = "lose_response"
        self.act(actions.do_dispatch_case, self.case, actor=self.dispatcher, unit=self.dept_a)
        row = UpstreamPush.objects.get()
        self.assertEqual((row.state, row.attempts), (PushState.PENDING, 1))
        self.assertIn("timed out", row.last_error)
        self.assertEqual(len(self.fake.updates), 1)  # upstream did apply it

        self.fake.mode = "up"
        self.exchange(row.next_attempt_at)
        row.refresh_from_db()
        self.assertEqual((row.state, row.attempts), (PushState.SENT, 2))
        self.assertEqual([p["update_id"] for p in self.fake.posts], [f"lianxin-{row.event_id}"] * 2)
        self.assertEqual(len(self.fake.updates), 1)
        self.assertEqual(row.remote_update_id, "city-1")

    def test_a_failed_push_holds_back_the_later_ones_of_its_order(self):
        self.fake.mode = "503"
        self.act(actions.do_dispatch_case, self.case, actor=self.dispatcher, unit=self.dept_a)
        first = UpstreamPush.objects.get()
        self.fake.mode = "up"
        self.act(actions.do_accept_part, self.case.parts.get(), actor=self.handler_a)
        # The acceptance was due at once, but its order's earlier push is still in back-off.
        self.assertEqual(self.fake.updates, [])
        self.assertEqual(first.last_status_code, 503)
        self.assertEqual(self.pending().count(), 2)
        self.exchange(first.next_attempt_at)
        self.assertEqual([u["status"] for u in self.fake.updates], ["INVESTIGATING", "IN_PROGRESS"])

    def test_push_back_off_doubles(self):
        self.fake.mode = "503"
        self.act(actions.do_dispatch_case, self.case, actor=self.dispatcher, unit=self.dept_a)
        row = UpstreamPush.objects.get()
        gaps = []
        for _ in range(3):
            before = row.next_attempt_at
            self.exchange(before)
            row.refresh_from_db()
            gaps.append((row.next_attempt_at - before).total_seconds())
        self.assertEqual(gaps, [60, 120, 240])
        self.assertEqual(row.attempts, 4)
