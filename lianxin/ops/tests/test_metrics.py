"""/metrics: Prometheus' text format for the holder of METRICS_TOKEN, not found for anyone
else; requests by view, the queue, job failures, open and overdue cases."""

import os
import shutil
import subprocess
import sys
import tempfile

import time_machine
from django.test import SimpleTestCase, override_settings
from huey.contrib.djhuey import HUEY
from prometheus_client.parser import text_string_to_metric_families

from lianxin.cases import actions
from lianxin.ops import queue
from lianxin.ops.models import JobFailure
from lianxin.test import LianxinTestCase, at

TOKEN = "s3cret-scraper-token"
NOW = at(2026, 6, 17, 10)


@HUEY.task()
def fail_on_purpose() -> None:
    raise RuntimeError("测试用的失败")


def samples(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


@time_machine.travel(NOW, tick=False)
@override_settings(METRICS_TOKEN=TOKEN)
class MetricsTest(LianxinTestCase):
    def scrape(self) -> dict[tuple[str, tuple], float]:
        response = self.client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("text/plain; version="))
        return samples(response.content.decode())

    def test_only_the_token_opens_it(self):
        self.assertEqual(self.client.get("/metrics").status_code, 404)
        wrong = self.client.get("/metrics", HTTP_AUTHORIZATION="Bearer guess")
        self.assertEqual(wrong.status_code, 404)
        self.client.force_login(self.dispatcher)  # signing in is not the token
        self.assertEqual(self.client.get("/metrics").status_code, 404)
        with override_settings(METRICS_TOKEN=""):
            unset = self.client.get("/metrics", HTTP_AUTHORIZATION="Bearer ")
            self.assertEqual(unset.status_code, 404)

    def test_requests_and_latency_by_view(self):
        key = (
            "lianxin_http_requests_total",
            (("method", "GET"), ("status", "200"), ("view", "login")),
        )
        count = ("lianxin_http_request_duration_seconds_count", (("view", "login"),))
        missing = (
            "lianxin_http_requests_total",
            (("method", "GET"), ("status", "404"), ("view", "unmatched")),
        )
        before = self.scrape()
        self.client.get("/login/")
        self.client.get("/login/")
        self.client.get("/no/such/page/")
        after = self.scrape()
        self.assertEqual(after[key] - before.get(key, 0), 2)
        self.assertEqual(after[count] - before.get(count, 0), 2)
        self.assertEqual(after[missing] - before.get(missing, 0), 1)

    def test_the_queue_failures_and_the_cases(self):
        late = self.register(when=at(2026, 5, 6))  # its reply was due in May
        self.register()
        closed = self.register(when=at(2026, 5, 6))
        actions.do_void_case(closed, actor=self.dispatcher, reason="测试数据")
        HUEY.storage.enqueue(b"job")
        HUEY.storage.enqueue(b"job")
        for _ in range(2):  # as the consumer runs it: the error signal counts it
            HUEY.execute(fail_on_purpose.s())
        queue.beat("record_overdue_cases", NOW.timestamp() - 90)

        got = self.scrape()
        self.assertEqual(got[("lianxin_open_cases", ())], 2)
        self.assertEqual(got[("lianxin_overdue_cases", ())], 1)
        self.assertEqual(got[("lianxin_queue_pending_jobs", ())], 2)
        self.assertEqual(got[("lianxin_job_failures_total", (("task", "fail_on_purpose"),))], 2)
        self.assertEqual(got[("lianxin_overdue_scan_age_seconds", ())], 90)
        self.assertEqual(JobFailure.objects.get().failures, 2)
        # Administrators read the same count in the admin, and cannot edit it.
        self.client.force_login(self.admin)
        page = self.client.get("/admin/ops/jobfailure/")
        self.assertContains(page, "fail_on_purpose")
        self.assertEqual(self.client.get("/admin/ops/jobfailure/add/").status_code, 403)
        self.assertIsNotNone(late.reply_due_at)


def run(env: dict[str, str], script: str) -> str:
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "lianxin.settings", **env}
    code = "import django; django.setup()\n" + script
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout


class MultiProcessTest(SimpleTestCase):
    def test_gunicorns_workers_are_added_up(self):
        shared = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, shared)
        env = {"PROMETHEUS_MULTIPROC_DIR": shared}
        count = (
            "from lianxin.ops.metrics import REQUESTS\n"
            "REQUESTS.labels('login', 'GET', '200').inc({})"
        )
        run(env, count.format(2))  # one worker
        run(env, count.format(3))  # another
        text = run(
            env,
            "from prometheus_client import generate_latest\n"
            "from lianxin.ops.metrics import registry\n"
            "print(generate_latest(registry(state=False)).decode())",
        )
        got = samples(text)
        key = (
            "lianxin_http_requests_total",
            (("method", "GET"), ("status", "200"), ("view", "login")),
        )
        self.assertEqual(got[key], 5)
