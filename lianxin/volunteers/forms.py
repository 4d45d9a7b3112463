"""The volunteers' staff forms: they parse what was typed; the actions decide."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianxin.forms import DayInput, StaffForm
from lianxin.orgs.models import Unit
from lianxin.programs.forms import PhotoListField
from lianxin.programs.models import Wish
from lianxin.volunteers.actions.reportins import EMPLOYER_KINDS
from lianxin.volunteers.actions.teams import TEAM_UNIT_KINDS
from lianxin.volunteers.models import Activity, Assignment
from lianxin.workdays.days import local_date


def _today() -> dt.date:
    return local_date(timezone.now())


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class TeamForm(StaffForm):
    name = forms.CharField(label=_("队伍名称"), max_length=100)
    unit = UnitChoiceField(label=_("所属单位"), queryset=Unit.objects.none())
    description = forms.CharField(label=_("服务内容"), max_length=300, required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units.filter(kind__in=TEAM_UNIT_KINDS)


class MemberForm(StaffForm):
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("电话"), max_length=20, required=False)
    leader = forms.BooleanField(label=_("队长"), required=False)


class ActivityForm(StaffForm):
    title = forms.CharField(label=_("活动名称"), max_length=100)
    date = forms.DateField(label=_("服务日期"), widget=DayInput())
    place = forms.CharField(label=_("服务地点"), max_length=200)
    description = forms.CharField(
        label=_("服务内容"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photos = PhotoListField(label=_("照片（选填，最多6张）"))
    cases = forms.CharField(
        label=_("解决的诉求（受理编号，多个用逗号隔开）"), max_length=300, required=False
    )
    wishes = forms.CharField(
        label=_("解决的微心愿（心愿编号，多个用逗号隔开）"), max_length=300, required=False
    )
    solved_note = forms.CharField(label=_("解决情况"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = _today()

    @staticmethod
    def numbers(value: str) -> list[str]:
        return [
            n.strip() for n in value.replace("，", ",").replace("、", ",").split(",") if n.strip()
        ]


class ReportInForm(StaffForm):
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("电话"), max_length=20, required=False)
    employer = UnitChoiceField(label=_("工作单位"), queryset=Unit.objects.none())
    community = UnitChoiceField(label=_("报到社区"), queryset=Unit.objects.none())
    reported_on = forms.DateField(label=_("报到日期"), widget=DayInput())
    party_member = forms.BooleanField(label=_("党员"), required=False)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = Unit.objects.filter(
            kind__in=EMPLOYER_KINDS, active=True
        ).order_by("kind", "sort_order", "name")
        self.fields["community"].queryset = communities
        self.fields["reported_on"].initial = _today()


class AssignForm(StaffForm):
    kind = forms.ChoiceField(label=_("任务类型"), choices=Assignment.Kind.choices)
    wish = forms.ModelChoiceField(label=_("微心愿"), queryset=Wish.objects.none(), required=False)
    activity = forms.ModelChoiceField(
        label=_("志愿服务活动"), queryset=Activity.objects.none(), required=False
    )
    service = forms.CharField(label=_("服务事项"), max_length=200, required=False)

    def __init__(self, *args, wishes, activities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wish"].queryset = wishes
        self.fields["activity"].queryset = activities
        self.fields["wish"].label_from_instance = lambda w: f"#{w.pk} {w.text[:24]}"
        self.fields["activity"].label_from_instance = lambda a: f"{a.date:%m-%d} {a.title}"


class NoteForm(StaffForm):
    note = forms.CharField(label=_("完成情况"), max_length=300)


class PartnerForm(StaffForm):
    name = forms.CharField(label=_("单位名称"), max_length=100)
    kind = forms.CharField(label=_("单位类型"), max_length=30, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    services = forms.CharField(label=_("共建内容"), max_length=300, required=False)
    communities = forms.ModelMultipleChoiceField(
        label=_("结对社区"), queryset=Unit.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["communities"].queryset = communities
        self.fields["communities"].label_from_instance = lambda unit: unit.name


class PartnerClaimForm(StaffForm):
    wish = forms.ModelChoiceField(label=_("微心愿"), queryset=Wish.objects.none())
    promised_date = forms.DateField(label=_("承诺完成日期"), widget=DayInput())

    def __init__(self, *args, wishes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wish"].queryset = wishes
        self.fields["wish"].label_from_instance = lambda wish: f"#{wish.pk} {wish.text[:30]}"
        self.fields["promised_date"].initial = _today() + dt.timedelta(days=7)
