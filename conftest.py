import datetime as dt
import os

import pytest
import time_machine
from django.utils import translation

from lianxin.cache import clear_all


@pytest.fixture(autouse=True)
def fresh_process_caches():
    # A rolled-back test leaves no save signal behind, so each test starts with every
    # per-process memo (lianxin.cache) empty, and ends by emptying them; Django's cache
    # too, which holds the rate limits' counters.
    from django.core.cache import cache

    clear_all()
    cache.clear()
    yield
    clear_all()
    cache.clear()


@pytest.fixture
def cast(db):
    """The test district, its people and the case builders, for a pytest function."""
    from lianxin.test import Cast

    return Cast()


@pytest.fixture(autouse=True)
def default_language():
    # A request with Accept-Language: en leaves English active in the thread after the
    # response; the next test would then read English where it expects Chinese.
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def job_queue_in_memory():
    # Jobs a test enqueues (notifications, webhooks, …) wait in a queue in memory, which
    # the test may run, and never reach the demo's queue under DATA_DIR.
    from huey.contrib.djhuey import HUEY
    from huey.storage import MemoryStorage

    saved = HUEY.storage
    HUEY.storage = MemoryStorage(HUEY.name)
    yield
    HUEY.storage = saved


def shift_the_clock() -> None:
    """Move the whole process's clock forward by LIANXIN_TEST_CLOCK_SHIFT_DAYS days.

    time-machine patches the clock for every thread, so the live server's threads see the
    same shifted "now" as the test. A test that passes only in the month it was written
    then fails at once, not a year later; tests that travel themselves still can.
    """
    days = os.getenv("LIANXIN_TEST_CLOCK_SHIFT_DAYS", "").strip()
    if not days:
        return
    try:
        shift = dt.timedelta(days=int(days))
    except ValueError:
        message = f"LIANXIN_TEST_CLOCK_SHIFT_DAYS must be whole days, not {days!r}"
        raise pytest.UsageError(message) from None
    time_machine.travel(dt.datetime.now(dt.UTC) + shift, tick=True).start()


def pytest_configure(config):
    from django.conf import settings

    shift_the_clock()

    # The cast logs in with known passwords; a slow hash only slows the suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests that need the word splitter load it themselves; no background thread per worker.
    settings.INTEL_WARM_UP = False


def pytest_report_header(config):
    days = os.getenv("LIANXIN_TEST_CLOCK_SHIFT_DAYS", "").strip()
    if days:
        today = dt.datetime.now(dt.UTC)  # time-machine has moved it already
        return f"clock shifted {days} days ahead: it is {today:%Y-%m-%d %H:%M} UTC for these tests"
