"""The hazards' forms: they parse what was typed; the actions decide (and check photos)."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from lianxin.forms import DayInput, StaffForm
from lianxin.hazards.models import HazardStatus, Place, Severity, Topic
from lianxin.orgs.models import Unit
from lianxin.programs.forms import PhotoListField

ITEM_LINE = re.compile(r"^(?P<text>.+?)[\s,，|｜:：]+(?P<points>\d{1,3})\s*分?$")


class CampaignForm(StaffForm):
    name = forms.CharField(label=_("专项名称"), max_length=100)
    topic = forms.ChoiceField(label=_("类别"), choices=Topic.choices)
    starts_on = forms.DateField(label=_("开始日期"), widget=DayInput())
    ends_on = forms.DateField(label=_("结束日期"), widget=DayInput())
    rectify_working_days = forms.IntegerField(
        label=_("默认整改期限（工作日）"), min_value=1, max_value=60, initial=10
    )
    group_units = forms.ModelMultipleChoiceField(
        label=_("检查组成员单位"),
        queryset=Unit.objects.handling().order_by("kind", "sort_order", "name"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    places = forms.ModelMultipleChoiceField(
        label=_("检查对象"),
        required=False,
        queryset=Place.objects.filter(active=True).order_by("kind", "name"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    checklist = forms.CharField(
        label=_("检查项（每行一项：内容 分值）"),
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "消防设施完好有效 30"}),
    )

    def clean_checklist(self):
        items = []
        for number, line in enumerate(self.cleaned_data["checklist"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            match = ITEM_LINE.match(line)
            if match is None:
                raise forms.ValidationError(
                    _("第%(n)d行没有分值，请写成“检查内容 分值”。") % {"n": number}
                )
            items.append((match["text"].strip(), int(match["points"])))
        return items


class StartForm(StaffForm):
    kind = forms.ChoiceField(
        label=_("检查方式"),
        choices=[("sweep", _("普查")), ("spot_check", _("抽查"))],
    )


class HazardForm(StaffForm):
    text = forms.CharField(
        label=_("隐患描述"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    severity = forms.ChoiceField(label=_("隐患等级"), choices=Severity.choices)
    photos = PhotoListField(label=_("照片（可多张）"))
    latitude = forms.CharField(required=False, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, widget=forms.HiddenInput)


class NoticeForm(StaffForm):
    requirements = forms.CharField(
        label=_("整改要求"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    responsible_party = forms.CharField(
        label=_("责任人（默认：单位名称和联系人）"), max_length=100, required=False
    )
    working_days = forms.IntegerField(
        label=_("整改期限（工作日，默认按专项设置）"), min_value=1, max_value=60, required=False
    )


class FixForm(StaffForm):
    measures = forms.CharField(
        label=_("整改措施"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = PhotoListField(label=_("整改照片"))


class PartyFixForm(FixForm):
    reporter_name = forms.CharField(label=_("报告人"), max_length=50)


class ReinspectForm(StaffForm):
    passed = forms.TypedChoiceField(
        label=_("复查结果"),
        choices=[("1", _("整改到位，复查通过")), ("0", _("隐患反弹，重新整改"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("复查意见（反弹时必填）"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photos = PhotoListField(label=_("复查照片"))


class ReferForm(StaffForm):
    note = forms.CharField(
        label=_("需哪些部门协调解决"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "issue_notice": NoticeForm,
    "report_fix": FixForm,
    "reinspect": ReinspectForm,
    "refer": ReferForm,
}


class HazardFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部"))] + HazardStatus.choices
    )
    campaign = forms.IntegerField(required=False, widget=forms.HiddenInput)


def checklist_answers(data, items) -> tuple[dict[int, int], list[str]]:
    """The scores typed for each item (`score_<id>`), and the errors in Chinese."""
    answers: dict[int, int] = {}
    errors = []
    for item in items:
        raw = (data.get(f"score_{item.pk}") or "").strip()
        if raw == "":
            continue
        try:
            answers[item.pk] = int(raw)
        except ValueError:
            errors.append(str(_("“%(item)s”的得分须是整数。") % {"item": item.text[:20]}))
    return answers, errors


class SelfCheckForm(StaffForm):
    filled_by = forms.CharField(label=_("填报人"), max_length=50)
    hazard_1 = forms.CharField(
        label=_("自查发现的隐患（选填）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    severity_1 = forms.ChoiceField(label=_("隐患等级"), choices=Severity.choices, required=False)
    photos_1 = PhotoListField(label=_("隐患照片"))
    hazard_2 = forms.CharField(
        label=_("另一处隐患（选填）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    severity_2 = forms.ChoiceField(label=_("隐患等级"), choices=Severity.choices, required=False)
    photos_2 = PhotoListField(label=_("隐患照片"))

    def hazards(self):
        return [
            {
                "text": self.cleaned_data[f"hazard_{n}"],
                "severity": self.cleaned_data[f"severity_{n}"] or Severity.GENERAL,
                "photos": self.cleaned_data[f"photos_{n}"],
            }
            for n in (1, 2)
        ]
