"""Values read from the database and kept a while in this process.

Settings, the working-day overrides, partners' keys, the Open311 services and outlines,
the event codes webhooks want: each changes a few times a year and is read on every
request or action. A `Memo` keeps what its loader returned for `seconds` in this
process (per key, for a loader that takes arguments); saving the source row clears this
process's copy at once, the other processes follow within the period.

Every memo registers itself, so that `clear_all()` forgets them all: the tests call it
around each test, since a rolled-back test leaves no save signal behind.
"""

import threading
import time
from collections.abc import Callable, Hashable
from functools import update_wrapper
from typing import Any, Generic, TypeVar

_T = TypeVar("_T")
_memos: list["Memo[Any]"] = []


class Memo(Generic[_T]):
    """`load(*key)`, remembered for `seconds` per key; `keep(value)` says whether a value
    is worth remembering (a key that matched nothing, say, is not)."""

    def __init__(
        self,
        load: Callable[..., _T],
        seconds: float,
        *,
        keep: Callable[[_T], bool] | None = None,
    ) -> None:
        self.load, self.seconds, self.keep = load, seconds, keep
        self._lock = threading.Lock()
        self._entries: dict[tuple[Hashable, ...], tuple[float, _T]] = {}
        update_wrapper(self, load)
        _memos.append(self)

    def __call__(self, *key: Hashable) -> _T:
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and now - entry[0] < self.seconds:
            return entry[1]
        value = self.load(*key)
        if self.keep is None or self.keep(value):
            with self._lock:
                self._entries[key] = (now, value)
        return value

    def clear(self, **signal_kwargs: Any) -> None:
        """Forget every key (accepts a signal's arguments, to be connected directly)."""
        with self._lock:
            self._entries.clear()


def memo(
    seconds: float, *, keep: Callable[[Any], bool] | None = None
) -> Callable[[Callable[..., _T]], Memo[_T]]:
    """Decorate a loader into a `Memo` of `seconds`."""

    def decorate(load: Callable[..., _T]) -> Memo[_T]:
        return Memo(load, seconds, keep=keep)

    return decorate


def clear_all() -> None:
    for each in _memos:
        each.clear()
