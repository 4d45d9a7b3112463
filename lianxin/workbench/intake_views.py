"""Intake pages and the office's return-visit list."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from lianxin.cases import actions, search
from lianxin.cases.access import log_unmasked_phones, require_office, require_staff
from lianxin.cases.models import Case, Channel, Satisfaction, Status
from lianxin.cases.rules import WorkflowError
from lianxin.workbench.intake import (
    LAST_CHANNEL_KEY,
    ForumForm,
    IntakeForm,
    SuggestionFormSet,
    intake_initial,
)


@login_required
def intake(request):
    """Record a concern heard by phone, on a visit or at a meeting."""
    require_staff(request.user)
    form = IntakeForm(request.POST or None, initial=intake_initial(request.user, request.session))
    key = request.POST.get("key") or uuid.uuid4().hex
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = actions.do_register_case(
                actor=request.user,
                channel=data["channel"],
                title=data["title"],
                text=data["text"],
                address=data["address"],
                grid=data["grid"],
                category=data["category"],
                urgency=data["urgency"],
                resident_name=data["resident_name"],
                resident_phone=data["resident_phone"],
                anonymous=data["anonymous"],
                open_for_claim=data["open_for_claim"],
                idempotency_key=f"intake-{request.user.pk}-{key}",
            )
        except WorkflowError as error:
            form.add_error(None, error.message)
        else:
            request.session[LAST_CHANNEL_KEY] = data["channel"]
            messages.success(
                request, _("已登记，受理编号 %(number)s。") % {"number": case.tracking_number}
            )
            return redirect("workbench:case", pk=case.pk)
    return render(request, "workbench/intake.html", {"form": form, "key": key})


CALLER_CASES_SHOWN = 10


@login_required
def caller_cases(request):
    """The caller's earlier cases (those this person may see), beside the intake form."""
    require_staff(request.user)
    if request.method != "POST":  # the phone travels in the body, never in a logged URL
        return HttpResponseNotAllowed(["POST"])
    phone = "".join(ch for ch in request.POST.get("resident_phone", "") if ch.isdigit())
    cases = []
    if len(phone) >= 7:
        cases = list(
            Case.objects.visible_to(request.user)
            .filter(resident_phone=phone)
            .order_by("-registered_at", "-pk")[:CALLER_CASES_SHOWN]
        )
    return render(request, "workbench/_caller_cases.html", {"cases": cases, "phone": phone})


@login_required
def forum(request):
    """A forum's suggestions, each registered and offered to the departments to claim
    (居民点题、部门领题)."""
    require_staff(request.user)
    form = ForumForm(request.POST or None, prefix="forum")
    suggestions = SuggestionFormSet(request.POST or None, prefix="s")
    if request.method == "POST" and form.is_valid() and suggestions.is_valid():
        meeting = form.cleaned_data
        rows = [row for row in suggestions.cleaned_data if row]
        try:
            with transaction.atomic():  # all of the forum's suggestions, or none
                cases = [
                    actions.do_register_case(
                        actor=request.user,
                        channel=Channel.MEETING,
                        title=row["title"],
                        text=f"{meeting['held_on']:%Y-%m-%d} {meeting['meeting']}：{row['text']}",
                        address=meeting["address"],
                        grid=meeting["grid"],
                        category=row["category"],
                        resident_name=row["resident_name"],
                        open_for_claim=True,
                    )
                    for row in rows
                ]
        except WorkflowError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("已登记 %(n)d 条建议，已发布给各部门认领：%(numbers)s")
                % {"n": len(cases), "numbers": "、".join(c.tracking_number for c in cases)},
            )
            return redirect("workbench:home")
    return render(request, "workbench/forum.html", {"form": form, "suggestions": suggestions})


@login_required
def return_visits(request):
    """The office's calls to residents: the whole phone number is shown here and only here.

    Cases to call now come first, the longest verified at the top; a case whose call
    reached nobody waits below until its next try."""
    require_office(request.user)
    now = timezone.now()
    cases = Case.objects.visible_to(request.user).filter(status=Status.VERIFIED)
    query = request.GET.get("q", "").strip()[:50]
    if query:
        cases = search.matching(cases, query)
    later = ExpressionWrapper(Q(call_again_at__gt=now), output_field=BooleanField())
    cases = (
        cases.select_related("lead_unit", "category")
        .annotate(call_later=later)
        # Those to call now first; PostgreSQL says NULL, not false, when there is no next try.
        .order_by(F("call_later").asc(nulls_first=True), "verified_at", "pk")
    )
    page = Paginator(cases, 20).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)  # read once: logged, then shown
    log_unmasked_phones(request.user, page.object_list, "workbench:return_visits")
    return render(
        request,
        "workbench/return_visits.html",
        {"page": page, "q": query, "satisfaction_choices": Satisfaction.choices},
    )
