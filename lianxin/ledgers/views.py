"""Exports of the lists as ledgers, the pages of export jobs, and importing a forwarded list."""

import tempfile

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lianxin.cases.access import staff_required, standing_of
from lianxin.jobs import may_resume
from lianxin.ledgers.brief import build_brief, parse_month
from lianxin.ledgers.catalog import KINDS
from lianxin.ledgers.disclosures import described, disclosures
from lianxin.ledgers.export import CSV_TYPE, XLSX_TYPE, csv_lines, file_name, write_xlsx
from lianxin.ledgers.import_jobs import (
    import_report_ledger,
    queue_import_job,
    resume_import_job,
    run_import_job,
    start_import_job,
    sync_threshold,
)
from lianxin.ledgers.imports import (
    COLUMNS,
    MAX_ROWS,
    ImportRefused,
    inspect_list,
    write_template,
)
from lianxin.ledgers.jobs import async_threshold, start_export_job
from lianxin.ledgers.models import ExportJob, ImportJob, ImportRow
from lianxin.ledgers.pdf import brief_pdf
from lianxin.sendfile import file_response
from lianxin.workdays.days import local_date

STREAM_BLOCK = 64 * 1024
RECENT_IMPORTS = 10
# The report page lists this many rows of each kind; the .xlsx report has them all.
REPORT_ROWS_SHOWN = 200
DISCLOSURES_PER_PAGE = 50


@login_required
def export(request, kind: str, fmt: str):
    """A list as .xlsx or CSV, with the page's own filters in the query string. Up to the
    threshold it streams now; beyond it a job writes the file and a page shows progress."""
    if kind not in KINDS or fmt not in ExportJob.Format.values:
        raise Http404
    ledger = KINDS[kind].build(request.user, request.GET)
    if ledger.count is not None and ledger.count > async_threshold():
        job = start_export_job(
            request.user, kind, fmt, request.GET, title=ledger.title, total=ledger.count
        )
        return redirect("ledgers:job", pk=job.pk)
    name = file_name(ledger, fmt)
    if fmt == ExportJob.Format.CSV:
        response = StreamingHttpResponse(csv_lines(ledger), content_type=CSV_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
        return response
    # openpyxl needs the whole zip before the first byte can go out: write it to a
    # temporary file (rows stream into it), then stream the file in blocks.
    scratch = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    write_xlsx(ledger, scratch)
    scratch.seek(0)
    response = FileResponse(scratch, as_attachment=True, filename=name, content_type=XLSX_TYPE)
    response.block_size = STREAM_BLOCK
    return response


def _own_job(request, pk) -> ExportJob:
    # Someone else's job is "not found", like a missing one.
    return get_object_or_404(ExportJob, pk=pk, owner=request.user)


@login_required
def job(request, pk):
    """A job's progress; htmx polls the fragment until the file is ready."""
    job = _own_job(request, pk)
    template = "ledgers/_job.html" if request.headers.get("HX-Request") else "ledgers/job.html"
    return render(request, template, {"job": job})


@login_required
def job_download(request, pk):
    job = _own_job(request, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    name = f"{job.title}-{job.created_at:%Y%m%d-%H%M}.{job.format}"
    content_type = XLSX_TYPE if job.format == ExportJob.Format.XLSX else CSV_TYPE
    # Streamed here, or by nginx with MEDIA_ACCEL_REDIRECT (lianxin/sendfile.py).
    return file_response(job.file, as_attachment=True, filename=name, content_type=content_type)


@staff_required
def jobs(request):
    """The user's own recent export jobs."""
    found = ExportJob.objects.filter(owner=request.user)[:30]
    return render(request, "ledgers/jobs.html", {"jobs": found})


class ImportForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    file = forms.FileField(
        label=gettext_lazy("转办清单（.xlsx）"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )


def _may_import(user) -> bool:
    # The coordination office registers forwarded lists; it is the office's own intake.
    return standing_of(user).office


@login_required
def import_cases_view(request):
    """Upload a forwarded problem list. The file is checked at once; its rows are imported
    by a job (in the request for a small list), whose page shows progress and the report."""
    if not _may_import(request.user):
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            total = inspect_list(upload)
        except ImportRefused as refused:
            form.add_error("file", refused.message)
        else:
            job, new = start_import_job(request.user, upload, total=total)
            if new and total <= sync_threshold():
                run_import_job(job.pk)
            elif new:
                queue_import_job(job)
            return redirect("ledgers:import_job", pk=job.pk)
    recent = ImportJob.objects.filter(owner=request.user)[:RECENT_IMPORTS]
    return render(
        request,
        "ledgers/import.html",
        {"form": form, "columns": COLUMNS, "max_rows": MAX_ROWS, "recent": recent},
    )


def _own_import(request, pk) -> ImportJob:
    # Someone else's import is "not found", like a missing one.
    if not _may_import(request.user):
        raise Http404
    return get_object_or_404(ImportJob, pk=pk, owner=request.user)


@login_required
def import_job(request, pk):
    """An import's progress and, once it is finished, its report; htmx polls the fragment
    until then."""
    job = _own_import(request, pk)
    context = {"job": job, "may_resume": may_resume(job), "shown": REPORT_ROWS_SHOWN}
    if job.finished:
        rows = job.rows.select_related("case")
        Outcome = ImportRow.Outcome
        context["errors"] = rows.filter(outcome=Outcome.ERROR)[:REPORT_ROWS_SHOWN]
        context["created"] = rows.filter(outcome=Outcome.CREATED).select_related(
            "case__grid", "case__category"
        )[:REPORT_ROWS_SHOWN]
        context["duplicates"] = rows.filter(outcome=Outcome.DUPLICATE)[:REPORT_ROWS_SHOWN]
    fragment = request.headers.get("HX-Request")
    template = "ledgers/_import_job.html" if fragment else "ledgers/import_job.html"
    return render(request, template, context)


@login_required
@require_POST
def import_job_resume(request, pk):
    """Continue an import that stopped: it picks up after the last row it committed."""
    job = _own_import(request, pk)
    if may_resume(job):
        resume_import_job(job)
    return redirect("ledgers:import_job", pk=job.pk)


@login_required
def import_job_report(request, pk):
    """Every row of the list and what became of it, as .xlsx."""
    job = _own_import(request, pk)
    ledger = import_report_ledger(job)
    scratch = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    write_xlsx(ledger, scratch)
    scratch.seek(0)
    name = file_name(ledger, "xlsx")
    response = FileResponse(scratch, as_attachment=True, filename=name, content_type=XLSX_TYPE)
    response.block_size = STREAM_BLOCK
    return response


@login_required
def import_template(request):
    """The .xlsx template of a forwarded list, for the office and administrators."""
    if not (_may_import(request.user) or request.user.is_staff):
        raise Http404
    scratch = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    write_template(scratch)
    scratch.seek(0)
    return FileResponse(
        scratch, as_attachment=True, filename=_("诉求导入模板.xlsx"), content_type=XLSX_TYPE
    )


def _brief(request):
    """The brief of the month asked for (`?month=2026-03`), last month by default; for those
    who see the whole district: the office, leaders and administrators."""
    if not standing_of(request.user).sees_whole_district:
        raise Http404
    month = parse_month(request.GET.get("month"), local_date(timezone.now()))
    return build_brief(request.user, month)


@login_required
def disclosure_log(request):
    """Who saw which resident's unmasked data, when and where: for the office and
    administrators (404 for anyone else)."""
    form, rows = disclosures(request.user, request.GET)
    page = Paginator(rows, DISCLOSURES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "rows": described(page), "query": query.urlencode()}
    return render(request, "ledgers/disclosures.html", context)


@login_required
def brief(request):
    """The monthly brief as a printable page."""
    found = _brief(request)
    return render(request, "ledgers/brief.html", {"brief": found})


@login_required
def brief_pdf_view(request):
    found = _brief(request)
    scratch = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    brief_pdf(found, scratch)
    scratch.seek(0)
    name = _("连心工作简报-%(month)s.pdf") % {"month": found.month.strftime("%Y-%m")}
    return FileResponse(scratch, as_attachment=False, filename=name, content_type="application/pdf")
