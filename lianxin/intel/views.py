"""Pages of the intel app: probable duplicates, "similar reports nearby", and topics.

Views are thin: they parse, check access, call `lianxin.intel.nearby` or the
workflow actions, and render. A batch on a topic is one workflow action per
case, each in its own transaction, so one refused case does not undo the rest.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lianxin.cases import actions
from lianxin.cases.access import (
    access_case_by_id,
    require_office,
    require_staff,
    staff_required,
    standing_of,
)
from lianxin.cases.models import Case
from lianxin.cases.redaction import public_text
from lianxin.cases.rules import RULES, WorkflowError, available_actions, check
from lianxin.geo.coords import WGS84
from lianxin.geo.points import parse_point
from lianxin.intel import nearby
from lianxin.intel.forms import BATCH_FORMS, SupportForm
from lianxin.intel.models import Topic
from lianxin.intel.places import extract_places
from lianxin.intel.topicsync import refresh_topics

# ---- duplicates at intake (staff) ----


@staff_required
@require_GET
def case_duplicates(request, pk):
    """The open cases that are probably the same problem as this one (a fragment)."""
    case = access_case_by_id(request.user, pk)
    found = []
    if not case.is_final:
        found = [
            (other, match, nearby.describe(match))
            for other, match in nearby.find(
                nearby.Probe.of(case), Case.objects.visible_to(request.user)
            )
        ]
    context = {
        "case": case,
        "loaded": True,
        "duplicates": found,
        "may_merge": "merge" in available_actions(request.user, case),
    }
    return render(request, "intel/_duplicates.html", context)


@staff_required
@require_POST
def link_case(request, pk):
    case = access_case_by_id(request.user, pk)
    other = access_case_by_id(request.user, request.POST.get("other"))
    try:
        actions.do_link_cases(case, actor=request.user, other=other)
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已与 %(number)s 关联。") % {"number": other.tracking_number})
    return redirect("workbench:case", pk=case.pk)


# ---- similar reports nearby (residents, before submitting) ----


def _public_place(case: Case) -> str:
    """A rough place a stranger may read: the community, or the estate or road named."""
    if case.community:
        return case.community.name
    names = sorted(extract_places(case.address).names, key=len)
    return names[-1] if names else ""


@require_GET
def similar(request):
    """Open cases like what the resident is typing (a fragment for the submit page).

    Shows only what any visitor may read: the title with personal data blanked, status,
    category, a rough place and the number of supports; never the resident, the phone,
    the address or the text."""
    title = request.GET.get("title", "").strip()[:100]
    text = request.GET.get("text", "").strip()[:2000]
    address = request.GET.get("address", "").strip()[:200]
    try:
        point = parse_point(
            request.GET.get("latitude"),
            request.GET.get("longitude"),
            request.GET.get("datum") or WGS84,
        )
    except ValidationError:
        point = None  # a bad pin: look by the address alone
    rows = []
    if len(title) + len(text) >= 4 and (address or point):
        probe = nearby.Probe(
            title=title or text[:30],
            text=text,
            address=address,
            latitude=point[0] if point else None,
            longitude=point[1] if point else None,
        )
        rows = [
            {
                "case": case,
                "title": public_text(case.title, case),
                "place": _public_place(case),
                "reasons": nearby.describe(match, public=True),
            }
            for case, match in nearby.find(probe, limit=3)
        ]
    form = SupportForm(initial={"phone": request.GET.get("phone", "")})
    return render(request, "intel/_similar.html", {"rows": rows, "support_form": form})


@require_http_methods(["GET", "POST"])
def support(request, pk):
    """Say "me too" (我也反映): one more resident behind an open case, not a new case."""
    case = Case.objects.select_related("category", "community").filter(pk=pk).first()
    if case is None or case.is_final:
        raise Http404
    # From the "similar" list without a phone, a visitor first sees the form; no error yet.
    ready = request.method == "POST" and bool(
        request.user.is_authenticated or request.POST.get("phone") or "confirm" in request.POST
    )
    form = SupportForm(request.POST if ready else None)
    done = None
    if ready and form.is_valid():
        actor = request.user if request.user.is_authenticated else None
        try:
            done = actions.do_support_case(
                case,
                actor=actor,
                phone=form.cleaned_data["phone"],
                comment=form.cleaned_data["comment"],
            )
        except WorkflowError as error:
            field = "phone" if error.code in ("phone_required", "invalid_phone") else None
            form.add_error(field, str(error.message))
        else:
            case.refresh_from_db(fields=["support_count"])
    context = {
        "case": case,
        "title": public_text(case.title, case),
        "place": _public_place(case),
        "form": form,
        "done": done,
    }
    return render(request, "intel/support.html", context, status=200)


# ---- topics (office and handling units) ----


@login_required
@require_GET
def topic_list(request):
    require_staff(request.user)
    topics = Topic.objects.for_user(request.user)[:100]
    return render(
        request,
        "intel/topic_list.html",
        {"topics": topics, "is_office": standing_of(request.user).office},
    )


@login_required
@require_POST
def topic_refresh(request):
    require_office(request.user)
    found = refresh_topics()
    messages.success(request, _("已更新专题，共%(n)d个。") % {"n": len(found)})
    return redirect("intel:topics")


def _topic_and_cases(request, pk):
    require_staff(request.user)
    topic = get_object_or_404(Topic, pk=pk)
    cases = list(
        Case.objects.visible_to(request.user)
        .filter(topic_membership__topic=topic)
        .select_related("category", "lead_unit", "community", "grid")
        .order_by("registered_at")
    )
    if not cases:
        raise Http404
    return topic, cases


def _eligible(user, cases, action: str) -> list[Case]:
    """The cases on which `user` may take `action` now: what the batch page offers."""
    found = []
    for case in cases:
        try:
            check(action, user, case)
        except WorkflowError:
            continue
        found.append(case)
    return found


def _batch_forms(request, cases, bound=None):
    forms = {}
    for action, form_class in BATCH_FORMS.items():
        eligible = _eligible(request.user, cases, action)
        if eligible:
            form = bound if bound is not None and bound[0] == action else None
            forms[action] = {
                "label": RULES[action].label,
                "form": form[1] if form else form_class(eligible=eligible, prefix=action),
                "count": len(eligible),
            }
    return forms


@login_required
@require_GET
def topic_detail(request, pk):
    topic, cases = _topic_and_cases(request, pk)
    return render(
        request,
        "intel/topic_detail.html",
        {"topic": topic, "cases": cases, "batches": _batch_forms(request, cases)},
    )


@login_required
@require_POST
def topic_batch(request, pk, action):
    """Apply one reply, resolution or dispatch to the chosen cases of a topic, case by case."""
    if action not in BATCH_FORMS:
        raise Http404
    topic, cases = _topic_and_cases(request, pk)
    eligible = _eligible(request.user, cases, action)
    if not eligible:
        raise Http404
    form = BATCH_FORMS[action](request.POST, eligible=eligible, prefix=action)
    if not form.is_valid():
        context = {
            "topic": topic,
            "cases": cases,
            "batches": _batch_forms(request, cases, bound=(action, form)),
        }
        return render(request, "intel/topic_detail.html", context, status=400)
    data = form.cleaned_data
    chosen = [c for c in eligible if c.pk in set(data["cases"])]
    done, failed = [], []
    for case in chosen:
        try:
            if action == "reply":
                actions.do_reply_case(case, actor=request.user, text=data["text"])
            elif action == "resolve":
                actions.do_resolve_case(case, actor=request.user, note=data["note"])
            else:
                actions.do_dispatch_case(
                    case, actor=request.user, unit=data["unit"], instruction=data["instruction"]
                )
        except WorkflowError as error:
            failed.append(f"{case.tracking_number}：{error.message}")
        else:
            done.append(case.tracking_number)
    label = RULES[action].label
    if done:
        messages.success(
            request,
            ngettext(
                "已%(action)s %(n)d 件：%(numbers)s",
                "已%(action)s %(n)d 件：%(numbers)s",
                len(done),
            )
            % {"action": label, "n": len(done), "numbers": "、".join(done)},
        )
    for line in failed:
        messages.error(request, _("未能%(action)s %(line)s") % {"action": label, "line": line})
    return redirect("intel:topic", pk=topic.pk)
