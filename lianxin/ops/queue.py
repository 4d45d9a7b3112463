"""What the job queue tells the health check, through Huey's hooks.

Heartbeats: each periodic job that completes leaves the time in Huey's own key-value
store (`lianxin:heartbeat:<name>`), which the web processes read, on whichever host the
consumer runs; `/healthz` reads the overdue scan's.
"""

import time
from typing import Any

from huey.api import PeriodicTask
from huey.contrib.djhuey import HUEY
from huey.signals import SIGNAL_COMPLETE

HEARTBEAT = "lianxin:heartbeat:"
_connected = False


def heartbeat(name: str) -> float | None:
    """When the periodic job `name` last completed (a Unix time), or None."""
    return HUEY.get(HEARTBEAT + name, peek=True)


def beat(name: str, when: float | None = None) -> None:
    HUEY.put(HEARTBEAT + name, time.time() if when is None else when)


def on_complete(signal: str, task: Any, *args: Any, **kwargs: Any) -> None:
    if isinstance(task, PeriodicTask):
        beat(task.name)


def connect() -> None:
    global _connected
    if _connected:
        return
    _connected = True
    HUEY.signal(SIGNAL_COMPLETE)(on_complete)
