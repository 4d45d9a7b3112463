import pytest

from lianxin.open311 import filing, partners, places


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Partners and grid outlines are cached per process; a test's rollback must not leave
    the next test an object from a transaction that no longer exists."""
    partners.clear_cache()
    places.clear_cache()
    filing.clear_cache()
    yield
    partners.clear_cache()
    places.clear_cache()
    filing.clear_cache()
