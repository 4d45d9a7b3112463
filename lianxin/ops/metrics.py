"""Metrics in Prometheus' text format at /metrics, for an operator's graphs and alerts.

Requests and latency by view are counted by a middleware in each process with
prometheus_client. gunicorn runs several worker processes and a scrape reaches one of
them: with `PROMETHEUS_MULTIPROC_DIR` set (deploy/lianxin-web.service does), every worker
writes its counts to files there and /metrics adds them up, so the numbers are the
service's, not one worker's. Without it (the demo, runserver) they are the one
process's own.

What is counted elsewhere is read when scraped: the queue's depth from Huey's storage,
job failures from the database (the consumers count them there, on any host), open and
overdue cases, and the age of the overdue scan's heartbeat.
"""

import hmac
import os
import time
from collections.abc import Iterator

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.db.models import F
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from huey.contrib.djhuey import HUEY
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

REQUESTS = Counter(
    "lianxin_http_requests",
    "Requests answered, by view, method and status.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "lianxin_http_request_duration_seconds",
    "Time to answer a request, by view.",
    ["view"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


class MetricsMiddleware:
    """Counts every request by the name of the view that answered it (the pattern, never
    the address: /cases/7/ and /cases/8/ are one series)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name or "") if match else ""
        view = view or ("unmatched" if response.status_code == 404 else "other")
        REQUESTS.labels(view, request.method, str(response.status_code)).inc()
        LATENCY.labels(view).observe(time.perf_counter() - started)
        return response


def count_job_failure(task: str) -> None:
    """In the consumer, for Huey's "error" signal: one more failure of `task`."""
    from lianxin.ops.models import JobFailure

    now = timezone.now()
    try:
        if not JobFailure.objects.filter(task=task).update(
            failures=F("failures") + 1, last_failed_at=now
        ):
            try:
                with transaction.atomic():
                    JobFailure.objects.create(task=task, failures=1, last_failed_at=now)
            except IntegrityError:  # another consumer counted the first one
                JobFailure.objects.filter(task=task).update(
                    failures=F("failures") + 1, last_failed_at=now
                )
    finally:
        # The consumer's thread gives back the connection it opened, as Huey's db_task
        # does (not inside a transaction: a test's, or a job run at once in a request).
        if not connection.in_atomic_block:
            close_old_connections()


class StateCollector(Collector):
    """What the database and the queue say at the moment of the scrape."""

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        from lianxin.cases.models import FINAL_STATUSES, Case
        from lianxin.cases.queues import Moments, overdue
        from lianxin.ops import queue
        from lianxin.ops.models import JobFailure

        pending = GaugeMetricFamily("lianxin_queue_pending_jobs", "Jobs waiting in the queue.")
        pending.add_metric([], HUEY.pending_count())
        yield pending
        scheduled = GaugeMetricFamily(
            "lianxin_queue_scheduled_jobs", "Jobs waiting for their time (retries, delays)."
        )
        scheduled.add_metric([], HUEY.scheduled_count())
        yield scheduled

        failures = CounterMetricFamily(
            "lianxin_job_failures", "Jobs that raised an error, by job.", labels=["task"]
        )
        for task, count in JobFailure.objects.values_list("task", "failures"):
            failures.add_metric([task], count)
        yield failures

        now = timezone.now()
        open_cases = Case.objects.exclude(status__in=FINAL_STATUSES)
        cases = GaugeMetricFamily("lianxin_open_cases", "Cases not yet closed.")
        cases.add_metric([], open_cases.count())
        yield cases
        late = GaugeMetricFamily(
            "lianxin_overdue_cases", "Open cases past their reply or resolution deadline."
        )
        late.add_metric([], open_cases.filter(overdue(Moments(now, now))).count())
        yield late

        last = queue.heartbeat("record_overdue_cases")
        scan = GaugeMetricFamily(
            "lianxin_overdue_scan_age_seconds",
            "Seconds since the overdue scan last completed (absent: never).",
        )
        if last is not None:
            scan.add_metric([], max(0.0, time.time() - last))
        yield scan


def registry(*, state: bool = True) -> CollectorRegistry:
    """The requests' series (summed over the processes in multiprocess mode) and, with
    `state`, what the database and the queue say now."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        combined = CollectorRegistry()
        MultiProcessCollector(combined)
    else:
        combined = CollectorRegistry()
        combined.register(REQUESTS)
        combined.register(LATENCY)
    if state:
        combined.register(StateCollector())
    return combined


@never_cache
def metrics(request):
    """For the scraper only: `Authorization: Bearer <METRICS_TOKEN>`. Anything else, and
    every request while no token is set, is not found."""
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if not token or not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        raise Http404
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
