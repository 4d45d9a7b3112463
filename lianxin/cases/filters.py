"""The case filters every case list, map and export shares: a queue and the form's fields,
applied to the cases a person may see."""

from collections.abc import Mapping
from typing import Any, cast

from django import forms
from django.db.models import Case as SqlCase
from django.db.models import F, QuerySet, When
from django.db.models.functions import Least
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Actor
from lianxin.cases import search
from lianxin.cases.models import Case, Category, Channel, Status
from lianxin.cases.queues import BY_CODE, Queue, moments, overdue, queue_cases, reply_due_soon
from lianxin.forms import ControlFreeMixin, DayInput, StaffForm
from lianxin.orgs.models import Unit


class CaseFilterForm(ControlFreeMixin, StaffForm):
    """The filters of a case list; every field optional, every value kept on the page."""

    q = forms.CharField(label=_("搜索"), required=False, max_length=50)
    status = forms.ChoiceField(label=_("状态"), required=False)
    category = forms.ModelChoiceField(
        label=_("分类"),
        required=False,
        queryset=Category.objects.filter(parent__isnull=False),
        empty_label=_("全部"),
    )
    unit = forms.ModelChoiceField(
        label=_("主办单位"), required=False, queryset=Unit.objects.handling(), empty_label=_("全部")
    )
    channel = forms.ChoiceField(label=_("来源渠道"), required=False)
    registered_from = forms.DateField(
        label=_("登记日期自"),
        required=False,
        widget=DayInput(),
    )
    registered_to = forms.DateField(
        label=_("至"),
        required=False,
        widget=DayInput(),
    )
    deadline = forms.ChoiceField(
        label=_("期限"),
        required=False,
        choices=[("", _("全部")), ("due_soon", _("答复临期")), ("overdue", _("已逾期"))],
    )
    sort = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[("", _("最新登记在前")), ("deadline", _("期限最近在前"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = [("", _("全部")), *Status.choices]
        cast(forms.ChoiceField, self.fields["channel"]).choices = [
            ("", _("全部")),
            *Channel.choices,
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()  # Form.clean answers its cleaned_data, never None
        data = self.cleaned_data
        start, end = data.get("registered_from"), data.get("registered_to")
        if start and end and start > end:
            self.add_error("registered_to", _("结束日期不能早于开始日期。"))
        return data

    def apply(self, cases: "QuerySet[Case]") -> "QuerySet[Case]":
        """Narrow `cases` by the valid filters (invalid ones are shown, not applied)."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("q"):
            cases = search.matching(cases, data["q"])
        for field in ("status", "category", "channel"):
            if data.get(field):
                cases = cases.filter(**{field: data[field]})
        if data.get("unit"):
            cases = cases.filter(lead_unit=data["unit"])
        if data.get("registered_from"):
            cases = cases.filter(registered_at__date__gte=data["registered_from"])
        if data.get("registered_to"):
            cases = cases.filter(registered_at__date__lte=data["registered_to"])
        if data.get("deadline") == "overdue":
            cases = cases.filter(overdue(moments()))
        elif data.get("deadline") == "due_soon":
            cases = cases.filter(reply_due_soon(moments()))
        if data.get("sort") == "deadline":
            running = SqlCase(
                When(replied_at__isnull=True, then=Least("reply_due_at", "resolve_due_at")),
                default=F("resolve_due_at"),
            )
            return cases.alias(running_due=running).order_by("running_due", "pk")
        return cases.order_by("-registered_at", "-pk")


def filtered_cases(
    user: Actor, params: Mapping[str, Any]
) -> tuple["QuerySet[Case]", CaseFilterForm, Queue | None]:
    """The cases `user` may see, narrowed by the query `params` (a queue and the filters),
    with the form that parsed them and the queue; 404 for an unknown queue."""
    queue_code = params.get("queue", "")
    if queue_code:
        cases = queue_cases(user, queue_code)
        if cases is None:
            raise Http404
        queue = BY_CODE[queue_code]
    else:
        cases, queue = Case.objects.visible_to(user), None
    form = CaseFilterForm(params)
    return form.apply(cases), form, queue
