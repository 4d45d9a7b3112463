"""Register imports as background jobs: record one, run it (in the Huey consumer), resume
it after a stop, keep its refused rows.

The same machinery as the forwarded-list import (`lianxin.ledgers.import_jobs`), with a
model of the registry's own: the registry stands below the ledgers and may not import
them, and its counts (created, updated, unchanged) and units (a household's rows) differ.

1. The page checks the upload at once (`registry.imports.read_short_list`: a spreadsheet
   of this kind, its header, more rows than the page imports itself) and stores it with a
   `RegistryImportJob`; the same file uploaded again by the same user while its job is
   open joins that job. The job counts the rows when it reads the whole list.
2. The job reads the list again, cuts it into the same units (`units_of`) and imports
   them a chunk at a time. Each chunk is one transaction holding the chunk's households,
   its refused rows, the job's checkpoint (`units_done`) and its counts: what is
   committed is always consistent, and a failure loses nothing but its chunk.
3. Run again (the "continue" button, or a second worker), the job skips the units up to
   its checkpoint; the job row is locked while a chunk is written, so two runs never
   write the same units. The saves are idempotent besides.
"""

import datetime as dt
import logging
from collections import Counter

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from lianxin.jobs import digest_of
from lianxin.registry.imports import (
    MAX_ROWS,
    Importer,
    chunk_size,
    chunked,
    read_list,
    units_of,
)
from lianxin.registry.models import RegistryImportJob, RegistryImportRow

log = logging.getLogger(__name__)
# Jobs, their refused rows and the uploaded lists (residents' names and phones) are kept
# this long.
KEEP_DAYS = 30
OPEN = (RegistryImportJob.Status.PENDING, RegistryImportJob.Status.RUNNING)


def start_import_job(user, kind: str, upload) -> tuple[RegistryImportJob, bool]:
    """Store the checked upload with a new job; return (job, True). The same file of the
    same kind uploaded again by the same user while its job is open returns that job and
    False."""
    digest = digest_of(upload)
    running = RegistryImportJob.objects.filter(
        owner=user, kind=kind, digest=digest, status__in=OPEN
    ).first()
    if running is not None:
        return running, False
    job = RegistryImportJob(owner=user, kind=kind, name=(upload.name or "")[:200], digest=digest)
    job.file.save(f"{digest[:16]}.xlsx", upload, save=False)
    job.save()
    return job, True


def queue_import_job(job: RegistryImportJob) -> None:
    """Queue the job once its record is committed (the consumer must be able to read it)."""
    from lianxin.registry.tasks import run_registry_import

    transaction.on_commit(lambda: run_registry_import(job.pk))


def resume_import_job(job: RegistryImportJob) -> RegistryImportJob:
    """Queue the job again; it continues after its checkpoint."""
    RegistryImportJob.objects.filter(pk=job.pk).update(
        status=RegistryImportJob.Status.PENDING, error="", progressed_at=timezone.now()
    )
    queue_import_job(job)
    job.refresh_from_db()
    return job


def run_import_job(job_id: int) -> RegistryImportJob:
    """Import the job's list after its checkpoint; record a failure on the job, not raise."""
    with transaction.atomic():
        job = RegistryImportJob.objects.select_for_update().get(pk=job_id)
        if job.status == RegistryImportJob.Status.DONE:
            return job  # a duplicated message: the job is complete
        job.status, job.error = RegistryImportJob.Status.RUNNING, ""
        job.progressed_at = timezone.now()
        job.save(update_fields=["status", "error", "progressed_at"])
    try:
        _import(job)
    except Exception as error:  # the owner sees why and may continue; the log has the traceback
        log.exception("registry import job %s failed", job.pk)
        job.refresh_from_db()
        job.status, job.finished_at = RegistryImportJob.Status.FAILED, timezone.now()
        job.error = _(
            "导入在处理%(rows)d行之后中断：%(error)s。此前的行已导入，可以继续导入其余的行。"
        ) % {"rows": job.rows_done, "error": error}
        job.save(update_fields=["status", "error", "finished_at"])
        return job
    RegistryImportJob.objects.filter(pk=job.pk).update(
        status=RegistryImportJob.Status.DONE, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def _import(job: RegistryImportJob) -> None:
    with job.file.open("rb") as handle:
        rows = read_list(job.kind, handle, max_rows=MAX_ROWS)
    units, per_person = units_of(job.kind, rows)
    if job.rows_total != len(rows):  # known once the job has read the whole list
        job.rows_total = len(rows)
        job.save(update_fields=["rows_total"])
    del rows  # the units hold the same rows
    importer = Importer(job.kind, actor=job.owner, per_person=per_person)
    size = chunk_size(job.kind)
    for start, chunk in enumerate(chunked(units, size)):
        import_chunk(job, importer, chunk, first=start * size)


@transaction.atomic
def import_chunk(job: RegistryImportJob, importer: Importer, chunk: list, *, first: int) -> None:
    """Import the units of a chunk after the job's checkpoint (`first` is the index of the
    chunk's first unit), in one transaction with the refused rows, the new checkpoint and
    the counts."""
    # The lock makes a second run of the same job wait here, then see the new checkpoint.
    done = (
        RegistryImportJob.objects.select_for_update()
        .values_list("units_done", flat=True)
        .get(pk=job.pk)
    )
    todo = chunk[max(0, done - first) :]
    if not todo:
        return
    results = importer.save_chunk(todo)
    RegistryImportRow.objects.bulk_create(
        RegistryImportRow(job=job, row=r.row, label=r.label[:200], message=r.message)
        for r in results
        if r.outcome == "error"
    )
    counts = Counter(result.outcome for result in results)
    RegistryImportJob.objects.filter(pk=job.pk).update(
        units_done=first + len(chunk),
        rows_done=F("rows_done") + len(results),
        created_count=F("created_count") + counts["created"],
        updated_count=F("updated_count") + counts["updated"],
        unchanged_count=F("unchanged_count") + counts["unchanged"],
        error_count=F("error_count") + counts["error"],
        progressed_at=timezone.now(),
    )


def remove_expired_imports(now: dt.datetime | None = None) -> int:
    """Delete finished jobs older than KEEP_DAYS, with their rows and uploaded files."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=KEEP_DAYS)
    expired = list(RegistryImportJob.objects.filter(created_at__lt=cutoff).exclude(status__in=OPEN))
    for job in expired:
        if job.file:
            job.file.delete(save=False)
        job.delete()
    return len(expired)
