"""Imports of forwarded lists as jobs: record one, run it (in the Huey consumer, or in the
request for a small list), resume it after a failure, keep the report.

1. The page checks the upload at once (a spreadsheet, the right columns, some rows, not
   too many: `inspect_list`) and stores it with an `ImportJob`.
2. The job reads the list again and registers its rows a chunk at a time. Each chunk is
   one transaction holding, with the chunk's cases, the chunk's `ImportRow` results and
   the job's checkpoint (`last_row`) and counts: what is committed is always consistent,
   and a failure loses nothing but the chunk it happened in.
3. Run again (the "continue" button, or a second worker), the job skips the rows up to
   its checkpoint; the job row is locked while a chunk is written, so two runs never
   write the same rows. Rows are also idempotent by key, as in any import.
"""

import datetime as dt
import logging
from collections import Counter
from pathlib import PurePath

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from lianxin.cases.actions.common import announced_together
from lianxin.jobs import digest_of
from lianxin.ledgers.catalog import labels
from lianxin.ledgers.export import CHUNK_SIZE, NUMBER, Column, Ledger
from lianxin.ledgers.imports import (
    CREATED,
    DUPLICATE,
    ERROR,
    Importer,
    ListSheet,
    chunked,
)
from lianxin.ledgers.models import ImportJob, ImportRow

log = logging.getLogger(__name__)
# Lists of at most this many rows are imported in the request (settings.LEDGER_IMPORT_SYNC_ROWS):
# a couple of seconds, the report at once, and no wait for the job consumer.
SYNC_ROWS = 200
# Jobs, their reports and the uploaded lists (residents' names and phones) are kept this long.
KEEP_DAYS = 30
OPEN = (ImportJob.Status.PENDING, ImportJob.Status.RUNNING)


def sync_threshold() -> int:
    return getattr(settings, "LEDGER_IMPORT_SYNC_ROWS", SYNC_ROWS)


def start_import_job(user, upload, *, total: int) -> tuple[ImportJob, bool]:
    """Store the checked upload with a new job; return (job, True). The same file uploaded
    again by the same user while its job is still open returns that job and False."""
    digest = digest_of(upload)
    running = ImportJob.objects.filter(owner=user, digest=digest, status__in=OPEN).first()
    if running is not None:
        return running, False
    job = ImportJob(owner=user, name=(upload.name or "")[:200], digest=digest, rows_total=total)
    job.file.save(f"{digest[:16]}.xlsx", upload, save=False)
    job.save()
    return job, True


def queue_import_job(job: ImportJob) -> None:
    """Queue the job once the record is committed (the consumer must be able to read it)."""
    from lianxin.ledgers.tasks import run_import

    transaction.on_commit(lambda: run_import(job.pk))


def resume_import_job(job: ImportJob) -> ImportJob:
    """Queue the job again; it continues after its checkpoint."""
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.PENDING, error="", progressed_at=timezone.now()
    )
    queue_import_job(job)
    job.refresh_from_db()
    return job


def run_import_job(job_id: int) -> ImportJob:
    """Import the job's list after its checkpoint; record a failure on the job, not raise."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status == ImportJob.Status.DONE:
            return job  # a duplicated message: the job is complete
        job.status, job.error, job.progressed_at = ImportJob.Status.RUNNING, "", timezone.now()
        job.save(update_fields=["status", "error", "progressed_at"])
    try:
        _import(job)
    except Exception as error:  # the owner sees why and may continue; the log has the traceback
        log.exception("import job %s failed", job.pk)
        job.refresh_from_db()
        job.status, job.finished_at = ImportJob.Status.FAILED, timezone.now()
        job.error = _(
            "导入在第%(row)d行之后中断：%(error)s。此前的行已导入，可以继续导入其余的行。"
        ) % {"row": job.last_row, "error": error}
        job.save(update_fields=["status", "error", "finished_at"])
        return job
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def _import(job: ImportJob) -> None:
    importer = Importer(actor=job.owner, now=timezone.now())
    with job.file.open("rb") as handle:
        sheet = ListSheet(handle)
        try:
            for chunk in chunked(sheet.data_rows()):
                import_chunk(job, importer, chunk)
        finally:
            sheet.close()


@transaction.atomic
def import_chunk(job: ImportJob, importer: Importer, chunk: list[tuple[int, dict]]) -> None:
    """Import the rows of a chunk after the job's checkpoint, in one transaction with their
    results, the new checkpoint and the counts."""
    # The lock makes a second run of the same job wait here, then see the new checkpoint.
    checkpoint = (
        ImportJob.objects.select_for_update().values_list("last_row", flat=True).get(pk=job.pk)
    )
    importer.remember(row for row in chunk if row[0] <= checkpoint)
    todo = [row for row in chunk if row[0] > checkpoint]
    if not todo:
        return
    with announced_together():
        results = importer.import_chunk(todo)
    ImportRow.objects.bulk_create(
        ImportRow(
            job=job,
            row=result.row,
            outcome=result.outcome,
            title=result.title[:100],
            message=result.message,
            case=result.case,
        )
        for result in results
    )
    counts = Counter(result.outcome for result in results)
    ImportJob.objects.filter(pk=job.pk).update(
        last_row=todo[-1][0],
        rows_done=F("rows_done") + len(results),
        created_count=F("created_count") + counts[CREATED],
        duplicate_count=F("duplicate_count") + counts[DUPLICATE],
        error_count=F("error_count") + counts[ERROR],
        progressed_at=timezone.now(),
    )


def remove_expired_imports(now: dt.datetime | None = None) -> int:
    """Delete finished import jobs older than KEEP_DAYS, with their rows and uploaded files."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=KEEP_DAYS)
    expired = list(ImportJob.objects.filter(created_at__lt=cutoff).exclude(status__in=OPEN))
    for job in expired:
        if job.file:
            job.file.delete(save=False)
        job.delete()
    return len(expired)


def import_report_ledger(job: ImportJob) -> Ledger:
    """The import's report as a ledger: every data row, its fate and its case."""
    outcome = labels(ImportRow.Outcome.choices)
    columns = [
        Column(_("行号"), lambda r: r.row, NUMBER, 8),
        Column(_("结果"), lambda r: outcome.get(r.outcome, r.outcome), width=14),
        Column(_("受理编号"), lambda r: r.case.tracking_number if r.case else "", width=18),
        Column(_("标题"), lambda r: r.title, width=30),
        Column(_("说明"), lambda r: r.message, width=60),
    ]
    rows = job.rows.select_related("case").order_by("row").iterator(chunk_size=CHUNK_SIZE)
    title = _("导入结果-%(name)s") % {"name": PurePath(job.name).stem or job.pk}
    return Ledger(title=title, columns=columns, rows=rows, count=job.rows_done)
