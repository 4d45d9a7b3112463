"""What every background job shares, whichever app runs it: the progress its page shows,
whether a stopped import may be continued, and the digest that lets an upload join the
job already importing the same file.

It sits low (on Django alone) so that the ledgers' import job and the registers' import
job stand on the same machinery without either app importing the other.
"""

import datetime as dt
import hashlib
from typing import Any

from django.utils import timezone

# An import job that has not moved for this long (its worker died) may be continued.
STALE_AFTER = dt.timedelta(minutes=10)


class Progress:
    """What a job's page shows of it (a job model with `status`, `rows_done`, `rows_total`)."""

    Status: Any  # the job model's own choices, with DONE and FAILED
    status: str
    rows_done: int
    rows_total: int | None

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, self.rows_done * 100 // self.rows_total)


def may_resume(job, now: dt.datetime | None = None) -> bool:
    """Whether an import job (PENDING/RUNNING/DONE/FAILED, `progressed_at`, `created_at`)
    may be continued: a failed one may, and so may an open one that has not moved for a
    while (its worker died, or its message was lost)."""
    if job.status == job.Status.FAILED:
        return True
    if job.status in (job.Status.PENDING, job.Status.RUNNING):
        moved = job.progressed_at or job.created_at
        return moved < (now or timezone.now()) - STALE_AFTER
    return False


def digest_of(upload) -> str:
    """SHA-256 of an uploaded file, read in blocks; the file is left at its start."""
    digest = hashlib.sha256()
    upload.seek(0)
    for block in upload.chunks():
        digest.update(block)
    upload.seek(0)
    return digest.hexdigest()
