"""The office's import of a 配档表 into a plan, and its template."""

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from lianxin.cases.access import staff_required
from lianxin.errors import WorkflowError
from lianxin.forms import StaffForm
from lianxin.projects.access import access_plan_by_id, require_planner
from lianxin.projects.export import XLSX_TYPE
from lianxin.projects.imports import COLUMNS, import_plan, template
from lianxin.sheets import ImportRefused


class ImportForm(StaffForm):
    file = forms.FileField(label=gettext_lazy("配档表（.xlsx）"))


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def import_view(request, pk):
    require_planner(request.user)
    plan = access_plan_by_id(request.user, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            report = import_plan(form.cleaned_data["file"], plan, actor=request.user)
        except ImportRefused as refused:
            form.add_error("file", refused.message)
        except WorkflowError as error:
            raise Http404 from error
    if form.errors:
        status = 400
    context = {"plan": plan, "form": form, "report": report, "columns": COLUMNS}
    return render(request, "projects/import.html", context, status=status)


@require_safe
@staff_required
def import_template(request):
    require_planner(request.user)
    response = HttpResponse(template(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, _("配档表模板") + ".xlsx")
    return response
