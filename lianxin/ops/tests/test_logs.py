"""Logs as JSON lines with a request id that follows the request into its jobs; Sentry only
with a DSN."""

import json
import logging
import os
import subprocess
import sys

from django.http import HttpResponse
from django.test import RequestFactory, SimpleTestCase, override_settings
from huey.contrib.djhuey import HUEY

from lianxin.ops import logs
from lianxin.ops.logs import JsonFormatter, RequestIdFilter, RequestIdMiddleware

seen: list[tuple[str | None, str]] = []


@HUEY.task()
def note_request_id(text: str) -> str | None:
    """A job as any app's: it knows nothing of request ids."""
    logging.getLogger("lianxin.test.job").info("job %s", text)
    seen.append((logs.current_request_id(), text))
    return logs.current_request_id()


@HUEY.task(retries=1)
def fail_once_then_note() -> None:
    seen.append((logs.current_request_id(), "try"))
    raise RuntimeError("第一次失败")


class Capture(logging.Handler):
    def __init__(self):
        super().__init__()
        self.addFilter(RequestIdFilter())
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


def in_process(env: dict[str, str], script: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "lianxin.settings", **env}
    code = "import django; django.setup()\n" + script
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )


@override_settings(LOG_REQUESTS=True)
class RequestIdTest(SimpleTestCase):
    def setUp(self):
        self.capture = Capture()
        for name in ("lianxin.request", "lianxin.test.job"):
            logger = logging.getLogger(name)
            logger.addHandler(self.capture)
            logger.setLevel(logging.INFO)
            self.addCleanup(logger.removeHandler, self.capture)
        seen.clear()

    def serve(self, view, **headers):
        request = RequestFactory().get("/cases/7/", **headers)
        return RequestIdMiddleware(view)(request)

    def test_the_proxys_id_is_kept_and_returned_else_one_is_made(self):
        response = self.serve(lambda request: HttpResponse(), HTTP_X_REQUEST_ID="f3a9c2-17")
        self.assertEqual(response["X-Request-ID"], "f3a9c2-17")
        (line,) = [json.loads(line) for line in self.capture.lines]
        self.assertEqual(line["request_id"], "f3a9c2-17")
        self.assertEqual((line["method"], line["path"], line["status"]), ("GET", "/cases/7/", 200))
        self.assertIsInstance(line["ms"], float)

        made = self.serve(lambda request: HttpResponse())["X-Request-ID"]
        self.assertRegex(made, r"^[0-9a-f]{32}$")
        forged = self.serve(lambda request: HttpResponse(), HTTP_X_REQUEST_ID='x"\n{"level"')
        self.assertRegex(forged["X-Request-ID"], r"^[0-9a-f]{32}$")
        self.assertIsNone(logs.current_request_id())  # nothing leaks past the request

    def test_the_id_follows_the_request_into_the_job_it_queued(self):
        def view(request):
            note_request_id("导出")
            return HttpResponse()

        self.serve(view, HTTP_X_REQUEST_ID="req-42")
        self.assertIsNone(logs.current_request_id())

        # The consumer: the job comes out of the queue's storage (pickled), runs, and
        # its function never sees the id's keyword argument.
        task = HUEY.dequeue()
        self.assertEqual((task.args, task.kwargs), (("导出",), {"_request_id": "req-42"}))
        self.assertEqual(HUEY.execute(task), "req-42")
        self.assertEqual(seen, [("req-42", "导出")])
        job_line = json.loads(self.capture.lines[-1])
        self.assertEqual(
            (job_line["logger"], job_line["request_id"]), ("lianxin.test.job", "req-42")
        )
        self.assertIsNone(logs.current_request_id())  # and none after the job

        # A job queued outside a request (a periodic one, a command) carries none.
        note_request_id(text="夜间")
        task = HUEY.dequeue()
        self.assertEqual(task.kwargs, {"text": "夜间"})
        self.assertIsNone(HUEY.execute(task))

    def test_a_retried_job_keeps_the_id(self):
        self.serve(
            lambda request: (fail_once_then_note(), HttpResponse())[1], HTTP_X_REQUEST_ID="r-7"
        )
        HUEY.execute(HUEY.dequeue())
        retry = HUEY.dequeue()  # queued again at once (no retry delay)
        self.assertEqual((retry.retries, retry.kwargs), (0, {"_request_id": "r-7"}))
        HUEY.execute(retry)
        self.assertEqual(seen, [("r-7", "try"), ("r-7", "try")])
        self.assertIsNone(logs.current_request_id())


class JsonLinesTest(SimpleTestCase):
    def test_a_production_process_logs_one_json_object_a_line(self):
        done = in_process(
            {"LOG_FORMAT": "json"},
            "import logging\n"
            "try:\n    1 / 0\nexcept ZeroDivisionError:\n"
            "    logging.getLogger('lianxin.x')"
            ".exception('派单失败\\n第二行', extra={'case': 7})\n",
        )
        (line,) = done.stderr.splitlines()
        entry = json.loads(line)
        self.assertEqual(entry["level"], "ERROR")
        self.assertEqual(entry["logger"], "lianxin.x")
        self.assertEqual(entry["message"], "派单失败\n第二行")
        self.assertEqual(entry["case"], 7)
        self.assertIsNone(entry["request_id"])
        self.assertIn("ZeroDivisionError", entry["exception"])

    def test_text_for_a_person(self):
        done = in_process(
            {"LOG_FORMAT": "text"}, "import logging; logging.getLogger('lianxin.x').warning('注意')"
        )
        self.assertRegex(done.stderr, r"WARNING lianxin\.x \[None\] 注意")


class SentryTest(SimpleTestCase):
    SCRIPT = (
        "import sys\n"
        "print('sentry_sdk' in sys.modules)\n"
        "if 'sentry_sdk' in sys.modules:\n"
        "    import sentry_sdk; print(sentry_sdk.get_client().is_active())\n"
    )

    def test_sentry_is_not_imported_without_a_dsn(self):
        self.assertEqual(in_process({}, self.SCRIPT).stdout.split(), ["False"])

    def test_sentry_starts_with_a_dsn(self):
        done = in_process({"SENTRY_DSN": "http://public@127.0.0.1:9/1"}, self.SCRIPT)
        self.assertEqual(done.stdout.split(), ["True", "True"])
