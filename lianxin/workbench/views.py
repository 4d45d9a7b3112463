from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lianxin.accounts.models import Role, User
from lianxin.cases.access import (
    access_case_by_id,
    log_unmasked_phones,
    may_see_full_phone,
    staff_required,
    standing_of,
)
from lianxin.cases.filters import filtered_cases
from lianxin.cases.models import Case, CaseEvent, CasePart, ExtensionRequest, Satisfaction
from lianxin.cases.photos import photo_response
from lianxin.cases.queues import overdue_by_unit, queue_counts
from lianxin.cases.rules import RULES, WorkflowError, available_actions, capacities
from lianxin.cases.sla import deadline_state
from lianxin.cases.timeline import event_label
from lianxin.intel.replycheck import check_case_reply
from lianxin.intel.suggest import dispatch_context
from lianxin.orgs.models import DistrictSettings
from lianxin.registry.worklists import visit_queues
from lianxin.workbench.case_actions import HANDLERS
from lianxin.workbench.intake import grids
from lianxin.workbench.paging import CappedPaginator
from lianxin.workbench.unit_picker import (
    picker_groups,
    picker_units,
    recent_units,
    remember_units,
)

PAGE_SIZE = 30


@login_required
def home(request):
    """The inbox: each of the user's work queues with its count."""
    standing = standing_of(request.user)
    if not standing.staff:
        if visit_queues(request.user):
            return redirect("visits:mine")  # a cadre without a staff role: his households
        return redirect("portal:mine")  # a resident's own page, where login lands him
    context = {
        "queues": queue_counts(request.user),
        "is_office": standing.office,
        "satisfaction_choices": Satisfaction.choices,
        # The registers build on cases, not the other way round: the inbox asks them.
        "visit_queues": visit_queues(request.user),
    }
    if standing.office or standing.leader:
        context["overdue_by_unit"] = overdue_by_unit(request.user)
    return render(request, "workbench/inbox.html", context)


@staff_required
def case_list(request):
    cases, form, queue = filtered_cases(request.user, request.GET)
    cases = cases.select_related("category", "lead_unit", "street", "community")
    page = CappedPaginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    policy = DistrictSettings.load()
    rows = [(case, deadline_state(case, policy=policy)) for case in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "workbench/case_list.html",
        {"page": page, "rows": rows, "form": form, "queue": queue, "query": query.urlencode()},
    )


@staff_required  # a resident follows his own case on /m/, without staff notes
def case_detail(request, pk):
    case = access_case_by_id(request.user, pk)
    return render(request, "workbench/case_detail.html", _case_context(request, case))


def _case_context(request, case: Case) -> dict:
    parts = list(case.parts.select_related("unit"))
    events = CaseEvent.objects.filter(case=case).select_related("actor", "actor_unit", "part__unit")
    standing = standing_of(request.user)
    pending_extensions = list(case.extensions.filter(decision=ExtensionRequest.Decision.PENDING))
    actions = {name: RULES[name].label for name in available_actions(request.user, case)}
    if not pending_extensions:
        actions.pop("decide_extension", None)
    # Publishing is offered beside each photo, not in the actions panel.
    may_publish_photos = actions.pop("publish_photo", None) is not None
    full_phone = may_see_full_phone(request.user, case)
    if full_phone:
        log_unmasked_phones(request.user, [case], "workbench:case")
    return {
        "case": case,
        "phone": case.resident_phone if full_phone else case.masked_phone,
        "parts": [(part, _part_actions(request.user, case, part)) for part in parts],
        "events": [(event, event_label(event.code)) for event in events],
        "actions": actions,
        "deadline": deadline_state(case),
        "pending_extensions": pending_extensions,
        "photos": case.photos.all(),
        "may_publish_photos": may_publish_photos,
        **_pickers(request, case, actions),
        "leaders": User.objects.filter(memberships__role=Role.LEADER).distinct(),
        "grids": grids() if "dispatch" in actions or "split" in actions else (),
        "intel": dispatch_context(case) if "dispatch" in actions or "split" in actions else None,
        "is_office": standing.office,
        "satisfaction_choices": Satisfaction.choices,
    }


def _pickers(request, case: Case, actions: dict) -> dict:
    """The unit pickers of the actions offered (reading ~250 units only when one is)."""
    if not {"dispatch", "split", "whistle"} & actions.keys():
        return {}
    units = picker_units()
    groups = picker_groups(
        units,
        suggested=case.category.default_unit_id if case.category else None,
        recent=recent_units(request.session),
    )
    return {
        "unit_groups": groups,
        "co_unit_groups": picker_groups(units),
        "whistle_groups": picker_groups(
            [unit for unit in units if unit.group in ("department", "enterprise")]
        ),
    }


def _kept(action: str, data) -> dict:
    values: dict = {key: data.get(key) for key in data if key != "csrfmiddlewaretoken"}
    values.update({f"{key}_all": data.getlist(key) for key in data})
    return {"action": action, "values": values}


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


@staff_required
@require_GET
def case_photo(request, pk, photo_pk):
    """A case's photo, for staff who may see the case, served so that it cannot run."""
    case = access_case_by_id(request.user, pk)
    photo = get_object_or_404(case.photos, pk=photo_pk)
    return photo_response(photo)


@staff_required
@require_POST
def case_action(request, pk, action):
    case = access_case_by_id(request.user, pk)
    handler = HANDLERS.get("accept" if action == "check_in" else action)
    if handler is None:
        raise Http404
    try:
        handler(case, request.user, request.POST, request.FILES)
    except WorkflowError as error:
        # A refused form comes back as it was typed, open, with the reason above it: a
        # long reply or a dispatch note is never lost to a refusal.
        messages.error(request, error.message)
        context = {**_case_context(request, case), "kept": _kept(action, request.POST)}
        if error.code == "reply_check":
            context["reply_check"] = check_case_reply(case, request.POST.get("text", ""))
        if request.headers.get("HX-Request"):
            return render(request, "workbench/_case.html", context)
        return render(request, "workbench/case_detail.html", context, status=400)
    else:
        messages.success(request, _("已完成：%(action)s") % {"action": RULES[action].label})
        if action in ("dispatch", "split"):
            chosen = [request.POST.get("unit"), *request.POST.getlist("co_units")]
            remember_units(request.session, [int(pk) for pk in chosen if pk and pk.isdigit()])
    # After a return or a merge the case may have left the user's sight: back to the inbox.
    case = Case.objects.visible_to(request.user).filter(pk=case.pk).first()
    if request.headers.get("HX-Request"):
        if case is None:
            response = HttpResponse()
            response["HX-Redirect"] = reverse("workbench:home")
            return response
        return render(request, "workbench/_case.html", _case_context(request, case))
    if request.POST.get("next") == "return_visits":
        return redirect("workbench:return_visits")
    return redirect("workbench:case", pk=case.pk) if case else redirect("workbench:home")
