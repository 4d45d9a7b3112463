"""Counting requests per client address, per phone, per day in the shared cache.

A fixed window per limit: the count lives under a key naming the window it belongs to,
and expires with it. The cache must be shared by every process that serves requests
(Redis when REDIS_URL is set, settings.CACHES); the in-process default suits the
single-process demo and the tests, where each worker would otherwise count alone.
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    name: str
    limit: int
    window: int  # seconds

    def hit(self, ident: str) -> bool:
        """Count one use by `ident`; False when that use goes over the limit."""
        if self.limit <= 0:
            return True  # switched off in settings
        key = self._key(ident)
        # add() is a no-op when the key exists; incr() is atomic on Redis and in memory.
        cache.add(key, 0, timeout=self.window + 60)
        try:
            return cache.incr(key) <= self.limit
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=self.window + 60)
            return True

    def exceeded(self, ident: str) -> bool:
        """Whether `ident` has used up this window, without counting a use."""
        return self.limit > 0 and (cache.get(self._key(ident)) or 0) >= self.limit

    def reset(self, ident: str) -> None:
        """Forget `ident`'s uses in the current window."""
        cache.delete(self._key(ident))

    def _key(self, ident: str) -> str:
        return f"rl:{self.name}:{ident}:{int(time.time() // self.window)}"


DAY = 24 * 3600


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or behind a reverse proxy (USE_X_FORWARDED_FOR)
    the address that proxy appended last, the one a client cannot forge."""
    if settings.USE_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")
