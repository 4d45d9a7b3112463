"""Staff pages of the micro-wishes: the review queue and the wishes in one's scope, a
wish's page with its actions, recording a wish for a household, one's own claims, and
the figures.

Every page starts from `lianxin.programs.access`: a wish outside the user's scope is a
404; the wisher is masked unless the user's work needs him, and an unmasked view is logged.
The lists are for staff; a wish's own pages are for whoever's scope holds it, which
includes a pair's cadre without a staff role who recorded it for a household.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from lianxin.cases.access import staff_required
from lianxin.cases.photos import photo_response
from lianxin.errors import WorkflowError
from lianxin.forms import add_workflow_error
from lianxin.orgs.models import Unit
from lianxin.programs import actions, figures, rules, service_access, service_figures
from lianxin.programs.access import (
    access_wish_by_id,
    area_wishes,
    may_see_figures,
    queue_of,
    reviewed_by,
    shown_wisher,
    wishes_visible_to,
)
from lianxin.programs.forms import ACTION_FORMS, ClaimForm, TextForm, WishFilterForm
from lianxin.programs.models import Wish, WishClaim, WishEvent, WishStatus
from lianxin.registry.access import access_household_by_id
from lianxin.workdays.days import local_date

PER_PAGE = 30
S = WishStatus
EVENT_LABELS = {
    "programs.wish.posted": gettext_lazy("提交心愿"),
    "programs.wish.revised": gettext_lazy("修改心愿"),
    "programs.wish.published": gettext_lazy("审核发布"),
    "programs.wish.change_requested": gettext_lazy("退回修改"),
    "programs.wish.declined": gettext_lazy("不予采纳"),
    "programs.wish.claimed": gettext_lazy("认领"),
    "programs.wish.released": gettext_lazy("放弃认领"),
    "programs.wish.fulfilled": gettext_lazy("登记完成"),
    "programs.wish.confirmed": gettext_lazy("确认圆梦"),
    "programs.wish.disputed": gettext_lazy("反馈未实现"),
    "programs.wish.claim_overdue": gettext_lazy("认领逾期"),
}
# The form field a refusal is about, so that the message sits beside it.
ERROR_FIELDS = {
    "text_required": "text",
    "text_too_long": "text",
    "note_required": "note",
    "note_too_long": "note",
    "reason_required": "reason",
    "reason_too_long": "reason",
    "invalid_date": "promised_date",
    "invalid_photo": "photos",
    "too_many_photos": "photos",
}
QUEUES = {
    "review": gettext_lazy("待审核"),
    "overdue": gettext_lazy("认领逾期"),
    "claimable": gettext_lazy("待认领"),
    "all": gettext_lazy("全部心愿"),
}


def event_label(code: str) -> str:
    return str(EVENT_LABELS.get(code, code))


def _live_claims():
    return Prefetch(
        "claims",
        queryset=WishClaim.objects.filter(released_at__isnull=True).select_related("unit"),
        to_attr="live_claims",
    )


@require_safe
@staff_required
def wish_list(request):
    user = request.user
    default = "review" if reviewed_by(user).exists() else "claimable"
    queue = request.GET.get("queue") or default
    if queue not in QUEUES:
        raise Http404
    communities = (
        Unit.objects.filter(
            kind=Unit.Kind.COMMUNITY, pk__in=wishes_visible_to(user).values("community")
        )
        .order_by("name")
        .values_list("pk", "name")
    )
    form = WishFilterForm(request.GET or None, communities=communities)
    wishes = form.apply(queue_of(user, queue))
    wishes = wishes.select_related("community").prefetch_related(_live_claims())
    page = Paginator(wishes.order_by("-posted_at", "-pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    counts = {name: queue_of(user, name).count() for name in ("review", "overdue", "claimable")}
    context = {
        "page": page,
        "form": form,
        "queue": queue,
        "queues": [(name, label, counts.get(name)) for name, label in QUEUES.items()],
        "today": local_date(timezone.now()),
        "may_see_figures": may_see_figures(user),
        "nav_wishes": True,
    }
    return render(request, "programs/wish_list.html", context)


def _render_detail(request, wish: Wish, bound=None, status=200):
    user = request.user
    claim = (
        WishClaim.objects.filter(wish=wish, released_at__isnull=True).select_related("unit").first()
    )
    name, phone, unmasked = shown_wisher(user, wish, claim, "programs:wish")
    available = rules.available_actions(user, wish, claim)
    bound = bound or {}
    action_forms = []
    for action in available:
        form_class = ACTION_FORMS[action]
        if action in bound:
            form = bound[action]
        elif form_class is ClaimForm:
            form = ClaimForm(user=user)
        else:
            form = form_class() if form_class else None
        action_forms.append({"name": action, "label": rules.RULES[action].label, "form": form})
    events = WishEvent.objects.filter(wish=wish).select_related("actor", "actor_unit")
    context = {
        "wish": wish,
        "claim": claim,
        "wisher_name": name,
        "wisher_phone": phone,
        "unmasked": unmasked,
        "actions": action_forms,
        "photos": list(wish.photos.all()),
        "history": [
            {
                "event": event,
                "label": event_label(event.code),
                # The wisher acting for himself is named as such: never his name to others.
                "actor": _("心愿人")
                if event.actor_id is not None and event.actor_id == wish.wisher_id
                else event.actor,
            }
            for event in events
        ],
        "claims": WishClaim.objects.filter(wish=wish).select_related("claimer", "unit"),
        "today": local_date(timezone.now()),
        "nav_wishes": True,
    }
    return render(request, "programs/wish_detail.html", context, status=status)


@require_safe
@login_required
def wish_detail(request, pk):
    wish = access_wish_by_id(request.user, pk)
    return _render_detail(request, wish)


ACTIONS = {
    "publish": lambda wish, user, data: actions.do_publish_wish(wish, actor=user),
    "request_change": lambda wish, user, data: actions.do_request_wish_change(
        wish, actor=user, note=data["note"]
    ),
    "decline": lambda wish, user, data: actions.do_decline_wish(
        wish, actor=user, reason=data["reason"]
    ),
    "revise": lambda wish, user, data: actions.do_revise_wish(
        wish, actor=user, text=data["text"], photos=data["photos"]
    ),
    "claim": lambda wish, user, data: actions.do_claim_wish(
        wish, actor=user, promised_date=data["promised_date"], unit=data["unit"]
    ),
    "release": lambda wish, user, data: actions.do_release_wish_claim(
        wish, actor=user, reason=data["reason"]
    ),
    "fulfil": lambda wish, user, data: actions.do_fulfil_wish(
        wish, actor=user, note=data["note"], photos=data["photos"]
    ),
    "confirm": lambda wish, user, data: actions.do_confirm_wish(wish, actor=user),
    "dispute": lambda wish, user, data: actions.do_dispute_wish(
        wish, actor=user, reason=data["reason"]
    ),
}
DONE = {
    "publish": gettext_lazy("心愿已发布到心愿墙。"),
    "request_change": gettext_lazy("已退回心愿人修改。"),
    "decline": gettext_lazy("已不予采纳，并记录原因。"),
    "revise": gettext_lazy("心愿已修改，等待社区审核。"),
    "claim": gettext_lazy("认领成功，请在承诺日期前完成。"),
    "release": gettext_lazy("已放弃认领，心愿回到心愿墙。"),
    "fulfil": gettext_lazy("已登记完成，等待心愿人确认。"),
    "confirm": gettext_lazy("已确认圆梦。"),
    "dispute": gettext_lazy("已反馈未实现，心愿退回认领人。"),
}


@require_POST
@login_required
def wish_action(request, pk, action: str):
    if action not in ACTIONS:
        raise Http404
    user = request.user
    wish = access_wish_by_id(user, pk)
    form_class = ACTION_FORMS[action]
    form: forms.Form | None = None
    if form_class is ClaimForm:
        form = ClaimForm(request.POST, user=user)
    elif form_class is not None:
        form = form_class(request.POST, request.FILES)
    if form is None or form.is_valid():
        data = form.cleaned_data if form is not None else {}
        try:
            ACTIONS[action](wish, user, data)
        except WorkflowError as error:
            if form is None:
                messages.error(request, str(error.message))
                return redirect("programs:wish", pk=wish.pk)
            add_workflow_error(form, error, ERROR_FIELDS)
        else:
            messages.success(request, str(DONE[action]))
            return redirect("programs:wish", pk=wish.pk)
    return _render_detail(request, wish, bound={action: form}, status=400)


@require_http_methods(["GET", "POST"])
@login_required
def record_for_household(request, household_pk):
    """A cadre records a wish he heard on a visit, for the household (its head is the
    wisher; the community reviews it like any other)."""
    household = access_household_by_id(request.user, household_pk)
    form = TextForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            wish = actions.do_post_wish(
                actor=request.user,
                household=household,
                text=form.cleaned_data["text"],
                photos=form.cleaned_data["photos"],
            )
        except WorkflowError as error:
            add_workflow_error(form, error, ERROR_FIELDS)
        else:
            messages.success(request, _("心愿已登记，等待社区审核。"))
            return redirect("programs:wish", pk=wish.pk)
    context = {"form": form, "household": household, "nav_wishes": True}
    return render(request, "programs/record.html", context, status=400 if form.errors else 200)


@require_safe
@staff_required
def my_claims(request):
    """Every claim the user made, live and released, newest first: his history."""
    claims = (
        WishClaim.objects.filter(claimer=request.user)
        .select_related("wish", "wish__community", "unit")
        .order_by("-claimed_at", "-pk")
    )
    page = Paginator(claims, PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "today": local_date(timezone.now()), "nav_wishes": True}
    return render(request, "programs/my_claims.html", context)


@require_safe
@staff_required
def figures_view(request):
    wishes = area_wishes(request.user)
    today = local_date(timezone.now())
    total = figures.totals(wishes, today)
    context = {
        "measures": figures.MEASURES,
        "total": total,
        "cards": [(code, label, getattr(total, code)) for code, label in figures.MEASURES.items()],
        "communities": figures.by_community(wishes, today),
        "units": figures.by_claimer_unit(wishes, today),
        "released": figures.released_claims(wishes),
        "nav_wishes": True,
        **service_figures_context(request.user),
    }
    return render(request, "programs/figures.html", context)


def service_figures_context(user) -> dict:
    """The service menu's figures over the orders of `user`'s area, for the same page."""
    orders = service_access.area_orders(user)
    now = timezone.now()
    total = service_figures.totals(orders, now)
    return {
        "service_measures": service_figures.MEASURES,
        "service_total": total,
        "service_cards": [
            (code, label, getattr(total, code)) for code, label in service_figures.MEASURES.items()
        ],
        "service_providers": service_figures.by_provider(orders, now),
        "service_communities": service_figures.by_community(orders, now),
    }


@require_safe
@login_required
def wish_photo(request, pk, photo_pk):
    wish = access_wish_by_id(request.user, pk)
    return photo_response(get_object_or_404(wish.photos, pk=photo_pk))
