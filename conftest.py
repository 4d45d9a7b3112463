import pytest

from lianxin.workdays.days import clear_cache


@pytest.fixture(autouse=True)
def fresh_working_day_overrides():
    # A rolled-back test leaves no post_delete signal behind, so start each test clean.
    clear_cache()
    yield
    clear_cache()


def pytest_configure(config):
    from django.conf import settings

    # The cast logs in with known passwords; a slow hash only slows the suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
