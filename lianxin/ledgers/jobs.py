"""Large exports as jobs: queue one, run it (in the Huey consumer), report its progress.

A job rebuilds its ledger from (kind, owner, parameters), so it exports exactly what
the owner would have seen on the page, scoped to him, at the time the job runs.
"""

import datetime as dt
import logging
import tempfile

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from lianxin.ledgers.catalog import KINDS
from lianxin.ledgers.export import csv_lines, file_name, write_xlsx
from lianxin.ledgers.models import ExportJob

log = logging.getLogger(__name__)
# How often (in rows) a running job writes its progress: often enough for the bar to
# move, rarely enough not to cost the export a write per row.
PROGRESS_EVERY = 500
# Finished exports are kept this long, then the job and its file are removed.
KEEP_DAYS = 7


def async_threshold() -> int:
    """Exports of more rows than this run as a job (settings.LEDGER_EXPORT_ASYNC_ROWS)."""
    return settings.LEDGER_EXPORT_ASYNC_ROWS


def params_of(query: QueryDict) -> dict[str, list[str]]:
    return {name: query.getlist(name) for name in query if name != "format"}


def query_of(params: dict[str, list[str]]) -> QueryDict:
    query = QueryDict(mutable=True)
    for name, values in params.items():
        query.setlist(name, list(values))
    return query


def start_export_job(user, kind: str, fmt: str, query: QueryDict, *, title: str, total: int):
    """Record the job and queue it once the record is committed."""
    from lianxin.ledgers.tasks import run_export

    job = ExportJob.objects.create(
        owner=user, kind=kind, format=fmt, params=params_of(query), title=title, rows_total=total
    )
    transaction.on_commit(lambda: run_export(job.pk))
    return job


def run_export_job(job_id: int) -> ExportJob:
    """Write the job's ledger to a file, updating its progress; record a failure, not raise."""
    job = ExportJob.objects.select_related("owner").get(pk=job_id)
    if job.status != ExportJob.Status.PENDING:
        return job  # a retried or duplicated message: the job ran already
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)
    try:
        ledger = KINDS[job.kind].build(job.owner, query_of(job.params))

        def progress(n: int) -> None:
            if n % PROGRESS_EVERY == 0:
                ExportJob.objects.filter(pk=job.pk).update(rows_done=n)

        ledger.on_row = progress
        total = ledger.count
        with tempfile.TemporaryFile() as scratch:
            if job.format == ExportJob.Format.XLSX:
                done = write_xlsx(ledger, scratch)
            else:
                done = 0
                for n, line in enumerate(csv_lines(ledger)):
                    scratch.write(line)
                    done = n  # the first line is the header
            scratch.seek(0)
            job.file.save(file_name(ledger, job.format), File(scratch), save=False)
    except Exception as error:  # the job's owner sees why, the log has the traceback
        log.exception("export job %s failed", job.pk)
        job.status, job.error = ExportJob.Status.FAILED, _("导出失败：%(error)s") % {"error": error}
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        return job
    job.status, job.rows_done, job.rows_total = ExportJob.Status.DONE, done, total
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "rows_done", "rows_total", "file", "finished_at"])
    return job


def remove_expired_jobs(now=None) -> int:
    """Delete jobs (and their files) older than KEEP_DAYS; return how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=KEEP_DAYS)
    expired = list(ExportJob.objects.filter(created_at__lt=cutoff))
    for job in expired:
        if job.file:
            job.file.delete(save=False)
        job.delete()
    return len(expired)
