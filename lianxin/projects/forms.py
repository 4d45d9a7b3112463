"""The staff forms of the projects: a plan, a project (its 时间节点 typed as offices write
them and read into milestones), a progress report, closing, linking and promotion."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Role, User
from lianxin.forms import DayInput, StaffForm
from lianxin.orgs.models import Unit
from lianxin.programs.forms import PhotoListField
from lianxin.projects.actions import MilestoneSpec, ProjectSpec
from lianxin.projects.models import Plan, Schedule
from lianxin.projects.timenodes import parse_nodes


def handling_units():
    return Unit.objects.filter(kind__in=Unit.HANDLING_KINDS[:3], active=True).order_by(
        "kind", "sort_order", "name"
    )


class PlanForm(StaffForm):
    title = forms.CharField(label=_("计划名称"), max_length=100)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    schedule = forms.ChoiceField(label=_("进度报送周期"), choices=Schedule.choices)
    street = forms.ModelChoiceField(
        label=_("街道（街道自己的计划）"),
        queryset=Unit.objects.filter(kind=Unit.Kind.STREET, active=True),
        required=False,
    )
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    published = forms.BooleanField(
        label=_("在“向您报告”页面向群众公开"), required=False, initial=True
    )


class ProjectForm(StaffForm):
    name = forms.CharField(label=_("项目名称"), max_length=200)
    category = forms.CharField(label=_("类别"), max_length=50)
    lead_unit = forms.ModelChoiceField(label=_("牵头单位"), queryset=Unit.objects.none())
    co_units = forms.ModelMultipleChoiceField(
        label=_("配合单位"), queryset=Unit.objects.none(), required=False
    )
    leader = forms.ModelChoiceField(
        label=_("责任领导"), queryset=User.objects.none(), required=False
    )
    measures = forms.CharField(
        label=_("主要措施"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    target_text = forms.CharField(label=_("完成标准"), max_length=500, required=False)
    target_quantity = forms.DecimalField(
        label=_("目标数量"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    target_unit = forms.CharField(
        label=_("计量单位"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"list": "target-units"}),
    )
    start_date = forms.DateField(label=_("开始日期"), widget=DayInput)
    finish_date = forms.DateField(label=_("完成日期"), widget=DayInput)
    schedule_text = forms.CharField(
        label=_("时间节点（如：3月底前完成方案；6月底前开工；年底前完工）"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        for name in ("lead_unit", "co_units"):
            self.fields[name].queryset = handling_units()  # type: ignore[attr-defined]
        self.fields["leader"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            memberships__role=Role.LEADER, is_active=True
        ).distinct()
        if not self.is_bound:
            self.initial.setdefault("start_date", dt.date(plan.year, 1, 1))
            self.initial.setdefault("finish_date", dt.date(plan.year, 12, 31))

    def clean_schedule_text(self):
        text = self.cleaned_data["schedule_text"]
        nodes, bad = parse_nodes(text, self.plan.year)
        if bad:
            raise forms.ValidationError(
                _("时间节点中的日期不存在：%(bad)s。") % {"bad": "、".join(bad)}
            )
        if text.strip() and not nodes:
            raise forms.ValidationError(_("未能从时间节点中识别出日期，请写明如“6月底前开工”。"))
        self.nodes = nodes
        return text

    def spec(self) -> ProjectSpec:
        data = self.cleaned_data
        lead = data["lead_unit"]
        return ProjectSpec(
            name=data["name"],
            category=data["category"],
            lead_unit=lead,
            co_units=list(data["co_units"]),
            leader=data["leader"],
            measures=data["measures"],
            target_text=data["target_text"],
            target_quantity=data["target_quantity"],
            target_unit=data["target_unit"],
            start_date=data["start_date"],
            finish_date=data["finish_date"],
            schedule_text=data["schedule_text"],
            milestones=[MilestoneSpec(n.due_date, n.text, lead) for n in self.nodes],
        )


class PromoteForm(ProjectForm):
    """A project from a case, a topic or a wish (议题→项目)."""

    plan_choice = forms.ModelChoiceField(label=_("纳入计划"), queryset=Plan.objects.all())

    field_order = ["plan_choice"]

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, plan=plan, **kwargs)
        self.fields["plan_choice"].initial = plan.pk


class ReportForm(StaffForm):
    percent = forms.IntegerField(label=_("完成进度（%）"), min_value=0, max_value=100)
    quantity_done = forms.DecimalField(
        label=_("已完成数量"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    text = forms.CharField(
        label=_("进展情况"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )
    milestones_done = forms.TypedMultipleChoiceField(
        label=_("本期完成的时间节点"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    photos = PhotoListField(label=_("现场照片（选填，最多3张）"))

    def __init__(self, *args, milestones=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestones_done"].choices = [
            (m.pk, f"{m.due_date:%Y-%m-%d} {m.text}") for m in milestones if m.done_at is None
        ]
        if not self.fields["milestones_done"].choices:
            del self.fields["milestones_done"]


class CloseForm(StaffForm):
    note = forms.CharField(
        label=_("办结说明"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    close_cases = forms.BooleanField(label=_("同时办结关联的诉求并答复群众"), required=False)
    reply = forms.CharField(
        label=_("答复群众的内容（公开，发给每位反映人）"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LinkCaseForm(StaffForm):
    tracking_number = forms.CharField(label=_("诉求受理编号"), max_length=30)
