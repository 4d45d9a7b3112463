"""Staff pages of the registers: the household list and card, the pair list, the import.

Every page starts from `lianxin.registry.access`: a household or pair outside the user's
scope is a 404, phones and tags are masked unless the user's work needs them, and every
unmasked view is logged.
"""

from collections import defaultdict
from pathlib import PurePath
from typing import cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Model, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from openpyxl import Workbook

from lianxin.cases.access import standing_of
from lianxin.cases.models import Case
from lianxin.cases.rules import WorkflowError
from lianxin.jobs import may_resume
from lianxin.orgs.models import DistrictSettings, Unit
from lianxin.registry import idnumbers, rules
from lianxin.registry.access import (
    access_household_by_id,
    household_scope,
    households_visible_to,
    log_unmasked,
    pairs_visible_to,
    personal_data_household_ids,
    personal_data_scope,
    sees_personal_data,
    shown_phone,
)
from lianxin.registry.actions import do_decide_correction, do_propose_correction, pair_warnings
from lianxin.registry.actions.corrections import CORRECTABLE
from lianxin.registry.import_jobs import (
    queue_import_job,
    resume_import_job,
    start_import_job,
)
from lianxin.registry.imports import (
    COLUMNS,
    KIND_LABELS,
    KINDS,
    import_rows,
    read_short_list,
    write_template,
)
from lianxin.registry.models import (
    Building,
    HeardCase,
    Household,
    HouseholdCorrection,
    Pair,
    PairMember,
    RegistryEvent,
    RegistryImportJob,
    Resident,
    Tag,
    Visit,
)
from lianxin.sheets import ImportRefused

PER_PAGE = 50
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A list longer than this is imported by a job (settings.REGISTRY_IMPORT_PAGE_ROWS).
PAGE_IMPORT_ROWS = 1000
RECENT_IMPORTS = 10
# The job page lists this many refused rows; the .xlsx has them all.
REPORT_ROWS_SHOWN = 200
EVENT_LABELS = {
    "registry.correction.proposed": gettext_lazy("提出信息更正"),
    "registry.correction.rejected": gettext_lazy("更正未采纳"),
    "registry.household.created": gettext_lazy("建档"),
    "registry.household.updated": gettext_lazy("信息更新"),
    "registry.household.pair_assigned": gettext_lazy("分配联户组"),
    "registry.household.corrected": gettext_lazy("更正已采纳"),
}
FIELD_LABELS = {
    field.name: field.verbose_name
    for field in Household._meta.fields
    if field.name not in ("id", "address_key")
} | {"residents": gettext_lazy("家庭成员")}
PERSONAL_FIELDS = {"phone"}


def _may_see_registers(user) -> bool:
    standing = standing_of(user)
    return bool(
        standing.sees_whole_district
        or standing.area_unit_ids
        or standing.department_ids
        or PairMember.objects.filter(cadre__user=user, until__isnull=True).exists()
    )


class HouseholdFilters(forms.Form):
    community = forms.ChoiceField(label=gettext_lazy("社区/村"), required=False)
    grid = forms.ChoiceField(label=gettext_lazy("网格"), required=False)
    pair = forms.ChoiceField(label=gettext_lazy("联户组"), required=False)
    tag = forms.ChoiceField(label=gettext_lazy("人员标签"), required=False)
    q = forms.CharField(label=gettext_lazy("地址或户主"), required=False, max_length=50)

    def __init__(self, *args, user, sees_tags: bool, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        scope = household_scope(user)
        everyone = [("", _("全部"))]
        visible = Household.objects.filter(scope)
        communities = Unit.objects.filter(pk__in=visible.values("community")).order_by("name")
        grids = Unit.objects.filter(pk__in=visible.values("grid")).order_by("name")
        cast(forms.ChoiceField, self.fields["community"]).choices = everyone + [
            (u.pk, u.name) for u in communities
        ]
        cast(forms.ChoiceField, self.fields["grid"]).choices = everyone + [
            (u.pk, u.name) for u in grids
        ]
        pairs = pairs_visible_to(user).order_by("code").values_list("pk", "code")
        cast(forms.ChoiceField, self.fields["pair"]).choices = everyone + [
            (str(pk), code) for pk, code in pairs
        ]
        if sees_tags:
            tags = Tag.objects.filter(active=True).values_list("pk", "name")
            cast(forms.ChoiceField, self.fields["tag"]).choices = everyone + [
                (str(pk), name) for pk, name in tags
            ]
        else:
            del self.fields["tag"]

    def apply(self, households, user):
        if not self.is_valid():
            return households
        data = self.cleaned_data
        for name in ("community", "grid", "pair"):
            if data.get(name):
                households = households.filter(**{f"{name}_id": data[name]})
        if data.get("tag"):
            residents = Resident.objects.filter(active=True, tags=data["tag"])
            households = households.filter(personal_data_scope(user)).filter(
                pk__in=residents.values("household")
            )
        if data.get("q"):
            households = households.filter(
                Q(address__contains=data["q"]) | Q(head_name__contains=data["q"])
            )
        return households


@require_safe
@login_required
def household_list(request):
    user = request.user
    if not _may_see_registers(user):
        raise Http404
    standing = standing_of(user)
    sees_tags = bool(standing.office or standing.admin or standing.community_ids or _has_pair(user))
    form = HouseholdFilters(request.GET or None, user=user, sees_tags=sees_tags)
    households = households_visible_to(user).filter(active=True)
    households = form.apply(households, user).select_related("community", "grid", "pair")
    page = Paginator(households.order_by("community__name", "address_key"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    shown = list(page.object_list)
    unmasked = personal_data_household_ids(user, shown)
    tags = defaultdict(set)
    if unmasked:
        through = Resident.tags.through.objects.filter(
            resident__household__in=unmasked, resident__active=True
        ).values_list("resident__household_id", "tag__name")
        for household_id, name in through:
            tags[household_id].add(name)
    rows = [
        {
            "household": h,
            "unmasked": h.pk in unmasked,
            "phone": shown_phone(h.phone, h.pk in unmasked),
            "tags": sorted(tags.get(h.pk, ())),
        }
        for h in shown
    ]
    log_unmasked(user, unmasked, "phone,tags", "registry:households")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registry/household_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "may_import": _may_import(user),
        },
    )


def _has_pair(user) -> bool:
    return PairMember.objects.filter(cadre__user=user, until__isnull=True).exists()


@require_safe
@login_required
def household_detail(request, pk):
    user = request.user
    household = access_household_by_id(user, pk)
    unmasked = sees_personal_data(user, household)
    residents = household.residents.prefetch_related("tags").order_by("-active", "pk")
    pair_members = []
    if household.pair_id:
        pair_members = [
            m.cadre
            for m in household.pair.memberships.filter(until__isnull=True).select_related(
                "cadre__employer"
            )
        ]
    events = list(RegistryEvent.objects.filter(household=household).select_related("actor"))
    names = _names_in(events)
    history = [_history_line(event, unmasked, names) for event in events]
    visits = Visit.objects.filter(household=household).select_related("round", "pair")
    # The household is in the viewer's scope, but each case keeps its own (cases.access):
    # a cadre or an attached department sees the card without seeing every case's title.
    heard = HeardCase.objects.filter(
        household=household, case__in=Case.objects.visible_to(user)
    ).select_related("case", "visit")
    if unmasked:
        log_unmasked(user, [household.pk], "phone,tags", "registry:household")
    permitted = rules.permitted(user, household)
    id_numbers = DistrictSettings.load().id_numbers_enabled
    # Identity numbers stay masked even for those who see the phones, until they ask
    # (a click, and a line in the disclosure log).
    show_id_numbers = id_numbers and unmasked and request.GET.get("show") == "id_numbers"
    if show_id_numbers:
        log_unmasked(user, [household.pk], "id_number", "registry:household")
    context = {
        "household": household,
        "unmasked": unmasked,
        "phone": shown_phone(household.phone, unmasked),
        "residents": [
            {
                "resident": r,
                "phone": shown_phone(r.phone, unmasked),
                "tags": [t.name for t in r.tags.all()] if unmasked else [],
                "id_number": _shown_id_number(r, show_id_numbers) if id_numbers else "",
            }
            for r in residents
        ],
        "id_numbers": id_numbers,
        "show_id_numbers": show_id_numbers,
        "pair_members": pair_members,
        "history": history,
        "visits": visits,
        "heard": heard,
        "may_import": _may_import(user),
        "corrections": _corrections(household, unmasked),
        "may_propose": "propose_correction" in permitted,
        "may_decide": "decide_correction" in permitted,
        # A household that moved away is neither visited nor called on.
        "may_record_visit": household.active and "record_visit" in permitted,
        "may_open_urgent_visit": household.active and "open_urgent_visit" in permitted,
        "correction_form": CorrectionForm(household=household),
    }
    return render(request, "registry/household_detail.html", context)


def _shown_id_number(resident: Resident, unmasked: bool) -> str:
    number = idnumbers.decrypt(resident.id_number_encrypted)
    return number if unmasked else idnumbers.mask(number)


# Changes keep a unit's, a pair's or a building's id; the history shows its name.
NAMED_FIELDS = {"community": Unit, "grid": Unit, "pair": Pair, "building": Building}


def _names_in(events) -> dict:
    """{(model, id): name} for the ids the events' changes name, a query per model."""
    wanted: defaultdict[type[Model], set[int]] = defaultdict(set)
    for event in events:
        for name, change in (event.data.get("changes") or {}).items():
            if name in NAMED_FIELDS and isinstance(change, list):
                wanted[NAMED_FIELDS[name]].update(v for v in change if v)
    names: dict[tuple[type[Model], int], str] = {}
    for model, ids in wanted.items():
        for row in model._default_manager.filter(pk__in=ids):
            names[(model, row.pk)] = str(row)
    return names


def _history_line(event: RegistryEvent, unmasked: bool, names: dict) -> dict:
    changes = []
    for name, change in (event.data.get("changes") or {}).items():
        if name == "residents":
            changes.append((FIELD_LABELS["residents"], "、".join(change)))
            continue
        old, new = change if isinstance(change, list) and len(change) == 2 else ("", change)
        if name in PERSONAL_FIELDS and not unmasked:
            old, new = shown_phone(str(old or ""), False), shown_phone(str(new or ""), False)
        if name in NAMED_FIELDS:
            model = NAMED_FIELDS[name]
            old, new = names.get((model, old), old), names.get((model, new), new)
        changes.append((FIELD_LABELS.get(name, name), f"{old or '—'} → {new or '—'}"))
    return {
        "event": event,
        "label": EVENT_LABELS.get(event.code, event.code),
        "changes": changes,
    }


@require_safe
@login_required
def pair_list(request):
    user = request.user
    if not _may_see_registers(user):
        raise Http404
    current = PairMember.objects.filter(until__isnull=True).select_related("cadre__employer")
    pairs = (
        pairs_visible_to(user)
        .select_related("community")
        .annotate(household_count=Count("households", filter=Q(households__active=True)))
        .prefetch_related(Prefetch("memberships", queryset=current, to_attr="current"))
        .order_by("community__name", "code")
    )
    page = Paginator(pairs, PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for pair in page.object_list:
        cadres = [m.cadre for m in pair.current]
        rows.append({"pair": pair, "cadres": cadres, "warnings": pair_warnings(pair, cadres)})
    context = {"page": page, "rows": rows, "may_import": _may_import(user)}
    return render(request, "registry/pair_list.html", context)


def _may_import(user) -> bool:
    # Those who keep the registers (rules.py: keep_household); each row is checked again.
    standing = standing_of(user)
    return bool(standing.office or standing.admin or standing.street_ids or standing.community_ids)


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("导入内容"), choices=[(k, KIND_LABELS[k]) for k in KINDS]
    )
    file = forms.FileField(
        label=gettext_lazy("表格（.xlsx）"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_TYPE}"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def import_view(request):
    """Upload a register's list. The file is checked at once; a short list goes in during
    the request and the report shows each refused row, a longer one is imported by a job
    whose page shows progress and, at the end, the refused rows."""
    if not _may_import(request.user):
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        kind, upload = form.cleaned_data["kind"], form.cleaned_data["file"]
        limit = getattr(settings, "REGISTRY_IMPORT_PAGE_ROWS", PAGE_IMPORT_ROWS)
        try:
            rows = read_short_list(kind, upload, limit=limit)
        except ImportRefused as refused:
            form.add_error("file", refused.message)
        else:
            if rows is not None:
                report = import_rows(kind, rows, actor=request.user)
            else:
                job, new = start_import_job(request.user, kind, upload)
                if new:
                    queue_import_job(job)
                return redirect("registry:import_job", pk=job.pk)
    kinds = [(kind, KIND_LABELS[kind], COLUMNS[kind]) for kind in KINDS]
    status = 400 if request.method == "POST" and report is None else 200
    recent = RegistryImportJob.objects.filter(owner=request.user)[:RECENT_IMPORTS]
    context = {"form": form, "report": report, "kinds": kinds, "recent": recent}
    context["page_rows"] = getattr(settings, "REGISTRY_IMPORT_PAGE_ROWS", PAGE_IMPORT_ROWS)
    return render(request, "registry/import.html", context | {"may_import": True}, status=status)


def _own_import(request, pk) -> RegistryImportJob:
    # Someone else's import is "not found", like a missing one.
    if not _may_import(request.user):
        raise Http404
    return get_object_or_404(RegistryImportJob, pk=pk, owner=request.user)


@require_safe
@login_required
def import_job(request, pk):
    """An import job's progress and, once it is finished, its refused rows; htmx polls the
    fragment until then."""
    job = _own_import(request, pk)
    context = {"job": job, "may_resume": may_resume(job), "shown": REPORT_ROWS_SHOWN}
    if job.finished:
        context["errors"] = job.rows.all()[:REPORT_ROWS_SHOWN]
    fragment = request.headers.get("HX-Request")
    template = "registry/_import_job.html" if fragment else "registry/import_job.html"
    return render(request, template, context | {"may_import": True})


@require_POST
@login_required
def import_job_resume(request, pk):
    """Continue an import that stopped: it picks up after the last chunk it committed."""
    job = _own_import(request, pk)
    if may_resume(job):
        resume_import_job(job)
    return redirect("registry:import_job", pk=job.pk)


@require_safe
@login_required
def import_job_errors(request, pk):
    """Every refused row of an import job and why, as .xlsx."""
    job = _own_import(request, pk)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("有误的行"))
    sheet.append([_("行号"), _("内容"), _("原因")])
    for row in job.rows.order_by("row").iterator(chunk_size=2000):
        sheet.append([row.row, row.label, row.message])
    response = HttpResponse(content_type=XLSX_TYPE)
    name = _("导入有误的行-%(name)s.xlsx") % {"name": PurePath(job.name).stem or job.pk}
    response["Content-Disposition"] = content_disposition_header(True, name)
    workbook.save(response)
    return response


@require_safe
@login_required
def import_template(request, kind):
    if not _may_import(request.user) or kind not in KINDS:
        raise Http404
    response = HttpResponse(content_type=XLSX_TYPE)
    name = _("%(kind)s导入模板.xlsx") % {"kind": KIND_LABELS[kind]}
    response["Content-Disposition"] = content_disposition_header(True, name)
    write_template(kind, response)
    return response


def _corrections(household: Household, unmasked: bool) -> list[dict]:
    found = household.corrections.select_related("proposed_by", "decided_by")
    return [
        {
            "correction": c,
            "changes": _history_line(
                RegistryEvent(code="", data={"changes": c.changes}), unmasked, {}
            )["changes"],
        }
        for c in found
    ]


class CorrectionForm(forms.Form):
    """The fields a visit finds out of date; a blank one is left as it is."""

    head_name = forms.CharField(label=CORRECTABLE["head_name"], required=False, max_length=50)
    phone = forms.CharField(label=CORRECTABLE["phone"], required=False, max_length=20)
    member_count = forms.IntegerField(label=CORRECTABLE["member_count"], required=False)
    moved_away = forms.BooleanField(label=gettext_lazy("已迁出"), required=False)
    reason = forms.CharField(label=gettext_lazy("说明"), required=False, max_length=200)

    def __init__(self, *args, household, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.household = household

    def changes(self) -> dict:
        data = self.cleaned_data
        changes = {
            name: data[name]
            for name in ("head_name", "phone", "member_count")
            if data.get(name) not in (None, "")
        }
        if data.get("moved_away"):
            changes["active"] = False
        return changes


@require_POST
@login_required
def propose_correction(request, pk):
    household = access_household_by_id(request.user, pk)
    form = CorrectionForm(request.POST, household=household)
    if not form.is_valid():
        messages.error(request, _("更正内容有误，请检查。"))
    else:
        try:
            do_propose_correction(
                household,
                actor=request.user,
                changes=form.changes(),
                reason=form.cleaned_data["reason"],
            )
        except WorkflowError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已提出更正，待社区审核。"))
    return redirect("registry:household", pk=household.pk)


@require_POST
@login_required
def decide_correction(request, pk):
    correction = get_object_or_404(HouseholdCorrection, pk=pk)
    household = access_household_by_id(request.user, correction.household_id)
    approve = request.POST.get("decision") == "approve"
    try:
        do_decide_correction(
            correction, actor=request.user, approve=approve, reason=request.POST.get("reason", "")
        )
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已采纳更正。") if approve else _("已退回更正。"))
    return redirect("registry:household", pk=household.pk)
