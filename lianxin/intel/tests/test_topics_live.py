"""Topics kept live: the workflow's committed changes schedule a refresh of the place.

Driven through the real actions, their on-commit announcements and the queued Huey
jobs (run as the consumer runs them, the clock moved on with time-machine).
"""

import datetime as dt
from unittest import mock

import time_machine
from django.db import connection
from huey.contrib.djhuey import HUEY

from lianxin.cases import actions
from lianxin.cases.models import Channel
from lianxin.intel import tasks, topicsync
from lianxin.intel.models import Topic
from lianxin.intel.nearby import Probe, candidate_queryset
from lianxin.notify.tests.jobs import queued, run_scheduled
from lianxin.test import LianxinTestCase, at

JOB = {"refresh_changed_topics"}
START = at(2026, 11, 3, 9)
LAMPS = [
    ("福临苑3号楼门口路灯不亮", "福临苑小区3号楼门口的路灯坏了，晚上看不清路。", "13900000001"),
    ("福临苑3号楼路灯坏了好几天", "3号楼门口路灯一直不亮，老人出门不方便。", "13900000002"),
    ("福临苑小区3号楼门前路灯不亮", "路灯坏了一个多星期没人修。", "13900000003"),
    ("福临苑3号楼门口路灯又不亮了", "福临苑3号楼路灯晚上不亮，出门摔了一跤。", "13900000004"),
]
# The same problem at another place (the other grid, another estate).
FAR = [
    ("青峰花园8号楼垃圾无人清运", "青峰花园8号楼垃圾桶满了好几天没人清理。", "13900000011"),
    ("青峰花园8号楼垃圾好几天没人清运", "8号楼下垃圾堆满了，气味难闻。", "13900000012"),
]


class LiveTopicsTest(LianxinTestCase):
    def setUp(self):
        self.clock = time_machine.travel(START, tick=False)
        self.traveller = self.clock.start()
        self.addCleanup(self.clock.stop)
        HUEY.delete(tasks.PENDING_KEY)  # the store is the test's own; be explicit

    def committed(self, action, *args, **kwargs):
        """Run a workflow action as a request would: its on-commit work runs after it."""
        with self.captureOnCommitCallbacks(execute=True):
            return action(*args, **kwargs)

    def lamp(self, n, **fields):
        title, text, phone = LAMPS[n]
        values = {"resident": None, "resident_phone": phone, **fields}
        return self.committed(self.register, title=title, text=text, **values)

    def far(self, n):
        title, text, phone = FAR[n]
        return self.committed(
            self.register,
            title=title,
            text=text,
            address="青峰花园8号楼",
            grid=self.other_grid,
            resident=None,
            resident_phone=phone,
        )

    def wait(self, seconds=tasks.LIVE_DELAY + 1) -> int:
        """Let the clock run on, then run the topic jobs that are due."""
        self.traveller.shift(dt.timedelta(seconds=seconds))
        return run_scheduled(JOB)

    def topic_of(self, case) -> Topic | None:
        return Topic.objects.filter(active=True, memberships__case=case).first()

    def test_two_reports_at_one_place_become_a_topic_a_few_seconds_after_registration(self):
        first = self.lamp(0)
        second = self.lamp(1)
        self.assertEqual(len(queued(JOB)), 1)  # one refresh for both, waiting
        self.assertFalse(Topic.objects.exists())  # nothing in the request itself
        self.assertEqual(self.wait(), 1)
        [topic] = Topic.objects.filter(active=True)
        self.assertEqual(
            set(topic.memberships.values_list("case_id", flat=True)), {first.pk, second.pk}
        )
        self.assertEqual((topic.case_count, topic.resident_count), (2, 2))
        self.assertIn("路灯", topic.title)

    def test_a_new_report_joins_the_topic_and_it_grows_hotter(self):
        cases = [self.lamp(0), self.lamp(1)]
        self.wait()
        topic = self.topic_of(cases[0])
        self.traveller.shift(dt.timedelta(minutes=5))
        cases.append(self.lamp(2))
        self.wait()
        grown = self.topic_of(cases[2])
        self.assertEqual(grown.pk, topic.pk)
        self.assertEqual(grown.case_count, 3)
        self.assertGreater(grown.hotness, topic.hotness)

    def test_a_burst_of_registrations_is_one_refresh_then_the_next_change_schedules_another(self):
        for n in range(4):
            self.lamp(n)
        self.far(0)
        self.far(1)
        self.assertEqual(len(queued(JOB)), 1)
        self.assertEqual(self.wait(), 1)
        self.assertEqual(Topic.objects.filter(active=True).count(), 2)  # both places at once
        self.assertEqual(queued(JOB), [])
        late = self.lamp(0, resident_phone="13900000009")
        self.assertEqual(len(queued(JOB)), 1)  # the mark was taken: a new one is waiting
        self.assertEqual(self.wait(), 1)
        self.assertEqual(self.topic_of(late).case_count, 5)

    def test_closing_voiding_or_merging_cases_shrinks_the_topic_and_retires_it(self):
        cases = [self.lamp(n) for n in range(3)]
        self.wait()
        topic = self.topic_of(cases[0])
        self.committed(actions.do_merge_case, cases[2], actor=self.dispatcher, into=cases[0])
        self.assertEqual(len(queued(JOB)), 1)
        self.wait()
        topic.refresh_from_db()
        self.assertEqual((topic.active, topic.case_count), (True, 2))
        self.committed(actions.do_void_case, cases[1], actor=self.dispatcher, reason="测试数据")
        self.wait()
        topic.refresh_from_db()
        self.assertFalse(topic.active)  # one case left is not a topic
        # The record stays: the topic still lists its cases.
        self.assertEqual(topic.memberships.count(), 3)

    def test_a_me_too_counts_in_the_topic(self):
        cases = [self.lamp(0), self.lamp(1)]
        self.wait()
        self.assertEqual(self.topic_of(cases[0]).support_count, 0)
        self.committed(actions.do_support_case, cases[1], actor=None, phone="13900000088")
        self.assertEqual(len(queued(JOB)), 1)
        self.wait()
        self.assertEqual(self.topic_of(cases[0]).support_count, 1)

    def test_a_residents_report_by_map_point_or_address_joins_the_topic_of_its_place(self):
        point = {"latitude": 36.0701, "longitude": 120.3801}
        cases = [self.lamp(0, **point), self.lamp(1, **point)]
        self.wait()
        topic = self.topic_of(cases[0])
        # A resident's own report has no grid: only a pin near the others, or an address.
        by_point = self.lamp(
            2,
            actor=self.resident,
            resident=self.resident,
            channel=Channel.WEB,
            grid=None,
            category=None,
            latitude=36.0703,
            longitude=120.3803,
            address="福临路边",
        )
        self.wait()
        self.assertEqual(self.topic_of(by_point).pk, topic.pk)
        by_address = self.lamp(
            3, actor=self.resident, resident=self.resident, channel=Channel.WEB, grid=None,
            category=None, address="福临苑小区3号楼",
        )  # fmt: skip
        self.wait()
        self.assertEqual(self.topic_of(by_address).pk, topic.pk)
        self.assertEqual(Topic.objects.get(pk=topic.pk).case_count, 4)

    def test_a_live_refresh_leaves_the_topics_of_other_places_alone(self):
        far = [self.far(0), self.far(1)]
        self.wait()
        elsewhere = self.topic_of(far[0])
        Topic.objects.filter(pk=elsewhere.pk).update(hotness=999)  # as if from another run
        self.traveller.shift(topicsync.LIVE_WINDOW)  # the far changes are done with
        self.lamp(0)
        self.lamp(1)
        self.wait()
        elsewhere.refresh_from_db()
        self.assertEqual((elsewhere.active, elsewhere.hotness), (True, 999))
        # The periodic job regroups everything and sets it right.
        topicsync.refresh_topics()
        elsewhere.refresh_from_db()
        self.assertLess(elsewhere.hotness, 999)

    def test_more_changes_than_a_neighbourhood_holds_regroup_everything(self):
        far = [self.far(0), self.far(1)]
        self.wait()
        elsewhere = self.topic_of(far[0])
        Topic.objects.filter(pk=elsewhere.pk).update(hotness=999)
        self.traveller.shift(topicsync.LIVE_WINDOW)
        self.lamp(0)
        self.lamp(1)
        with mock.patch.object(topicsync, "MAX_CHANGED", 1):
            self.wait()
        elsewhere.refresh_from_db()
        self.assertLess(elsewhere.hotness, 999)  # regrouped with everything else

    def test_history_and_changes_that_do_not_touch_a_topic_schedule_nothing(self):
        # A case imported with its original time, hours ago, waits for the periodic job.
        self.committed(
            self.register, when=START - dt.timedelta(hours=3), resident=None,
            resident_phone="13900000021",
        )  # fmt: skip
        self.assertEqual(queued(JOB), [])
        case = self.lamp(0)
        self.wait()
        # Dispatching keeps the case open: what the topics hold does not change.
        self.committed(actions.do_dispatch_case, case, actor=self.dispatcher, unit=self.dept_a)
        self.assertEqual(queued(JOB), [])

    def test_a_mark_whose_job_was_lost_is_replaced(self):
        self.lamp(0)
        self.assertEqual(len(queued(JOB)), 1)
        HUEY.storage.flush_queue()  # the job is lost (a restart, a flushed queue)
        self.traveller.shift(dt.timedelta(seconds=30))
        self.lamp(1)
        self.assertEqual(queued(JOB), [])  # the mark says a refresh is waiting
        self.traveller.shift(dt.timedelta(seconds=tasks.STALE_AFTER))
        last = self.lamp(2)
        self.assertEqual(len(queued(JOB)), 1)
        self.wait()
        # The new job covers what the lost one was to cover.
        self.assertEqual(self.topic_of(last).case_count, 3)

    def test_the_periodic_job_still_regroups_everything(self):
        for n in range(2):
            title, text, phone = LAMPS[n]
            self.register(title=title, text=text, resident=None, resident_phone=phone)
        self.assertEqual(queued(JOB), [])  # no commit announced: nothing live
        self.assertEqual(tasks.refresh_case_topics.call_local(), 1)
        self.assertEqual(Topic.objects.filter(active=True).count(), 1)


class AddressIndexTest(LianxinTestCase):
    def test_on_postgresql_the_address_bigram_index_finds_the_candidates(self):
        if connection.vendor != "postgresql":
            self.skipTest("the address bigram index exists on PostgreSQL only")
        case = self.register(grid=None, address="福临苑小区3号楼")
        probe = Probe(title="福临苑小区路灯不亮", address="福临苑小区3号楼")
        self.assertEqual([row["id"] for row in candidate_queryset(probe)], [case.pk])
        with connection.cursor() as cursor:
            # On a table this small PostgreSQL would rather read all or any other index;
            # the test's transaction takes the others away (and gives them back after).
            cursor.execute(
                "SELECT i.indexrelid::regclass::text FROM pg_index i "
                "WHERE i.indrelid = 'cases_case'::regclass AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
            )
            for (name,) in cursor.fetchall():
                if name != "case_open_address_bigrams":
                    cursor.execute(f'DROP INDEX "{name}"')
            cursor.execute("SET LOCAL enable_seqscan = off")
            sql, params = candidate_queryset(probe).query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        self.assertIn("Bitmap Index Scan on case_open_address_bigrams", plan)

    def test_a_closed_case_or_another_estate_is_not_a_candidate_by_address(self):
        lamp = self.register(grid=None, address="福临苑小区3号楼")
        self.register(grid=None, address="青峰花园8号楼")
        closed = self.register(grid=None, address="福临苑小区5号楼")
        actions.do_void_case(closed, actor=self.dispatcher, reason="测试数据")
        probe = Probe(title="福临苑小区路灯不亮", address="福临苑小区3号楼")
        self.assertEqual([row["id"] for row in candidate_queryset(probe)], [lamp.pk])
