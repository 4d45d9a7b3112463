"""The jobs: registered with Huey, and thin wrappers over the plain functions tested elsewhere."""

import datetime as dt

from django.test import SimpleTestCase
from huey.contrib.djhuey import HUEY

from lianxin.upstream import tasks


class TasksTest(SimpleTestCase):
    def test_the_exchange_is_a_periodic_task_run_every_minute(self):
        for minute in (0, 1, 17, 59):
            moment = dt.datetime(2026, 11, 23, 9, minute)  # noqa: DTZ001  (Huey's clock is naive)
            due = [type(task) for task in HUEY.read_periodic(moment)]
            self.assertIn(tasks.exchange_with_upstream.task_class, due)

    def test_the_push_is_a_queued_task(self):
        registered = HUEY._registry._registry.values()
        self.assertIn(tasks.push_to_upstream.task_class, registered)
        self.assertNotIn(tasks.push_to_upstream.task_class, HUEY._registry._periodic_tasks)
