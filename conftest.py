import pytest

from lianxin.orgs.models import clear_settings_cache
from lianxin.workdays.days import clear_cache


@pytest.fixture(autouse=True)
def fresh_process_caches():
    # A rolled-back test leaves no signal behind, so each test starts with clean caches.
    clear_cache()
    clear_settings_cache()
    yield
    clear_cache()
    clear_settings_cache()


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


def pytest_configure(config):
    from django.conf import settings

    # The cast logs in with known passwords; a slow hash only slows the suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests that need the word splitter load it themselves; no background thread per worker.
    settings.INTEL_WARM_UP = False
