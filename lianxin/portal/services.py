"""The service menu on the residents' pages (/m/services/): a signed-in resident orders
for his household and rates what was done.

A resident speaks for a household when his account's phone is the household's phone or
an active member's, and he proved that phone with a text code (`service_rules.
resident_households`): a phone typed at sign-up proves nothing, and a household's menu
tells which of its tags it has. Until he proved it the page offers the code and nothing
else; staff order at the workbench, not here.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from lianxin.errors import WorkflowError
from lianxin.notify.verify import account_phone_verified, do_check_phone_code
from lianxin.portal.views import _resident_actor, _send_code
from lianxin.programs import actions, service_rules
from lianxin.programs.models import OrderChannel, Rating, Service, ServiceOrder
from lianxin.programs.service_views import light

LOGIN = reverse_lazy("portal:login")
RECENT = 20


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("短信验证码"), max_length=6, required=False)


class PortalOrderForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("需求说明（选填）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PortalRateForm(forms.Form):
    rating = forms.ChoiceField(
        label=gettext_lazy("您对这次服务满意吗？"), choices=Rating.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=gettext_lazy("意见（不满意时必填）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _proved(user) -> bool:
    return user is not None and account_phone_verified(user, user.phone)


def _households(user):
    return service_rules.resident_households(user, phone_proved=_proved(user))


@require_http_methods(["GET", "POST"])
@login_required(login_url=LOGIN)
def menu(request):
    user = _resident_actor(request.user)
    if user is None:
        raise Http404  # staff order for a household at the workbench
    code_form = CodeForm(request.POST or None)
    if request.method == "POST":
        if "send_code" in request.POST:
            message, status = _send_code(request, user, user.phone)
            (messages.success if status == 200 else messages.error)(request, message)
        elif code_form.is_valid():
            try:
                do_check_phone_code(user.phone, code_form.cleaned_data["code"], user=user)
            except WorkflowError as error:
                messages.error(request, str(error.message))
            else:
                messages.success(request, _("手机号已验证。"))
        return redirect("portal:services")
    households = list(_households(user).select_related("community"))
    for household in households:
        household.lines = [s for s, refused in service_rules.menu_for(household) if not refused]
    orders = list(
        ServiceOrder.objects.filter(household__in=[h.pk for h in households])
        .select_related("service", "provider", "household")
        .order_by("-ordered_at", "-pk")[:RECENT]
    )
    now = timezone.now()
    for order in orders:
        order.light, order.light_text = light(order, now)
        order.may_rate = "rate" in service_rules.available_actions(user, order, phone_proved=True)
    context = {
        "households": households,
        "orders": orders,
        "code_form": code_form,
        "order_form": PortalOrderForm(),
        "rate_form": PortalRateForm(),
        "nav": "services",
    }
    return render(request, "portal/services/menu.html", context)


@require_POST
@login_required(login_url=LOGIN)
def order(request, household_pk, service_pk):
    user = _resident_actor(request.user)
    household = get_object_or_404(_households(user), pk=household_pk)
    service = get_object_or_404(Service, pk=service_pk, active=True)
    form = PortalOrderForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        placed = actions.do_order_service(
            service,
            household,
            actor=user,
            channel=OrderChannel.PORTAL,
            note=note,
            phone_proved=True,  # _households found it through his proved phone
        )
    except WorkflowError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("已点单“%(service)s”，%(unit)s将于%(day)s前为您办理。")
            % {
                "service": service.name,
                "unit": service.provider.name,
                "day": timezone.localtime(placed.deadline).date().isoformat(),
            },
        )
    return redirect("portal:services")


@require_POST
@login_required(login_url=LOGIN)
def rate(request, pk):
    user = _resident_actor(request.user)
    households = _households(user)
    placed = get_object_or_404(ServiceOrder, pk=pk, household__in=households)
    form = PortalRateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择满意、基本满意或不满意。"))
        return redirect("portal:services")
    try:
        actions.do_rate_order(
            placed,
            actor=user,
            rating=form.cleaned_data["rating"],
            note=form.cleaned_data["note"],
            phone_proved=True,
        )
    except WorkflowError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("感谢您的评价。"))
    return redirect("portal:services")
