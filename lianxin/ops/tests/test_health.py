"""/healthz: 200 with every part well, 503 naming each part that is not; no sign-in, no
secrets."""

import datetime as dt
import json

import time_machine
from django.conf import settings
from django.db.utils import ConnectionHandler
from django.test import override_settings
from huey import RedisHuey
from huey.contrib.djhuey import HUEY
from huey.signals import SIGNAL_COMPLETE

from lianxin.cases.tasks import record_overdue_cases
from lianxin.ops import health, queue
from lianxin.test import LianxinTestCase, at
from lianxin.upstream.models import UpstreamSettings

NOW = at(2026, 6, 17, 10)


@time_machine.travel(NOW, tick=False)
class HealthzTest(LianxinTestCase):
    def get(self, url="/healthz"):
        response = self.client.get(url)
        return response.status_code, json.loads(response.content)

    def test_all_well_is_200_without_signing_in_and_without_secrets(self):
        queue.beat("record_overdue_cases")
        with override_settings(SECURE_SSL_REDIRECT=True):  # asked over plain http
            response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertIn("no-cache", response["Cache-Control"])
        self.assertNotIn("sessionid", response.cookies)
        body = json.loads(response.content)
        self.assertEqual(body["status"], "ok")
        self.assertEqual(body["failing"], [])
        self.assertEqual(set(body["checks"]), {"database", "queue", "overdue_scan", "upstream"})
        self.assertEqual(body["checks"]["upstream"], {"ok": True, "enabled": False})
        text = response.content.decode()
        self.assertNotIn(settings.SECRET_KEY, text)
        self.assertNotIn(str(settings.DATABASES["default"]["NAME"]), text)

    def test_the_overdue_scan_never_run_or_late_is_503(self):
        status, body = self.get()
        self.assertEqual(status, 503)
        self.assertEqual(body["failing"], ["overdue_scan"])
        self.assertIsNone(body["checks"]["overdue_scan"]["age_minutes"])

        queue.beat("record_overdue_cases", (NOW - dt.timedelta(minutes=16)).timestamp())
        status, body = self.get()
        self.assertEqual(status, 503)
        self.assertEqual(body["checks"]["overdue_scan"]["age_minutes"], 16.0)
        self.assertEqual(body["checks"]["overdue_scan"]["limit_minutes"], 15)

        # The consumer ran the scan: Huey's "complete" signal leaves its heartbeat. (The
        # job itself closes the database connection, which the test's transaction needs.)
        HUEY._emit(SIGNAL_COMPLETE, record_overdue_cases.s())
        self.assertEqual(queue.heartbeat("record_overdue_cases"), NOW.timestamp())
        self.assertEqual(self.get()[0], 200)

    def test_a_queue_too_long_is_503(self):
        queue.beat("record_overdue_cases")
        for _ in range(3):
            HUEY.storage.enqueue(b"job")
        with override_settings(HEALTHZ_QUEUE_MAX_PENDING=2):
            status, body = self.get()
        self.assertEqual(status, 503)
        self.assertEqual(body["failing"], ["queue"])
        self.assertEqual(body["checks"]["queue"], {"ok": False, "pending": 3, "limit": 2})
        with override_settings(HEALTHZ_QUEUE_MAX_PENDING=0):
            self.assertEqual(self.get()[0], 200)

    def test_an_unreachable_queue_fails_by_name_only(self):
        unreachable = RedisHuey("lianxin-test", url="redis://127.0.0.1:9/0")
        self.assertEqual(health.check_queue(unreachable), {"ok": False, "error": "ConnectionError"})

    def test_an_unreachable_database_fails_by_name_only(self):
        broken = dict(settings.DATABASES["default"])
        if broken["ENGINE"].endswith("sqlite3"):
            broken["NAME"] = "/nonexistent/directory/lianxin.sqlite3"
        else:
            broken.update(HOST="127.0.0.1", PORT="9")
        connection = ConnectionHandler({"default": broken})["default"]
        self.addCleanup(connection.close)
        self.assertEqual(
            health.check_database(connection), {"ok": False, "error": "OperationalError"}
        )
        self.assertTrue(health.check_database()["ok"])

    def test_the_city_platform_silent_too_long_is_503(self):
        queue.beat("record_overdue_cases")
        config = UpstreamSettings.load()
        config.enabled, config.base_url, config.poll_minutes = True, "https://12345.example", 5
        config.last_pull_ok_at = NOW - dt.timedelta(minutes=61)
        config.pull_failures = 7
        config.save()
        status, body = self.get()
        self.assertEqual(status, 503)
        self.assertEqual(body["failing"], ["upstream"])
        self.assertEqual(
            body["checks"]["upstream"],
            {"ok": False, "age_minutes": 61.0, "limit_minutes": 60, "enabled": True, "failures": 7},
        )
        self.assertNotIn("12345.example", json.dumps(body))
        # Polling every half hour, three intervals are allowed.
        UpstreamSettings.objects.update(poll_minutes=30)
        self.assertEqual(self.get()[0], 200)
        UpstreamSettings.objects.update(poll_minutes=5, last_pull_ok_at=None)
        self.assertEqual(self.get()[1]["checks"]["upstream"]["age_minutes"], None)
        UpstreamSettings.objects.update(enabled=False)
        self.assertEqual(self.get()[0], 200)

    def test_a_load_balancer_may_ask_for_some_checks_only(self):
        status, body = self.get("/healthz?check=database,queue")
        self.assertEqual(status, 200)
        self.assertEqual(set(body["checks"]), {"database", "queue"})
