"""Staff pages of the service menu (定制单): the menu and its editing, the printable menu,
the provider's queue and the orders in one's scope, an order's page with its actions,
and ordering for a household (from its card, or from the visit form).

Every page starts from `lianxin.programs.service_access`: an order outside the user's
scope is a 404; the household's head and phone are masked unless the user's work needs
them, and an unmasked view is logged.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from lianxin.cases.access import staff_required, standing_of
from lianxin.errors import WorkflowError
from lianxin.forms import add_workflow_error
from lianxin.orgs.models import Unit
from lianxin.programs import actions, service_rules
from lianxin.programs.models import (
    OrderChannel,
    Service,
    ServiceEvent,
    ServiceOrder,
)
from lianxin.programs.service_access import (
    access_order_by_id,
    orders_visible_to,
    queue_of,
    shown_household,
)
from lianxin.programs.service_forms import (
    ORDER_ACTION_FORMS,
    OrderFilterForm,
    OrderForm,
    ServiceForm,
)
from lianxin.programs.views import ERROR_FIELDS
from lianxin.registry.access import access_household_by_id
from lianxin.workdays.days import working_days_left

PER_PAGE = 30
EVENT_LABELS = {
    "programs.order.placed": gettext_lazy("点单"),
    "programs.order.scheduled": gettext_lazy("定期排期"),
    "programs.order.accepted": gettext_lazy("受理"),
    "programs.order.done": gettext_lazy("办结"),
    "programs.order.cancelled": gettext_lazy("取消"),
    "programs.order.rated": gettext_lazy("评价"),
    "programs.order.overdue": gettext_lazy("逾期提醒"),
}
QUEUES = {
    "mine": gettext_lazy("本单位待办"),
    "overdue": gettext_lazy("逾期未办结"),
    "all": gettext_lazy("全部订单"),
}


def light(order: ServiceOrder, now) -> tuple[str, str]:
    """The countdown light of an open order: (colour, words). Red once overdue, amber
    on its last two working days, green before; nothing for a closed order."""
    if not order.open:
        return "", ""
    if order.deadline < now:
        return "red", _("已逾期")
    left = working_days_left(order.deadline, now)
    if left <= 0:
        return "amber", _("今日到期")
    if left <= 2:
        return "amber", _("剩%(n)d个工作日") % {"n": left}
    return "green", _("剩%(n)d个工作日") % {"n": left}


def _lit(orders, now) -> list[ServiceOrder]:
    orders = list(orders)
    for order in orders:
        order.light, order.light_text = light(order, now)
    return orders


# The menu.


def _menu_lines(user, community_id=None):
    """The lines `user` may see: the active ones, and those he keeps though retired."""
    services = Service.objects.select_related("provider", "community").prefetch_related("tags")
    standing = standing_of(user)
    if not (standing.office or standing.admin):
        services = services.filter(Q(active=True) | Q(community__in=standing.community_ids))
    if community_id:
        services = services.filter(Q(community=None) | Q(community=community_id))
    return services.order_by("community__name", "sort_order", "name", "pk")


@require_safe
@staff_required
def menu(request):
    user = request.user
    community_id = request.GET.get("community", "")
    community_id = community_id if community_id.isdigit() else ""
    lines = list(_menu_lines(user, community_id))
    for line in lines:
        line.kept = service_rules.keeps(user, line.community)
    context = {
        "lines": lines,
        "may_add": service_rules.may_keep_menu(user),
        "communities": Unit.objects.filter(kind=Unit.Kind.COMMUNITY, active=True)
        .order_by("name")
        .values_list("pk", "name"),
        "community_id": community_id,
        "nav_services": True,
    }
    return render(request, "programs/services/menu.html", context)


@require_http_methods(["GET", "POST"])
@staff_required
def service_edit(request, pk=None):
    user = request.user
    service = get_object_or_404(Service, pk=pk) if pk is not None else None
    if service is not None and not service_rules.keeps(user, service.community):
        raise Http404
    if service is None and not service_rules.may_keep_menu(user):
        raise Http404
    initial = {}
    if service is not None:
        initial = {
            "name": service.name,
            "description": service.description,
            "community": str(service.community_id or ""),
            "provider": str(service.provider_id),
            "place": service.place,
            "working_days": service.working_days,
            "tags": [str(pk) for pk in service.tags.values_list("pk", flat=True)],
            "recurrence": service.recurrence,
            "sort_order": service.sort_order,
            "active": service.active,
        }
    form = ServiceForm(request.POST or None, user=user, service=service, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = actions.do_save_service(
                service,
                actor=user,
                name=data["name"],
                description=data["description"],
                community=data["community"] if service is None else None,
                provider=data["provider"],
                place=data["place"],
                working_days=data["working_days"],
                tags=data["tags"],
                recurrence=data["recurrence"] or "",
                active=data["active"],
                sort_order=data["sort_order"] or 0,
            )
        except WorkflowError as error:
            add_workflow_error(form, error, ERROR_FIELDS)
        else:
            messages.success(request, _("已保存服务事项“%(name)s”。") % {"name": saved.name})
            return redirect("programs:services")
    context = {"form": form, "service": service, "nav_services": True}
    status = 400 if form.errors else 200
    return render(request, "programs/services/edit.html", context, status=status)


@require_safe
@login_required
def menu_print(request):
    """The printable menu (A4, large type) a cadre carries on his visits: the district's
    lines and, with ?community=, that community's own; only the lines in use."""
    community = None
    community_id = request.GET.get("community", "")
    if community_id.isdigit():
        community = Unit.objects.filter(pk=community_id, kind=Unit.Kind.COMMUNITY).first()
    services = (
        Service.objects.filter(active=True)
        .filter(Q(community=None) | Q(community=community))
        .select_related("provider")
        .prefetch_related("tags")
        .order_by("sort_order", "name", "pk")
    )
    context = {
        "services": services,
        "community": community,
        "today": timezone.localdate(),
    }
    return render(request, "programs/services/print.html", context)


# Orders.


@require_safe
@staff_required
def order_list(request):
    user = request.user
    mine = queue_of(user)
    default = "mine" if service_rules.unit_ids_of(user) else "all"
    queue = request.GET.get("queue") or default
    if queue not in QUEUES:
        raise Http404
    now = timezone.now()
    if queue == "mine":
        orders = mine
    else:
        orders = orders_visible_to(user)
        if queue == "overdue":
            orders = orders.filter(status__in=("ordered", "accepted"), deadline__lt=now)
    services = Service.objects.order_by("name").values_list("pk", "name")
    form = OrderFilterForm(request.GET or None, services=services)
    orders = form.apply(orders).select_related(
        "service", "provider", "household", "household__community"
    )
    ordering = ["deadline", "pk"] if queue != "all" else ["-ordered_at", "-pk"]
    page = Paginator(orders.order_by(*ordering), PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = _lit(page.object_list, now)
    counts = {
        "mine": mine.count(),
        "overdue": orders_visible_to(user)
        .filter(status__in=("ordered", "accepted"), deadline__lt=now)
        .count(),
    }
    context = {
        "page": page,
        "form": form,
        "queue": queue,
        "queues": [(name, label, counts.get(name)) for name, label in QUEUES.items()],
        "nav_services": True,
    }
    return render(request, "programs/services/orders.html", context)


def _render_order(request, order: ServiceOrder, bound=None, status=200):
    user = request.user
    head, phone, unmasked = shown_household(user, order, "programs:order")
    bound = bound or {}
    forms_ = []
    for action in service_rules.available_actions(user, order):
        form_class = ORDER_ACTION_FORMS[action]
        form = bound.get(action) or (form_class() if form_class else None)
        forms_.append({"name": action, "label": service_rules.RULES[action].label, "form": form})
    _lit([order], timezone.now())
    events = ServiceEvent.objects.filter(order=order).select_related("actor", "actor_unit")
    context = {
        "order": order,
        "head": head,
        "phone": phone,
        "unmasked": unmasked,
        "actions": forms_,
        "history": [
            {"event": event, "label": EVENT_LABELS.get(event.code, event.code)} for event in events
        ],
        "nav_services": True,
    }
    return render(request, "programs/services/order.html", context, status=status)


@require_safe
@login_required
def order_detail(request, pk):
    return _render_order(request, access_order_by_id(request.user, pk))


ORDER_ACTIONS = {
    "accept": lambda order, user, data: actions.do_accept_order(order, actor=user),
    "complete": lambda order, user, data: actions.do_complete_order(
        order, actor=user, note=data["note"]
    ),
    "cancel": lambda order, user, data: actions.do_cancel_order(
        order, actor=user, reason=data["reason"]
    ),
    "rate": lambda order, user, data: actions.do_rate_order(
        order, actor=user, rating=data["rating"], note=data["note"]
    ),
}
DONE = {
    "accept": gettext_lazy("已受理，请在期限内办结。"),
    "complete": gettext_lazy("已办结，等待住户评价。"),
    "cancel": gettext_lazy("订单已取消。"),
    "rate": gettext_lazy("已记录住户评价。"),
}


@require_POST
@login_required
def order_action(request, pk, action: str):
    if action not in ORDER_ACTIONS:
        raise Http404
    user = request.user
    order = access_order_by_id(user, pk)
    form_class = ORDER_ACTION_FORMS[action]
    form: forms.Form | None = form_class(request.POST) if form_class else None
    if form is None or form.is_valid():
        data = form.cleaned_data if form is not None else {}
        try:
            ORDER_ACTIONS[action](order, user, data)
        except WorkflowError as error:
            if form is None:
                messages.error(request, str(error.message))
                return redirect("programs:order", pk=order.pk)
            add_workflow_error(form, error, ERROR_FIELDS)
        else:
            messages.success(request, str(DONE[action]))
            return redirect("programs:order", pk=order.pk)
    return _render_order(request, order, bound={action: form}, status=400)


@require_http_methods(["GET", "POST"])
@login_required
def order_for_household(request, household_pk):
    """Order a service for a household: from its card (by phone), or from the visit form
    (`?via=visit`). The menu is the household's, each line marked if it may not order it."""
    user = request.user
    household = access_household_by_id(user, household_pk)
    try:
        # Seeing a household (a department attached to its 片区) is not ordering for it,
        # and its menu tells which of its tags it has: a 404 like any page not yours.
        service_rules.check_order(user, household, OrderChannel.PHONE)
    except WorkflowError:
        raise Http404 from None
    menu_lines = service_rules.menu_for(household)
    orderable = [service for service, refused in menu_lines if refused is None]
    via = request.GET.get("via") or request.POST.get("channel") or OrderChannel.PHONE
    form = OrderForm(request.POST or None, services=orderable, initial={"channel": via})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        service = next(s for s in orderable if str(s.pk) == data["service"])
        try:
            order = actions.do_order_service(
                service, household, actor=user, channel=data["channel"], note=data["note"]
            )
        except WorkflowError as error:
            add_workflow_error(form, error, ERROR_FIELDS)
        else:
            messages.success(
                request,
                _("已为该户点单“%(service)s”，请%(unit)s于%(day)s前办结。")
                % {
                    "service": service.name,
                    "unit": service.provider.name,
                    "day": timezone.localtime(order.deadline).date().isoformat(),
                },
            )
            if via == OrderChannel.VISIT and data["channel"] == OrderChannel.VISIT:
                return redirect("visits:form", pk=household.pk)
            return redirect("programs:order", pk=order.pk)
    open_orders = (
        ServiceOrder.objects.filter(household=household, status__in=("ordered", "accepted"))
        .select_related("service")
        .order_by("deadline")
    )
    context = {
        "household": household,
        "form": form,
        "lines": menu_lines,
        "open_orders": open_orders,
        "via": via,
        "nav_services": True,
    }
    return render(
        request, "programs/services/order_for.html", context, status=400 if form.errors else 200
    )
