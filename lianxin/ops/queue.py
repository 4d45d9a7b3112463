"""What the job queue tells the health check and the logs, through Huey's hooks.

- Heartbeats: each periodic job that completes leaves the time in Huey's own key-value
  store (`lianxin:heartbeat:<name>`), which the web processes read, on whichever host
  the consumer runs; `/healthz` reads the overdue scan's.
- The request id: a job queued while a request is served carries the request's id in a
  keyword argument (`_request_id`, added by the "enqueued" signal in the web process),
  which the consumer takes off again before the job's function runs (a pre-execute
  hook) and logs under until the job ends (lianxin/ops/logs.py).
- Failures: each job that raises is counted in the database (lianxin/ops/metrics.py).
"""

import time
from typing import Any

from huey.api import PeriodicTask
from huey.contrib.djhuey import HUEY
from huey.signals import SIGNAL_COMPLETE, SIGNAL_ENQUEUED, SIGNAL_ERROR

from lianxin.ops import logs, metrics

HEARTBEAT = "lianxin:heartbeat:"
REQUEST_ID = "_request_id"
_connected = False


def heartbeat(name: str) -> float | None:
    """When the periodic job `name` last completed (a Unix time), or None."""
    return HUEY.get(HEARTBEAT + name, peek=True)


def beat(name: str, when: float | None = None) -> None:
    HUEY.put(HEARTBEAT + name, time.time() if when is None else when)


def on_complete(signal: str, task: Any, *args: Any, **kwargs: Any) -> None:
    if isinstance(task, PeriodicTask):
        beat(task.name)


def on_error(signal: str, task: Any, *args: Any, **kwargs: Any) -> None:
    metrics.count_job_failure(task.name)


def on_enqueued(signal: str, task: Any, *args: Any, **kwargs: Any) -> None:
    request_id = logs.current_request_id()
    if request_id and REQUEST_ID not in task.kwargs:
        task.kwargs[REQUEST_ID] = request_id


def before_job(task: Any) -> None:
    request_id = task.kwargs.pop(REQUEST_ID, None) if task.kwargs else None
    # Kept on the task and reset after it: a job run at once (immediate mode) inside a
    # request gives the request its own id back.
    task._lianxin_request_id = (request_id, logs.swap_request_id(request_id))


def after_job(task: Any, task_value: Any, exc: BaseException | None) -> None:
    request_id, token = getattr(task, "_lianxin_request_id", (None, None))
    if token is not None:
        logs.restore_request_id(token)
    if exc is not None and request_id and task.retries:
        task.kwargs[REQUEST_ID] = request_id  # the retry, queued next, keeps it


def connect() -> None:
    global _connected
    if _connected:
        return
    _connected = True
    HUEY.signal(SIGNAL_COMPLETE)(on_complete)
    HUEY.signal(SIGNAL_ENQUEUED)(on_enqueued)
    HUEY.signal(SIGNAL_ERROR)(on_error)
    HUEY.pre_execute("lianxin_request_id")(before_job)
    HUEY.post_execute("lianxin_request_id")(after_job)
