from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lianxin.accounts.models import Role, User
from lianxin.cases.access import access_case_by_id, may_see_full_phone, standing_of
from lianxin.cases.models import Case, CaseEvent, CasePart, ExtensionRequest, Status
from lianxin.cases.rules import RULES, WorkflowError, available_actions, capacities
from lianxin.cases.sla import deadline_state
from lianxin.cases.timeline import event_label
from lianxin.orgs.models import DistrictSettings, Unit
from lianxin.workbench.case_actions import HANDLERS

PAGE_SIZE = 30


@login_required
def home(request):
    return redirect("workbench:cases")


@login_required
def case_list(request):
    cases = Case.objects.visible_to(request.user).select_related(
        "category", "lead_unit", "street", "community"
    )
    status = request.GET.get("status", "")
    if status in Status.values:
        cases = cases.filter(status=status)
    query = request.GET.get("q", "").strip()
    if query:
        cases = cases.filter(
            Q(title__contains=query) | Q(text__contains=query) | Q(tracking_number=query)
        )
    page = Paginator(cases.order_by("-registered_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    policy = DistrictSettings.load()
    rows = [(case, deadline_state(case, policy=policy)) for case in page]
    return render(
        request,
        "workbench/case_list.html",
        {"page": page, "rows": rows, "statuses": Status.choices, "status": status, "q": query},
    )


@login_required
def case_detail(request, pk):
    case = access_case_by_id(request.user, pk)
    parts = list(case.parts.select_related("unit"))
    events = CaseEvent.objects.filter(case=case).select_related("actor", "actor_unit", "part__unit")
    standing = standing_of(request.user)
    part_actions = [(part, _part_actions(request.user, case, part)) for part in parts]
    context = {
        "case": case,
        "phone": case.resident_phone
        if may_see_full_phone(request.user, case)
        else case.masked_phone,
        "parts": part_actions,
        "events": [(event, event_label(event.code)) for event in events],
        "actions": {name: RULES[name].label for name in available_actions(request.user, case)},
        "deadline": deadline_state(case),
        "pending_extensions": case.extensions.filter(decision=ExtensionRequest.Decision.PENDING),
        "photos": case.photos.all(),
        "handling_units": Unit.objects.handling().order_by("kind", "sort_order"),
        "leaders": User.objects.filter(memberships__role=Role.LEADER).distinct(),
        "is_office": standing.office,
    }
    return render(request, "workbench/case_detail.html", context)


def _part_actions(user, case: Case, part: CasePart) -> list[str]:
    held = capacities(user, case, part)
    found = []
    if "part" in held and part.status == CasePart.PartStatus.ASSIGNED:
        found += ["check_in"] if part.role == CasePart.Role.SUMMONED else ["accept", "return"]
    if (
        "part" in held
        and part.status == CasePart.PartStatus.ACCEPTED
        and part.role != CasePart.Role.LEAD
    ):
        found.append("finish_part")
    if (
        "office" in held
        and part.status == CasePart.PartStatus.RETURNED
        and part.return_reviewed_at is None
    ):
        found += ["approve_return", "refuse_return"]
    return [name for name in found if case.status in RULES[name].statuses]


@login_required
@require_POST
def case_action(request, pk, action):
    case = access_case_by_id(request.user, pk)
    handler = HANDLERS.get("accept" if action == "check_in" else action)
    if handler is None:
        raise Http404
    try:
        handler(case, request.user, request.POST, request.FILES)
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已完成：%(action)s") % {"action": RULES[action].label})
    return redirect("workbench:case", pk=case.pk)
