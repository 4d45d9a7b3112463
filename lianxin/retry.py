"""Back-off, and the attempt bookkeeping of rows that are sent to the outside world.

Three outboxes retry: text messages (`lianxin.notify.outbox`), webhook deliveries
(`lianxin.webhooks.sending`) and pushes to the city platform (`lianxin.upstream.push`,
whose schedule the upstream pull shares). What they have in common lives here:

1. `Backoff`: the schedule, `first` seconds after the first failure, doubling, at most
   `cap`; after `max_attempts` attempts a row is given up (None: never). No jitter: none
   of the three ever had one, and their tests pin the exact delays.
2. `claim`, `record_failure` and `sweep`, for rows that move pending → sending → done
   or failed (messages and deliveries): a claim is a conditional UPDATE, so two workers
   never send the same row, and the sweep puts back rows whose worker died mid-send.

The upstream outbox claims differently (a lease on `next_attempt_at`, no sending state:
its head-of-line query needs a row to stay pending while it is out, and an expired lease
frees a dead worker's row without a sweep), so it shares the schedule only, through
`UpstreamSettings.backoff` (the administrator sets its cap; it never gives up).
"""

import dataclasses
import datetime as dt
from typing import Any, TypeAlias

from django.db.models import Q
from django.utils import timezone

# An outbox model: `Status` with PENDING, SENDING and FAILED, and the fields `status`,
# `attempts`, `last_error` and `next_attempt_at`. Two unrelated models, so no base to name.
Outbox: TypeAlias = Any

# A row claimed longer ago than this was in a worker that died. Far longer than a send
# may take: every send has a timeout of seconds.
STUCK_AFTER = dt.timedelta(minutes=10)
# The sweep leaves a just-due row to the job already queued for it.
SWEEP_GRACE = dt.timedelta(minutes=2)
SWEEP_BATCH = 1000
ERROR_LENGTH = 2000


@dataclasses.dataclass(frozen=True)
class Backoff:
    first: int  # seconds
    cap: int  # seconds
    max_attempts: int | None = None

    def delay(self, attempts: int) -> int:
        """Seconds to wait after the `attempts`-th failure in a row (0 after none)."""
        if attempts <= 0:
            return 0
        # The exponent is bounded so that a row failing for months makes no huge number.
        return min(self.first * 2 ** min(attempts - 1, 32), self.cap)

    def next_delay(self, attempts: int) -> int | None:
        """The delay after `attempts` failures, or None when the row is given up."""
        if self.max_attempts is not None and attempts >= self.max_attempts:
            return None
        return self.delay(attempts)


def claim(model: Outbox, pk: int, now: dt.datetime) -> bool:
    """Move a due pending row to sending; False when it is not due or not ours to send.

    `next_attempt_at` becomes the claim's time, for the sweep to tell a dead worker's
    row (see `STUCK_AFTER`)."""
    status = model.Status
    return bool(
        model.objects.filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
            pk=pk,
            status=status.PENDING,
        ).update(status=status.SENDING, next_attempt_at=now)
    )


def record_failure(
    model: Outbox, pk: int, attempts: int, error: str, backoff: Backoff, **fields
) -> int | None:
    """Record the `attempts`-th failed attempt of a claimed row: pending again after the
    back-off, or failed once its attempts are spent. Returns the delay, or None."""
    delay = backoff.next_delay(attempts)
    model.objects.filter(pk=pk).update(
        status=model.Status.FAILED if delay is None else model.Status.PENDING,
        attempts=attempts,
        last_error=error[:ERROR_LENGTH],
        # From the end of the attempt, not its start: a slow failure waits the full delay.
        next_attempt_at=None if delay is None else timezone.now() + dt.timedelta(seconds=delay),
        **fields,
    )
    return delay


def sweep(model: Outbox, now: dt.datetime) -> list[int]:
    """Put back rows stuck mid-send; return the ids of those due for an attempt."""
    status = model.Status
    model.objects.filter(status=status.SENDING, next_attempt_at__lt=now - STUCK_AFTER).update(
        status=status.PENDING
    )
    due = model.objects.filter(status=status.PENDING, next_attempt_at__lte=now - SWEEP_GRACE)
    return list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:SWEEP_BATCH])
