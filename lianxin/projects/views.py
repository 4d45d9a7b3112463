"""Staff pages of the practical projects: the plans, a plan's ledger (by class, with state,
progress, next milestone and overdue light) and its export, a project's page with its
milestones, reports, linked cases and the actions the rule table offers, the office's
forms (a plan, a project, promotion from a case, a topic or a wish).

Every page starts from `lianxin.projects.access`: a plan or a project outside the user's
scope is a 404. The import of a 配档表 is in `import_views.py`, the residents' pages in
`public_views.py`.
"""

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from lianxin.cases.access import access_case_by_id, staff_required, standing_of
from lianxin.cases.models import Case
from lianxin.cases.photos import photo_response
from lianxin.errors import WorkflowError
from lianxin.programs.access import access_wish_by_id
from lianxin.projects import actions, ledger, rules
from lianxin.projects.access import (
    access_plan_by_id,
    access_project_by_id,
    plans_visible_to,
    projects_visible_to,
    require_planner,
)
from lianxin.projects.export import XLSX_TYPE, ledger_xlsx
from lianxin.projects.forms import (
    CloseForm,
    LinkCaseForm,
    PlanForm,
    ProjectForm,
    PromoteForm,
    ReportForm,
)
from lianxin.projects.models import Milestone, Plan, ProjectEvent, ProjectState, ReportPhoto
from lianxin.workdays.days import local_date

EVENT_LABELS = {
    "projects.plan.created": gettext_lazy("创建计划"),
    "projects.plan.updated": gettext_lazy("修改计划"),
    "projects.project.added": gettext_lazy("添加项目"),
    "projects.project.updated": gettext_lazy("修改项目"),
    "projects.project.promoted": gettext_lazy("由议题转为项目"),
    "projects.project.reported": gettext_lazy("报送进度"),
    "projects.milestone.done": gettext_lazy("节点完成"),
    "projects.milestone.overdue": gettext_lazy("节点逾期"),
    "projects.report.overdue": gettext_lazy("未按期报送"),
    "projects.case.linked": gettext_lazy("关联诉求"),
    "projects.project.closed": gettext_lazy("项目办结"),
}
STATE_FILTERS = [*ProjectState.values, "overdue"]


def _today():
    return local_date(timezone.now())


def _is_office(user) -> bool:
    standing = standing_of(user)
    return standing.office or standing.admin


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def plan_list(request):
    plans = list(plans_visible_to(request.user))
    office = _is_office(request.user)
    form = PlanForm(request.POST or None) if office else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                plan = actions.do_create_plan(actor=request.user, **form.cleaned_data)
            except WorkflowError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("计划已创建，请添加项目或导入配档表。"))
                return redirect("projects:plan", pk=plan.pk)
    today = _today()
    visible = projects_visible_to(request.user)
    summaries = [
        (plan, ledger.counts(ledger.rows(visible.filter(plan=plan), today))) for plan in plans
    ]
    status = 400 if form is not None and form.errors else 200
    return render(
        request,
        "projects/plan_list.html",
        {"summaries": summaries, "form": form, "office": office},
        status=status,
    )


@require_safe
@staff_required
def plan_ledger(request, pk):
    plan = access_plan_by_id(request.user, pk)
    today = _today()
    found = ledger.rows(projects_visible_to(request.user).filter(plan=plan), today)
    counts = ledger.counts(found)
    state = request.GET.get("state", "")
    if state and state not in STATE_FILTERS:
        raise Http404
    shown = [
        r for r in found if not state or (r.overdue if state == "overdue" else r.state == state)
    ]
    context = {
        "plan": plan,
        "groups": ledger.by_category(shown),
        "counts": counts,
        "state": state,
        "states": [(value, label, counts[value]) for value, label in ProjectState.choices],
        "office": _is_office(request.user),
        "today": today,
    }
    return render(request, "projects/plan_ledger.html", context)


@require_safe
@staff_required
def plan_export(request, pk):
    plan = access_plan_by_id(request.user, pk)
    today = _today()
    found = ledger.rows(projects_visible_to(request.user).filter(plan=plan), today)
    response = HttpResponse(ledger_xlsx(plan, found, today), content_type=XLSX_TYPE)
    name = f"{plan.title}台账-{today:%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def project_form(request, plan_pk, pk=None):
    require_planner(request.user)
    plan = access_plan_by_id(request.user, plan_pk)
    project = access_project_by_id(request.user, pk) if pk is not None else None
    if project is not None and project.plan_id != plan.pk:
        raise Http404
    initial = {}
    if project is not None:
        initial = {
            name: getattr(project, name)
            for name in ProjectForm.base_fields
            if name not in ("co_units", "lead_unit", "leader")
        }
        initial.update(
            lead_unit=project.lead_unit_id,
            leader=project.leader_id,
            co_units=list(project.co_units.values_list("pk", flat=True)),
        )
    form = ProjectForm(request.POST or None, plan=plan, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved, _changed = actions.do_save_project(
                plan, form.spec(), actor=request.user, project=project
            )
        except WorkflowError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("项目已保存。"))
            return redirect("projects:project", pk=saved.pk)
    context = {"plan": plan, "project": project, "form": form}
    return render(
        request, "projects/project_form.html", context, status=400 if form.errors else 200
    )


def _detail_context(request, project, bound=None):
    user = request.user
    bound = bound or {}
    milestones = list(project.milestones.select_related("owner_unit"))
    for milestone in milestones:
        milestone.may_complete = milestone.done_at is None and _may(user, project, milestone)
    reports = list(
        project.reports.select_related("unit", "author").prefetch_related(
            Prefetch("photos", queryset=ReportPhoto.objects.order_by("pk"))
        )
    )
    row = ledger.rows(projects_visible_to(user).filter(pk=project.pk), _today())[0]
    allowed = rules.available_actions(user, project)
    forms = {}
    if "report" in allowed:
        forms["report"] = bound.get("report") or ReportForm(milestones=milestones)
    if "close" in allowed:
        forms["close"] = bound.get("close") or CloseForm()
    if "link_case" in allowed:
        forms["link_case"] = bound.get("link_case") or LinkCaseForm()
    forms.update(bound)  # a refused form shows its refusal, whoever posted it
    links = project.case_links.select_related("case").order_by("linked_at", "pk")
    events = ProjectEvent.objects.filter(project=project).select_related("actor", "actor_unit")
    return {
        "project": project,
        "plan": project.plan,
        "row": row,
        "milestones": milestones,
        "reports": reports,
        "forms": forms,
        "links": links,
        "history": [(event, EVENT_LABELS.get(event.code, event.code)) for event in events],
        "office": _is_office(user),
        "today": _today(),
    }


def _may(user, project, milestone) -> bool:
    try:
        rules.check("complete_milestone", user, project, milestone)
    except WorkflowError:
        return False
    return True


@require_safe
@staff_required
def project_detail(request, pk):
    project = access_project_by_id(request.user, pk)
    return render(request, "projects/project_detail.html", _detail_context(request, project))


FORMS = {"report": ReportForm, "close": CloseForm, "link_case": LinkCaseForm}


@require_POST
@staff_required
def project_action(request, pk, action):
    project = access_project_by_id(request.user, pk)
    user = request.user
    if action == "milestone":
        milestone = get_object_or_404(Milestone, project=project, pk=request.POST.get("milestone"))
        try:
            actions.do_complete_milestone(milestone, actor=user)
        except WorkflowError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("节点已标记完成。"))
        return redirect("projects:project", pk=project.pk)
    if action not in FORMS:
        raise Http404
    if action == "report":
        form = ReportForm(request.POST, request.FILES, milestones=project.milestones.all())
    else:
        form = FORMS[action](request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "report":
                actions.do_report_progress(
                    project,
                    actor=user,
                    percent=data["percent"],
                    text_=data["text"],
                    quantity_done=data["quantity_done"],
                    photos=data["photos"],
                    milestones_done=data.get("milestones_done") or [],
                )
                done = _("进度已报送。")
            elif action == "close":
                closing = actions.do_close_project(
                    project,
                    actor=user,
                    note=data["note"],
                    close_cases=data["close_cases"],
                    reply=data["reply"],
                )
                done = _("项目已办结。")
                if data["close_cases"]:
                    done += _("已办结关联诉求%(n)d件；未处理%(m)d件。") % {
                        "n": len(closing.resolved),
                        "m": len(closing.left),
                    }
            else:
                case = _case_by_number(user, data["tracking_number"])
                actions.do_link_case(project, case, actor=user)
                done = _("诉求已关联。")
        except WorkflowError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, done)
            return redirect("projects:project", pk=project.pk)
    project = access_project_by_id(user, pk)
    context = _detail_context(request, project, bound={action: form})
    context["open_form"] = action
    return render(request, "projects/project_detail.html", context, status=400)


def _case_by_number(user, number: str) -> Case:
    case = Case.objects.visible_to(user).filter(tracking_number=number.strip()).first()
    if case is None:
        raise WorkflowError("case_missing", _("未找到受理编号为%(n)s的诉求。") % {"n": number})
    return case


@require_safe
@staff_required
def report_photo(request, pk, photo_pk):
    project = access_project_by_id(request.user, pk)
    photo = get_object_or_404(ReportPhoto, pk=photo_pk, report__project=project)
    return photo_response(photo)


SOURCES = ("case", "topic", "wish")


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def promote(request, source, pk):
    """议题→项目: the office makes a project of a case, a topic or a wish."""
    if source not in SOURCES or not _is_office(request.user):
        raise Http404
    item, title, text = _source(request.user, source, pk)
    plans = Plan.objects.order_by("-year", "title")
    plan = plans.first()
    if plan is None:
        messages.error(request, _("请先创建办实事计划。"))
        return redirect("projects:plans")
    chosen = plan
    if request.method == "POST":
        chosen = plans.filter(pk=request.POST.get("plan_choice")).first() or plan
    form = PromoteForm(
        request.POST or None,
        plan=chosen,
        initial={"name": title[:200], "measures": text, "plan_choice": chosen.pk},
    )
    if request.method == "POST" and form.is_valid():
        promote_action = {
            "case": actions.do_promote_case,
            "topic": actions.do_promote_topic,
            "wish": actions.do_promote_wish,
        }[source]
        try:
            project = promote_action(
                item, form.cleaned_data["plan_choice"], form.spec(), actor=request.user
            )
        except WorkflowError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("已转为办实事项目。"))
            return redirect("projects:project", pk=project.pk)
    context = {"form": form, "source": source, "item": item, "title": title, "plan": chosen}
    return render(request, "projects/promote.html", context, status=400 if form.errors else 200)


def _source(user, source: str, pk):
    if source == "case":
        case = access_case_by_id(user, pk)
        return case, case.title, case.text
    if source == "topic":
        # The topic through the cases it holds (Case.topic_membership), in the user's
        # scope: the text models sit a floor above this app, which does not import them.
        member = (
            Case.objects.visible_to(user)
            .filter(topic_membership__topic_id=pk, topic_membership__topic__active=True)
            .select_related("topic_membership__topic")
            .first()
        )
        if member is None:
            raise Http404
        topic = member.topic_membership.topic
        return topic, topic.title, topic.place
    wish = access_wish_by_id(user, pk)
    return wish, wish.text[:40], wish.text
