"""The service menu's staff forms: they parse what was typed; the actions decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lianxin.forms import StaffForm
from lianxin.orgs.models import Unit
from lianxin.programs import service_rules
from lianxin.programs.models import (
    OrderChannel,
    OrderStatus,
    Rating,
    ServicePlace,
    ServiceRecurrence,
)
from lianxin.registry.models import Tag


class ServiceForm(StaffForm):
    name = forms.CharField(label=_("服务名称"), max_length=60)
    description = forms.CharField(
        label=_("服务内容"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    community = forms.ChoiceField(label=_("所属清单"), required=False)
    provider = forms.ChoiceField(label=_("服务单位"))
    place = forms.ChoiceField(label=_("服务方式"), choices=ServicePlace.choices)
    working_days = forms.IntegerField(label=_("办理时限（工作日）"), min_value=1, max_value=60)
    tags = forms.MultipleChoiceField(
        label=_("限定人群标签（不选为所有住户可点）"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    recurrence = forms.ChoiceField(
        label=_("定期服务（按标签为每户排期）"), required=False, choices=ServiceRecurrence.choices
    )
    sort_order = forms.IntegerField(label=_("排序"), min_value=0, initial=0, required=False)
    active = forms.BooleanField(label=_("在用"), required=False, initial=True)

    def __init__(self, *args, user, service=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if service is not None:
            community = service.community
            self.fields["community"].choices = [
                (str(service.community_id or ""), community.name if community else _("全区清单"))
            ]
            self.fields["community"].disabled = True
        else:
            communities = Unit.objects.filter(kind=Unit.Kind.COMMUNITY).order_by("name")
            choices = []
            if service_rules.keeps(user, None):
                choices.append(("", _("全区清单（连心办维护）")))
            else:
                communities = communities.filter(pk__in=service_rules.kept_communities(user))
            choices += [(str(unit.pk), unit.name) for unit in communities]
            self.fields["community"].choices = choices
        community_id = None
        if service is not None:
            community_id = service.community_id
        elif self.is_bound and self.data.get("community"):
            community_id = self.data.get("community")
        elif not service_rules.keeps(user, None) and self.fields["community"].choices:
            community_id = self.fields["community"].choices[0][0]
        community = Unit.objects.filter(pk=community_id).first() if community_id else None
        providers = service_rules.providers_for(user, community).order_by("kind", "name")
        self.fields["provider"].choices = [(str(u.pk), u.name) for u in providers]
        self.fields["tags"].choices = [
            (str(tag.pk), tag.name) for tag in Tag.objects.filter(active=True)
        ]

    def clean_community(self):
        value = self.cleaned_data.get("community")
        return Unit.objects.filter(pk=value).first() if value else None

    def clean_provider(self):
        return Unit.objects.filter(pk=self.cleaned_data["provider"]).first()

    def clean_tags(self):
        return list(Tag.objects.filter(pk__in=self.cleaned_data["tags"]))


class OrderForm(StaffForm):
    service = forms.ChoiceField(label=_("服务事项"), widget=forms.RadioSelect)
    channel = forms.ChoiceField(
        label=_("点单方式"),
        choices=[(OrderChannel.VISIT, _("走访点单")), (OrderChannel.PHONE, _("电话点单"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("需求说明（选填）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [(str(s.pk), s.name) for s in services]


class CompleteForm(StaffForm):
    note = forms.CharField(
        label=_("办理情况"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class CancelForm(StaffForm):
    reason = forms.CharField(
        label=_("取消原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class RateForm(StaffForm):
    rating = forms.ChoiceField(label=_("评价"), choices=Rating.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("评价意见（不满意时必填）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


ORDER_ACTION_FORMS: dict[str, type[forms.Form] | None] = {
    "accept": None,
    "complete": CompleteForm,
    "cancel": CancelForm,
    "rate": RateForm,
}


class OrderFilterForm(StaffForm):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部"))] + OrderStatus.choices
    )
    service = forms.ChoiceField(label=_("服务事项"), required=False)

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", _("全部"))] + [
            (str(pk), name) for pk, name in services
        ]

    def apply(self, orders):
        if not self.is_valid():
            return orders
        if self.cleaned_data["status"]:
            orders = orders.filter(status=self.cleaned_data["status"])
        if self.cleaned_data["service"]:
            orders = orders.filter(service_id=self.cleaned_data["service"])
        return orders
