"""The cadre's pages on his phone: the households to visit, and the visit form.

The form is sent by static/js/visit-form.js with `fetch` (a JSON answer), or as a plain
form without it; its client key makes a second sending (after the network dropped) safe.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lianxin.cases.models import Category
from lianxin.cases.rules import WorkflowError
from lianxin.orgs.models import DistrictSettings
from lianxin.registry import actions, rules
from lianxin.registry.access import (
    access_household_by_id,
    log_unmasked,
    personal_data_household_ids,
    sees_personal_data,
    shown_phone,
)
from lianxin.registry.models import Round, Visit, VisitDue
from lianxin.registry.round_forms import QuestionFormSet, RoundForm, initial_for, questions_of
from lianxin.registry.worklists import (
    DUE_LABELS,
    households_due,
    households_to_visit,
    in_visiting_order,
    open_dues_of,
    visiting_rank,
)

PER_PAGE = 30


def _wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


@require_GET
@login_required(login_url="/m/login/")
def mine(request):
    round_ = actions.open_round()
    households = households_to_visit(request.user)
    due = request.GET.get("due", "")
    if due in DUE_LABELS:
        households = households_due(households, due)
    query = request.GET.get("q", "").strip()
    if query:
        households = households.filter(Q(address__icontains=query) | Q(head_name__icontains=query))
    # Rank the whole list by what orders it, then annotate only the page's households.
    now = timezone.now()
    ranked = visiting_rank(households, round_, now).values_list("pk", flat=True)
    page = Paginator(ranked, PER_PAGE).get_page(request.GET.get("page"))
    shown = households.filter(pk__in=list(page.object_list))
    page.object_list = list(in_visiting_order(shown, round_, now))
    unmasked = personal_data_household_ids(request.user, page.object_list)
    for household in page.object_list:
        household.shown_phone = shown_phone(household.phone, household.pk in unmasked)
    log_unmasked(request.user, unmasked, "phone", place="visits:mine")
    return render(
        request,
        "visits/mine.html",
        {
            "page": page,
            "round": round_,
            "query": query,
            "due": due if due in DUE_LABELS else "",
            "due_label": DUE_LABELS.get(due, ""),
            "now": timezone.now(),
        },
    )


def _opinions(post) -> list[dict]:
    titles = post.getlist("opinion_title")
    texts = post.getlist("opinion_text")
    categories = post.getlist("opinion_category")
    found = []
    for i, text in enumerate(texts):
        category_id = categories[i] if i < len(categories) else ""
        category = None
        if category_id:
            category = category_id.isdigit() and (
                Category.objects.filter(pk=category_id, active=True).first()
            )
            if not category:
                raise WorkflowError("invalid", _("所选分类无效。"))
        found.append(
            {"title": titles[i] if i < len(titles) else "", "text": text, "category": category}
        )
    return found


def _visited_at(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise WorkflowError("invalid", _("走访时间格式不正确。")) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _record(request, household, round_):
    post = request.POST
    questions = list(round_.questions.all()) if round_ else []
    answers = {str(q.position): post.get(f"q_{q.position}", "") for q in questions}
    met = post.get("met")
    if met not in ("yes", "no"):
        raise WorkflowError("invalid", _("请选择是否见到本人。"))
    return actions.do_record_visit(
        household,
        actor=request.user,
        round=round_,
        visited_at=_visited_at(post.get("visited_at", "")),
        method=post.get("method", ""),
        met=met == "yes",
        answers=answers,
        note=post.get("note", ""),
        opinions=_opinions(post),
        client_key=post.get("client_key", ""),
    )


@require_http_methods(["GET", "POST"])
@login_required(login_url="/m/login/")
def visit_form(request, pk):
    household = access_household_by_id(request.user, pk)
    round_ = actions.open_round()
    if not rules.allowed("record_visit", request.user, household):
        # Seeing a household (a department attached to its 片区) is not visiting it.
        return render(request, "visits/not_yours.html", {"household": household}, status=403)
    error = None
    if request.method == "POST":
        try:
            visit = _record(request, household, round_)
        except WorkflowError as refused:
            error = str(refused.message)
            if _wants_json(request):
                return JsonResponse({"ok": False, "error": error}, status=400)
        else:
            done = _("已记录对%(address)s的走访。") % {"address": household.address}
            if visit.heard_cases.exists():
                done += _("登记意见%(n)s条。") % {"n": visit.heard_cases.count()}
            messages.success(request, done)
            if _wants_json(request):
                return JsonResponse(
                    {
                        "ok": True,
                        "visit": visit.pk,
                        "message": done,
                        "redirect": reverse("visits:mine"),
                    }
                )
            return redirect("visits:mine")
    unmasked = sees_personal_data(request.user, household)
    if unmasked:
        log_unmasked(request.user, [household.pk], "phone", place="visits:form")
    now = timezone.localtime()
    post = request.POST if request.method == "POST" else {}
    questions = list(round_.questions.all()) if round_ else []
    for question in questions:
        question.given = post.get(f"q_{question.position}", "")
    rows = [
        {"title": title, "text": text}
        for title, text in zip(
            request.POST.getlist("opinion_title"),
            request.POST.getlist("opinion_text"),
            strict=False,
        )
    ] or [{"title": "", "text": ""}]
    return render(
        request,
        "visits/form.html",
        {
            "household": household,
            "phone": shown_phone(household.phone, unmasked),
            "unmasked": unmasked,
            "round": round_,
            "questions": questions,
            "opinion_rows": rows,
            "dues": open_dues_of(household),
            "methods": Visit.Method.choices,
            "categories": Category.objects.filter(active=True).order_by("parent_id", "name"),
            "error": error,
            "post": post,
            "client_key": request.POST.get("client_key") or get_random_string(32),
            "visited_at": post.get("visited_at") or now.strftime("%Y-%m-%dT%H:%M"),
            "now": now,
        },
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required(login_url="/m/login/")
def urgent(request, pk):
    """及时访: anyone who may see the household asks its pair to call soon."""
    household = access_household_by_id(request.user, pk)
    error = None
    reason = request.POST.get("reason", "")
    if request.method == "POST":
        try:
            due = actions.do_open_urgent_visit(household, actor=request.user, reason=reason)
        except WorkflowError as refused:
            error = str(refused.message)
        else:
            messages.success(
                request,
                _("已发起及时访，请于%(day)s前走访。")
                % {"day": timezone.localtime(due.due_at).date().isoformat()},
            )
            if rules.allowed("record_visit", request.user, household):
                return redirect("visits:form", pk=household.pk)
            return redirect("visits:urgent", pk=household.pk)
    return render(
        request,
        "visits/urgent.html",
        {
            "household": household,
            "reason": reason,
            "error": error,
            "days": DistrictSettings.load().urgent_visit_working_days,
            "dues": open_dues_of(household),
        },
        status=400 if error else 200,
    )


def _office_only(user) -> None:
    """The rounds page is the office's; for anyone else it does not exist."""
    try:
        rules.check("run_rounds", user, community=None)
    except WorkflowError:
        raise Http404 from None


@require_GET
@login_required
def rounds(request):
    _office_only(request.user)
    # Counted apart, one GROUP BY each: joining a round's dues and its visits in one query
    # multiplies them (tens of thousands of each in a round: minutes of CPU for three rows).
    dues = {
        row["round"]: row
        for row in VisitDue.objects.values("round").annotate(
            n=Count("pk"), done=Count("pk", filter=Q(visit__isnull=False))
        )
    }
    visited = dict(
        Visit.objects.values("round")
        .annotate(n=Count("household", distinct=True))
        .values_list("round", "n")
    )
    rows = list(Round.objects.order_by("-number"))
    for round_ in rows:
        counts = dues.get(round_.pk, {})
        round_.dues = counts.get("n", 0)
        round_.dues_done = counts.get("done", 0)
        round_.visited = visited.get(round_.pk, 0)
    return render(request, "visits/rounds.html", {"rounds": rows})


@require_POST
@login_required
def round_change(request, pk, change):
    _office_only(request.user)
    round_ = get_object_or_404(Round, pk=pk)
    try:
        if change == "open":
            count = actions.do_open_round(round_, actor=request.user)
            messages.success(
                request,
                _("“%(round)s”已启动，重点访%(n)s户。") % {"round": round_.title, "n": count},
            )
        else:
            actions.do_close_round(round_, actor=request.user)
            messages.success(request, _("“%(round)s”已结束。") % {"round": round_.title})
    except WorkflowError as refused:
        messages.error(request, str(refused.message))
    return redirect("visits:rounds")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def round_edit(request, pk=None):
    """Write a round and its questionnaire (new, or one still in preparation)."""
    _office_only(request.user)
    round_ = get_object_or_404(Round, pk=pk) if pk is not None else None
    if round_ is not None and round_.status != Round.Status.DRAFT and request.method != "POST":
        messages.error(request, _("只有筹备中的轮次才能修改。"))
        return redirect("visits:rounds")
    initial, questions = initial_for(round_) if round_ is not None else ({}, [])
    form = RoundForm(request.POST or None, initial=initial)
    formset = QuestionFormSet(request.POST or None, initial=questions, prefix="q")
    error = None
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        try:
            saved = actions.do_save_round(
                round_,
                actor=request.user,
                number=data["number"],
                title=data["title"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                materials=data["materials"],
                priority_tags=data["priority_tags"],
                priority_working_days=data["priority_working_days"],
                questions=questions_of(formset),
            )
        except WorkflowError as refused:
            error = refused.message
        else:
            messages.success(request, _("已保存“%(round)s”。") % {"round": saved.title})
            return redirect("visits:rounds")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "visits/round_form.html",
        {"round": round_, "form": form, "formset": formset, "error": error},
        status=status,
    )
