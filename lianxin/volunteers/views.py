"""Staff pages of the volunteers: teams with their members and hours, recording an
activity, report-ins per community and the work given to them, the ranking of employer
units, and partner units. Every page starts from `lianxin.volunteers.access`."""

from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from lianxin.cases.access import case_scope, staff_required, standing_of
from lianxin.cases.models import Case
from lianxin.cases.photos import photo_response
from lianxin.errors import WorkflowError
from lianxin.orgs.models import Unit
from lianxin.programs import actions as wish_actions
from lianxin.programs.access import wishes_visible_to
from lianxin.programs.models import ON_THE_WALL, Wish, WishClaim, WishStatus
from lianxin.sheets import ImportRefused
from lianxin.volunteers import actions, figures, imports, rules
from lianxin.volunteers.access import (
    access_activity_by_id,
    access_report_in_by_id,
    access_team_by_id,
    kept_units,
    report_ins_visible_to,
    teams_visible_to,
)
from lianxin.volunteers.actions.teams import TEAM_UNIT_KINDS
from lianxin.volunteers.forms import (
    ActivityForm,
    AssignForm,
    MemberForm,
    NoteForm,
    PartnerClaimForm,
    PartnerForm,
    ReportInForm,
    TeamForm,
)
from lianxin.volunteers.models import (
    Activity,
    Assignment,
    Participation,
    PartnerUnit,
    ReportIn,
)

PER_PAGE = 30
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COMMUNITY = (Unit.Kind.COMMUNITY,)


def _refused(request, form, error: WorkflowError) -> None:
    if form is not None:
        form.add_error(None, str(error.message))
    else:
        messages.error(request, str(error.message))


@require_http_methods(["GET", "POST"])
@staff_required
def team_list(request):
    user = request.user
    units = kept_units(user, TEAM_UNIT_KINDS)
    form = TeamForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.do_save_team(actor=user, **form.cleaned_data)
        except WorkflowError as error:
            _refused(request, form, error)
        else:
            return redirect("volunteers:team", pk=saved.row.pk)
    teams = teams_visible_to(user).select_related("unit", "partner").order_by("unit__name", "name")
    page = Paginator(teams, PER_PAGE).get_page(request.GET.get("page"))
    found = figures.team_figures(teams.filter(pk__in=[t.pk for t in page]))
    rows = [(team, found.get(team.pk, figures.TeamFigures())) for team in page]
    context = {
        "page": page,
        "rows": rows,
        "total": figures.total(figures.team_figures(teams)),
        "form": form if units.exists() else None,
        "tab": "teams",
    }
    return render(request, "volunteers/teams.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@staff_required
def team_detail(request, pk):
    user = request.user
    team = access_team_by_id(user, pk)
    keeps = rules.allowed("keep_team", user, unit=team.unit)
    form = MemberForm(request.POST or None) if keeps else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                actions.do_save_member(
                    team,
                    actor=user,
                    name=form.cleaned_data["name"],
                    phone_number=form.cleaned_data["phone"],
                    leader=form.cleaned_data["leader"],
                )
            except WorkflowError as error:
                _refused(request, form, error)
            else:
                messages.success(request, _("队员已保存。"))
                return redirect("volunteers:team", pk=team.pk)
    members = list(team.members.filter(active=True).select_related("report_in__employer"))
    hours = figures.member_hours(team.members.all())
    activities = (
        team.activities.annotate(hours=Sum("participations__hours"))
        .select_related("recorded_by")
        .order_by("-date", "-pk")
    )
    page = Paginator(activities, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "team": team,
        "members": [(member, hours.get(member.pk, 0)) for member in members],
        "total": figures.team_figures(teams_visible_to(user).filter(pk=team.pk)).get(
            team.pk, figures.TeamFigures()
        ),
        "page": page,
        "form": form,
        "may_record": rules.allowed("record_activity", user, unit=team.unit, team=team),
        "tab": "teams",
    }
    return render(
        request, "volunteers/team.html", context, status=400 if form and form.errors else 200
    )


@require_http_methods(["GET", "POST"])
@staff_required
def record_activity(request, pk):
    """The activity form: what, when, where, who served how many hours, photos, and the
    cases or wishes it solved. Made for a phone: one column, a row per member."""
    user = request.user
    team = access_team_by_id(user, pk)
    if not rules.allowed("record_activity", user, unit=team.unit, team=team):
        raise Http404
    members = list(team.members.filter(active=True))
    form = ActivityForm(request.POST or None, request.FILES or None)
    given = {m.pk: request.POST.get(f"hours-{m.pk}", "").strip() for m in members}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # Looked up in the user's scope: a number he may not see is "not found", like one
        # that does not exist.
        numbers = form.numbers(data["cases"])
        cases = list(Case.objects.filter(case_scope(user), tracking_number__in=numbers))
        wish_ids = [n.lstrip("#") for n in form.numbers(data["wishes"])]
        wishes = list(wishes_visible_to(user).filter(pk__in=[n for n in wish_ids if n.isdigit()]))
        try:
            if len(cases) != len(numbers) or len(wishes) != len(wish_ids):
                raise WorkflowError("not_found", _("有受理编号或心愿编号找不到，请核对。"))
            activity = actions.do_record_activity(
                team,
                actor=user,
                title=data["title"],
                date=data["date"],
                place=data["place"],
                description=data["description"],
                participants=[(m, given[m.pk]) for m in members if given[m.pk]],
                photos=data["photos"],
                cases=cases,
                wishes=wishes,
                solved_note=data["solved_note"],
            )
        except WorkflowError as error:
            _refused(request, form, error)
        else:
            messages.success(request, _("活动已登记。"))
            return redirect("volunteers:activity", pk=activity.pk)
    context = {
        "team": team,
        "form": form,
        "members": [(m, given.get(m.pk, "")) for m in members],
        "tab": "teams",
    }
    return render(
        request, "volunteers/activity_form.html", context, status=400 if form.errors else 200
    )


@require_safe
@staff_required
def activity_detail(request, pk):
    activity = access_activity_by_id(request.user, pk)
    context = {
        "activity": activity,
        "participations": activity.participations.select_related("member").order_by("member__pk"),
        "hours": activity.participations.aggregate(h=Sum("hours"))["h"],
        "photos": list(activity.photos.all()),
        "solved": activity.solved.select_related("case", "wish"),
        "tab": "teams",
    }
    return render(request, "volunteers/activity.html", context)


@require_safe
@staff_required
def activity_photo(request, pk, photo_pk):
    activity = access_activity_by_id(request.user, pk)
    return photo_response(get_object_or_404(activity.photos, pk=photo_pk))


@require_http_methods(["GET", "POST"])
@staff_required
def report_in_list(request):
    """双报到 seen from the community: who reported in, from which unit, and what each did."""
    user = request.user
    communities = kept_units(user, COMMUNITY).order_by("name")
    form = ReportInForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_save_report_in(
                actor=user,
                name=data["name"],
                phone_number=data["phone"],
                employer=data["employer"],
                community=data["community"],
                reported_on=data["reported_on"],
                party_member=data["party_member"],
            )
        except WorkflowError as error:
            _refused(request, form, error)
        else:
            messages.success(request, _("报到已登记。"))
            return redirect("volunteers:report_ins")
    report_ins = report_ins_visible_to(user).filter(active=True)
    shown = Unit.objects.filter(pk__in=report_ins.values("community")).order_by("name")
    community = request.GET.get("community", "")
    if community.isdigit():
        report_ins = report_ins.filter(community_id=int(community))
    report_ins = report_ins.select_related("employer", "community").order_by("-reported_on", "-pk")
    page = Paginator(report_ins, PER_PAGE).get_page(request.GET.get("page"))
    work = figures.report_in_work(report_ins.filter(pk__in=[r.pk for r in page]))
    context = {
        "page": page,
        "rows": [(r, work.get(r.pk)) for r in page],
        "communities": shown,
        "community": community,
        "form": form if communities.exists() else None,
        "tab": "report_ins",
    }
    return render(
        request, "volunteers/report_ins.html", context, status=400 if form.errors else 200
    )


def _assign_form(report_in: ReportIn, data=None) -> AssignForm:
    community = report_in.community
    wishes = Wish.objects.filter(community=community, status__in=ON_THE_WALL).order_by("-pk")
    activities = Activity.objects.filter(team__unit=community).order_by("-date", "-pk")[:50]
    form = AssignForm(
        data,
        wishes=wishes,
        activities=Activity.objects.filter(pk__in=[a.pk for a in activities]),
    )
    return form


@require_http_methods(["GET", "POST"])
@staff_required
def report_in_detail(request, pk):
    user = request.user
    report_in = access_report_in_by_id(user, pk)
    may_assign = rules.allowed("assign", user, unit=report_in.community)
    form = _assign_form(report_in, request.POST or None) if may_assign else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                actions.do_assign(report_in, actor=user, **form.cleaned_data)
            except WorkflowError as error:
                _refused(request, form, error)
            else:
                messages.success(request, _("任务已分派。"))
                return redirect("volunteers:report_in", pk=report_in.pk)
    assignments = report_in.assignments.select_related("wish", "activity", "assigned_by")
    may_finish = rules.allowed(
        "finish_assignment", user, unit=report_in.community, person_user_id=report_in.user_id
    )
    served = Participation.objects.filter(member__report_in=report_in).select_related(
        "activity", "activity__team"
    )
    context = {
        "report_in": report_in,
        "assignments": assignments,
        "form": form,
        "may_finish": may_finish,
        "note_form": NoteForm(),
        "served": served.order_by("-activity__date"),
        "hours": served.aggregate(h=Sum("hours"))["h"] or 0,
        "tab": "report_ins",
    }
    return render(
        request, "volunteers/report_in.html", context, status=400 if form and form.errors else 200
    )


@require_POST
@staff_required
def finish_assignment(request, pk):
    assignment = get_object_or_404(
        Assignment, pk=pk, report_in__in=report_ins_visible_to(request.user)
    )
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            actions.do_finish_assignment(
                assignment, actor=request.user, note=form.cleaned_data["note"]
            )
        except WorkflowError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("已登记完成。"))
    else:
        messages.error(request, _("请填写完成情况。"))
    return redirect("volunteers:report_in", pk=assignment.report_in_id)


@require_safe
@staff_required
def ranking(request):
    """Employer units ranked by their people's report-ins, then hours (the articles'
    ranking); a street or community sees it over its own report-ins."""
    user = request.user
    standing = standing_of(user)
    report_ins = ReportIn.objects.all()
    scope = _("全区")
    if not standing.sees_whole_district and (standing.street_ids or standing.community_ids):
        report_ins = report_ins_visible_to(user)
        scope = _("本辖区")
    context = {"units": figures.by_employer(report_ins), "scope": scope, "tab": "ranking"}
    return render(request, "volunteers/ranking.html", context)


@require_http_methods(["GET", "POST"])
@staff_required
def partner_list(request):
    user = request.user
    communities = kept_units(user, COMMUNITY).order_by("name")
    form = PartnerForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.do_save_partner(actor=user, **form.cleaned_data)
        except WorkflowError as error:
            _refused(request, form, error)
        else:
            return redirect("volunteers:partner", pk=saved.row.pk)
    live = WishClaim.objects.filter(released_at__isnull=True)
    partners = PartnerUnit.objects.filter(active=True).prefetch_related(
        Prefetch("communities", queryset=Unit.objects.order_by("name")),
        Prefetch("wish_claims", queryset=live, to_attr="live_claims"),
    )
    context = {
        "partners": partners,
        "form": form if communities.exists() else None,
        "tab": "partners",
    }
    return render(request, "volunteers/partners.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@staff_required
def partner_detail(request, pk):
    """A partner unit: its communities, its teams and their hours, its wishes; its
    community claims a wish for it here."""
    user = request.user
    partner = get_object_or_404(PartnerUnit, pk=pk, active=True)
    standing = standing_of(user)
    paired = partner.communities.all()
    mine = paired if standing.office else paired.filter(pk__in=standing.community_ids)
    wishes = Wish.objects.filter(community__in=mine, status=WishStatus.PUBLISHED).order_by("-pk")
    form = PartnerClaimForm(request.POST or None, wishes=wishes) if mine.exists() else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                wish_actions.do_claim_wish(
                    form.cleaned_data["wish"],
                    actor=user,
                    promised_date=form.cleaned_data["promised_date"],
                    partner=partner,
                )
            except WorkflowError as error:
                _refused(request, form, error)
            else:
                messages.success(request, _("已为共建单位认领心愿。"))
                return redirect("volunteers:partner", pk=partner.pk)
    teams = partner.teams.filter(active=True).select_related("unit")
    found = figures.team_figures(teams)
    context = {
        "partner": partner,
        "communities": paired.order_by("name"),
        "teams": [(t, found.get(t.pk, figures.TeamFigures())) for t in teams],
        "claims": partner.wish_claims.select_related("wish", "wish__community").order_by(
            "-claimed_at"
        ),
        "form": form,
        "tab": "partners",
    }
    return render(
        request, "volunteers/partner.html", context, status=400 if form and form.errors else 200
    )


@require_http_methods(["GET", "POST"])
@staff_required
def import_roster(request):
    """Upload a team roster or a 双报到 roster; each row's outcome, the bad ones with their
    row number and reason. Rows the user may not keep are refused row by row."""
    report = refused = None
    kind = request.POST.get("kind") or request.GET.get("kind") or "reportins"
    if kind not in imports.KINDS:
        raise Http404
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            refused = _("请选择要导入的 Excel 文件。")
        else:
            try:
                report = imports.import_roster(kind, upload, actor=request.user)
            except ImportRefused as error:
                refused = error.message
    context = {
        "kinds": list(imports.KIND_LABELS.items()),
        "kind": kind,
        "report": report,
        "summary": report.summary() if report else None,
        "refused": refused,
        "tab": "import",
    }
    status = 400 if refused else 200
    return render(request, "volunteers/import.html", context, status=status)


@require_safe
@staff_required
def import_template(request, kind: str):
    if kind not in imports.KINDS:
        raise Http404
    response = HttpResponse(content_type=XLSX_TYPE)
    imports.write_template(kind, response)
    name = quote(f"{imports.KIND_LABELS[kind]}导入模板.xlsx")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response
