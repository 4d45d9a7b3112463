"""Staff pages of inspections and hazards, and the two pages of the signed links.

Every page starts from `lianxin.hazards.access`: anything outside the user's scope is a
404; a place's contact is masked unless the user's work needs it, and an unmasked view
is logged. The actions decide who may do what (`rules.py`); pages only offer what the
rule table allows.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from lianxin.cases.access import standing_of
from lianxin.cases.photos import photo_response
from lianxin.errors import WorkflowError
from lianxin.forms import add_workflow_error
from lianxin.hazards import actions, figures, links, rules
from lianxin.hazards.access import (
    access_campaign_by_id,
    access_hazard_by_id,
    access_inspection_by_id,
    campaigns_visible_to,
    filtered_hazards,
    hazards_visible_to,
    inspections_visible_to,
    places_visible_to,
    sees_hazards,
    shown_contact,
)
from lianxin.hazards.actions.notices import live_notice
from lianxin.hazards.forms import (
    ACTION_FORMS,
    CampaignForm,
    HazardFilterForm,
    HazardForm,
    PartyFixForm,
    SelfCheckForm,
    StartForm,
    checklist_answers,
)
from lianxin.hazards.imports import COLUMNS as PLACE_COLUMNS
from lianxin.hazards.imports import import_places
from lianxin.hazards.models import (
    Campaign,
    HazardEvent,
    HazardStatus,
    Inspection,
    Notice,
)
from lianxin.sheets import ImportRefused, template_workbook
from lianxin.workdays.days import local_date

PER_PAGE = 50
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
H = HazardStatus
EVENT_LABELS = {
    "hazards.hazard.found": gettext_lazy("发现隐患"),
    "hazards.notice.issued": gettext_lazy("下发整改通知单"),
    "hazards.notice.fix_reported": gettext_lazy("报告整改完成"),
    "hazards.notice.passed": gettext_lazy("复查通过"),
    "hazards.notice.relapsed": gettext_lazy("复查发现反弹"),
    "hazards.notice.overdue": gettext_lazy("整改逾期"),
    "hazards.hazard.referred": gettext_lazy("转为诉求"),
}
ERROR_FIELDS = {
    "requirements_required": "requirements",
    "measures_required": "measures",
    "note_required": "note",
    "invalid_days": "working_days",
    "invalid_photo": "photos",
    "too_many_photos": "photos",
    "text_required": "text",
    "text_too_long": "text",
    "reporter_name_required": "reporter_name",
}
REFUSALS = frozenset({"forbidden", "invalid_transition", "already_referred"})
DONE = {
    "issue_notice": gettext_lazy("整改通知单已下发。"),
    "report_fix": gettext_lazy("已报告整改完成，等待复查。"),
    "reinspect": gettext_lazy("复查结果已记录。"),
    "refer": gettext_lazy("已转为诉求，由连心办派单。"),
}


def _require_hazards(user) -> None:
    if not sees_hazards(user):
        raise Http404


def overdue_notices(notices):
    today = local_date(timezone.now())
    return notices.filter(status=Notice.Status.ISSUED, deadline__lt=today)


@require_safe
@login_required
def home(request):
    user = request.user
    _require_hazards(user)
    today = local_date(timezone.now())
    hazards = hazards_visible_to(user)
    campaigns = (
        campaigns_visible_to(user)
        .annotate(
            n_places=Count("places", distinct=True),
            n_hazards=Count("hazards", distinct=True),
        )
        .order_by("-starts_on", "-pk")
    )
    overdue = Notice.objects.filter(
        hazard__in=hazards.values("pk"), status=Notice.Status.ISSUED, deadline__lt=today
    )
    context = {
        "campaigns": campaigns,
        "today": today,
        "is_office": rules.is_office(user),
        "may_import": _may_import(user),
        "queues": [
            ("overdue", _("逾期未整改"), overdue.count(), True),
            ("reported", _("待复查"), hazards.filter(status=H.REPORTED).count(), False),
            ("open", _("待下发整改"), hazards.filter(status=H.OPEN).count(), False),
            ("rectifying", _("整改中"), hazards.filter(status=H.RECTIFYING).count(), False),
        ],
    }
    return render(request, "hazards/home.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def campaign_new(request):
    if not rules.is_office(request.user):
        raise Http404
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = actions.do_create_campaign(
                actor=request.user,
                name=data["name"],
                topic=data["topic"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                rectify_working_days=data["rectify_working_days"],
                group_units=data["group_units"],
                items=data["checklist"],
                places=data["places"],
            )
        except WorkflowError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("专项检查已创建。"))
            return redirect("hazards:campaign", pk=campaign.pk)
    status = 400 if form.errors else 200
    return render(request, "hazards/campaign_new.html", {"form": form}, status=status)


def _state_counts(hazards) -> list[tuple[str, object, int]]:
    counts = dict(hazards.values_list("status").annotate(n=Count("pk")).order_by())
    return [(value, label, counts.get(value, 0)) for value, label in H.choices]


@require_safe
@login_required
def campaign_detail(request, pk):
    user = request.user
    campaign = access_campaign_by_id(user, pk)
    inspector = rules.may_inspect(user, campaign)
    places = campaign.places.all()
    hazards = campaign.hazards.all()
    inspections = campaign.inspections.all()
    if not (inspector or access_whole_district(user)):
        mine = places_visible_to(user).values("pk")
        places, hazards = places.filter(pk__in=mine), hazards.filter(place__in=mine)
        inspections = inspections.filter(place__in=mine)
    submitted = Q(inspections__campaign=campaign, inspections__status=Inspection.Status.SUBMITTED)
    places = places.select_related("community", "responsible_unit").annotate(
        n_inspections=Count("inspections", filter=submitted, distinct=True),
        last_inspected=Max("inspections__submitted_at", filter=submitted),
        n_open=Count(
            "hazards",
            filter=Q(hazards__campaign=campaign) & ~Q(hazards__status=H.FIXED),
            distinct=True,
        ),
    )
    status = request.GET.get("status") or ""
    listed = hazards.select_related("place").prefetch_related("notices")
    if status in H.values:
        listed = listed.filter(status=status)
    context = {
        "campaign": campaign,
        "items": campaign.items.all(),
        "units": campaign.group_units.all(),
        "places": [
            {
                "place": place,
                "self_check": links.self_check_link(campaign.pk, place.pk)
                if inspector or rules.is_office(user)
                else "",
            }
            for place in places
        ],
        "inspections": inspections.select_related("place", "unit", "inspector")[:PER_PAGE],
        "states": _state_counts(hazards),
        "status": status,
        "hazards": Paginator(listed.order_by("-found_at", "-pk"), PER_PAGE).get_page(
            request.GET.get("page")
        ),
        "inspector": inspector,
        "start_form": StartForm(),
        "today": local_date(timezone.now()),
    }
    return render(request, "hazards/campaign.html", context)


def access_whole_district(user) -> bool:
    return standing_of(user).sees_whole_district


@require_POST
@login_required
def start_inspection(request, pk, place_pk):
    campaign = access_campaign_by_id(request.user, pk)
    place = get_object_or_404(campaign.places, pk=place_pk)
    form = StartForm(request.POST)
    kind = form.cleaned_data["kind"] if form.is_valid() else "sweep"
    try:
        inspection = actions.do_start_inspection(campaign, place, actor=request.user, kind=kind)
    except WorkflowError as error:
        messages.error(request, str(error.message))
        return redirect("hazards:campaign", pk=campaign.pk)
    return redirect("hazards:inspection", pk=inspection.pk)


def _render_inspection(request, inspection, hazard_form=None, errors=(), status=200):
    user = request.user
    answers = {answer.item_id: answer for answer in inspection.answers.all()}
    items = [
        {"item": item, "answer": answers.get(item.pk)} for item in inspection.campaign.items.all()
    ]
    name, phone, unmasked = shown_contact(
        user, inspection.place, "hazards:inspection", inspection.campaign
    )
    may_edit = inspection.status == Inspection.Status.OPEN and rules.may_inspect(
        user, inspection.campaign
    )
    context = {
        "inspection": inspection,
        "items": items,
        "hazards": inspection.hazards.prefetch_related("photos"),
        "hazard_form": hazard_form or HazardForm(),
        "may_edit": may_edit,
        "errors": errors,
        "contact_name": name,
        "contact_phone": phone,
        "unmasked": unmasked,
        "labels": {
            "saving": _("正在保存…"),
            "saved": _("已保存"),
            "failed": _("保存失败，提交时将一并保存。"),
            "invalid": _("得分超出范围。"),
            "locating": _("正在定位…"),
            "located": _("已附上位置。"),
            "no_location": _("无法获取位置，将使用单位地址的位置。"),
        },
    }
    return render(request, "hazards/inspection.html", context, status=status)


@require_safe
@login_required
def inspection_detail(request, pk):
    return _render_inspection(request, access_inspection_by_id(request.user, pk))


@require_POST
@login_required
def score_item(request, pk, item_pk):
    """One item scored as the inspector goes (the page's script posts each change)."""
    inspection = access_inspection_by_id(request.user, pk)
    try:
        points = int(request.POST.get("points", ""))
        inspection = actions.do_score_item(
            inspection,
            item_pk,
            actor=request.user,
            points=points,
            note=request.POST.get("note", ""),
        )
    except ValueError:
        return JsonResponse({"error": "invalid_points", "message": _("得分须是整数。")}, status=400)
    except WorkflowError as error:
        return JsonResponse({"error": error.code, "message": str(error.message)}, status=400)
    return JsonResponse({"score": inspection.score, "max_score": inspection.max_score})


@require_POST
@login_required
def add_hazard(request, pk):
    inspection = access_inspection_by_id(request.user, pk)
    form = HazardForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_add_hazard(
                inspection,
                actor=request.user,
                text=data["text"],
                severity=data["severity"],
                photos=data["photos"],
                latitude=data["latitude"],
                longitude=data["longitude"],
            )
        except WorkflowError as error:
            add_workflow_error(form, error, ERROR_FIELDS)
        else:
            messages.success(request, _("隐患已登记。"))
            return redirect("hazards:inspection", pk=inspection.pk)
    return _render_inspection(request, inspection, hazard_form=form, status=400)


@require_POST
@login_required
def submit_inspection(request, pk):
    inspection = access_inspection_by_id(request.user, pk)
    answers, errors = checklist_answers(request.POST, inspection.campaign.items.all())
    if not errors:
        try:
            actions.do_submit_inspection(
                inspection, actor=request.user, answers=answers, note=request.POST.get("note", "")
            )
        except WorkflowError as error:
            errors = [str(error.message)]
        else:
            messages.success(request, _("检查已提交。"))
            return redirect("hazards:campaign", pk=inspection.campaign_id)
    return _render_inspection(request, inspection, errors=errors, status=400)


@require_safe
@login_required
def hazard_list(request):
    user = request.user
    _require_hazards(user)
    form = HazardFilterForm(request.GET or None)
    queue = request.GET.get("queue", "")
    hazards = filtered_hazards(user, request.GET).select_related("place", "campaign")
    page = Paginator(hazards.order_by("-found_at", "-pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "form": form, "queue": queue}
    return render(request, "hazards/hazard_list.html", context)


def _render_hazard(request, hazard, bound=None, status=200):
    user = request.user
    bound = bound or {}
    available = rules.hazard_actions(user, hazard)
    forms = []
    for action in available:
        form = bound.get(action) or ACTION_FORMS[action]()
        forms.append({"name": action, "label": rules.HAZARD_RULES[action].label, "form": form})
    notices = list(
        hazard.notices.select_related("issued_by", "issuing_unit", "reinspected_by").order_by(
            "issued_at", "pk"
        )
    )
    photos = list(hazard.photos.all())
    name, phone, unmasked = shown_contact(user, hazard.place, "hazards:hazard", hazard.campaign)
    events = HazardEvent.objects.filter(hazard=hazard).select_related("actor", "actor_unit")
    current = live_notice(hazard)
    context = {
        "hazard": hazard,
        "notices": [
            {
                "notice": notice,
                "photos": [photo for photo in photos if photo.notice_id == notice.pk],
                "fix_link": links.fix_link(notice.pk)
                if notice == current and notice.status == Notice.Status.ISSUED
                else "",
            }
            for notice in notices
        ],
        "found_photos": [photo for photo in photos if photo.notice_id is None],
        "history": [
            {"event": event, "label": str(EVENT_LABELS.get(event.code, event.code))}
            for event in events
        ],
        "actions": forms,
        "contact_name": name,
        "contact_phone": phone,
        "unmasked": unmasked,
        "today": local_date(timezone.now()),
    }
    return render(request, "hazards/hazard.html", context, status=status)


@require_safe
@login_required
def hazard_detail(request, pk):
    return _render_hazard(request, access_hazard_by_id(request.user, pk))


def _do(action, hazard, user, data):
    if action == "issue_notice":
        return actions.do_issue_notice(
            hazard,
            actor=user,
            requirements=data["requirements"],
            responsible_party=data["responsible_party"],
            working_days=data["working_days"],
        )
    if action == "report_fix":
        return actions.do_report_fix(
            hazard, actor=user, measures=data["measures"], photos=data["photos"]
        )
    if action == "reinspect":
        return actions.do_reinspect(
            hazard, actor=user, passed=data["passed"], note=data["note"], photos=data["photos"]
        )
    return actions.do_refer_hazard(hazard, actor=user, note=data["note"])


@require_POST
@login_required
def hazard_action(request, pk, action):
    if action not in ACTION_FORMS:
        raise Http404
    hazard = access_hazard_by_id(request.user, pk)
    form = ACTION_FORMS[action](request.POST, request.FILES)
    if form.is_valid():
        try:
            _do(action, hazard, request.user, form.cleaned_data)
        except WorkflowError as error:
            if error.code in REFUSALS:  # not this user's, or not now: no form to show it in
                messages.error(request, str(error.message))
                return redirect("hazards:hazard", pk=hazard.pk)
            add_workflow_error(form, error, ERROR_FIELDS)
        else:
            messages.success(request, str(DONE[action]))
            return redirect("hazards:hazard", pk=hazard.pk)
    return _render_hazard(request, hazard, bound={action: form}, status=400)


@require_safe
@login_required
def hazard_photo(request, pk, photo_pk) -> HttpResponseBase:
    hazard = access_hazard_by_id(request.user, pk)
    return photo_response(get_object_or_404(hazard.photos, pk=photo_pk))


# The party's pages: no account, the signed link is the proof.


@require_http_methods(["GET", "POST"])
def self_check(request, token):
    ids = links.self_check_ids(token)
    if ids is None:
        raise Http404
    campaign = get_object_or_404(Campaign, pk=ids[0])
    place = get_object_or_404(campaign.places, pk=ids[1])
    items = list(campaign.items.all())
    form = SelfCheckForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST":
        answers, errors = checklist_answers(request.POST, items)
        if form.is_valid() and not errors:
            try:
                actions.do_record_self_check(
                    campaign,
                    place,
                    via_link=True,
                    filled_by=form.cleaned_data["filled_by"],
                    answers=answers,
                    hazards=form.hazards(),
                )
            except WorkflowError as error:
                errors = [str(error.message)]
            else:
                return render(
                    request, "hazards/self_check_done.html", {"campaign": campaign, "place": place}
                )
    context = {
        "campaign": campaign,
        "place": place,
        "items": [
            {"item": item, "value": request.POST.get(f"score_{item.pk}", "")} for item in items
        ],
        "form": form,
        "errors": errors,
        "max_score": sum(item.points for item in items),
    }
    return render(
        request, "hazards/self_check.html", context, status=400 if errors or form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def fix_report(request, token):
    notice_id = links.notice_id_from_token(token)
    if notice_id is None:
        raise Http404
    notice = get_object_or_404(Notice.objects.select_related("hazard__place"), pk=notice_id)
    hazard = notice.hazard
    form = PartyFixForm(request.POST or None, request.FILES or None)
    is_open = notice.status == Notice.Status.ISSUED and hazard.status == H.RECTIFYING
    if request.method == "POST" and not is_open:
        raise Http404
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_report_fix(
                hazard,
                actor=None,
                via_link=True,
                measures=form.cleaned_data["measures"],
                reporter_name=form.cleaned_data["reporter_name"],
                photos=form.cleaned_data["photos"],
            )
        except WorkflowError as error:
            add_workflow_error(form, error, ERROR_FIELDS)
        else:
            messages.success(request, _("整改情况已提交，检查组将适时复查。"))
            return redirect("hazards:fix_report", token=token)
    context = {
        "notice": notice,
        "hazard": hazard,
        "form": form,
        "open": is_open,
    }
    return render(request, "hazards/fix_report.html", context, status=400 if form.errors else 200)


def _figure_scope(user):
    return hazards_visible_to(user), inspections_visible_to(user)


@require_safe
@login_required
def figures_view(request):
    user = request.user
    _require_hazards(user)
    today = local_date(timezone.now())
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        raise Http404 from None
    hazards, inspections = _figure_scope(user)
    context = {
        "measures": figures.MEASURES,
        "total": figures.totals(hazards, inspections, today),
        "tables": [
            (label, figures.by(code, hazards, inspections, today))
            for code, (label, _key, _name) in figures.DIMENSIONS.items()
        ],
        "ranking": figures.ranking(places_visible_to(user), inspections, year),
        "year": year,
        "min_inspections": figures.min_inspections(),
    }
    return render(request, "hazards/figures.html", context)


def _may_import(user) -> bool:
    standing = standing_of(user)
    return standing.office or standing.admin or bool(standing.street_ids or standing.community_ids)


@require_http_methods(["GET", "POST"])
@login_required
def places_import(request):
    """The office, a street or a community imports its list of places to inspect."""
    if not _may_import(request.user):
        raise Http404
    result, refused = None, ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            refused = _("请选择要导入的 Excel 文件。")
        else:
            try:
                result = import_places(upload, actor=request.user)
            except ImportRefused as error:
                refused = error.message
    context = {"result": result, "refused": refused, "columns": PLACE_COLUMNS}
    status = 400 if refused else 200
    return render(request, "hazards/places_import.html", context, status=status)


@require_safe
@login_required
def places_template(request):
    if not _may_import(request.user):
        raise Http404
    workbook = template_workbook(
        _("检查对象清单"),
        PLACE_COLUMNS,
        [_("同一社区内单位名称相同的视为同一检查对象：再次导入会更新其信息，不会重复登记。")],
    )
    response = HttpResponse(content_type=XLSX_TYPE)
    response["Content-Disposition"] = (
        content_disposition_header(True, _("检查对象导入模板.xlsx")) or "attachment"
    )
    workbook.save(response)
    return response
