"""The office's form for a visit round and its questionnaire (/visits/rounds/new/).

The forms only parse what was typed; `do_save_round` decides what may be saved.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from lianxin.registry.actions.rounds import MAX_QUESTIONS
from lianxin.registry.models import Question, Round, Tag

# Blank question rows below the written ones; more are had by saving and editing again.
BLANK_QUESTIONS = 3


class RoundForm(forms.Form):
    number = forms.IntegerField(
        label=_("轮次"), min_value=1, max_value=999, error_messages={"required": _("请填写轮次。")}
    )
    title = forms.CharField(
        label=_("名称"),
        max_length=100,
        required=False,
        help_text=_("不填则为“第N轮联户大走访”。"),
    )
    starts_on = forms.DateField(
        label=_("开始日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("请填写开始日期。"), "invalid": _("请填写有效的日期。")},
    )
    ends_on = forms.DateField(
        label=_("结束日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("请填写结束日期。"), "invalid": _("请填写有效的日期。")},
    )
    materials = forms.CharField(
        label=_("发放材料"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("如：联户连心服务卡、政策明白纸。"),
    )
    priority_tags = forms.ModelMultipleChoiceField(
        label=_("重点访标签"),
        queryset=Tag.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("家中有此类人员的住户须在轮次开始后限期走访。"),
    )
    priority_working_days = forms.IntegerField(
        label=_("重点访时限（工作日）"), min_value=1, max_value=60, initial=5
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("结束日期不能早于开始日期。"))
        return data


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("题目"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=Question.Kind.choices)
    choices = forms.CharField(
        label=_("选项"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("单选题填写，每行一个。"),
    )
    required = forms.BooleanField(label=_("必答"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        options = [line.strip() for line in (data.get("choices") or "").splitlines()]
        data["choices"] = [line for line in options if line]
        is_choice = data.get("text") and data.get("kind") == Question.Kind.CHOICE
        if is_choice and len(data["choices"]) < 2:
            self.add_error("choices", _("单选题至少需要两个选项。"))
        return data


QuestionFormSet = forms.formset_factory(
    QuestionForm, extra=BLANK_QUESTIONS, max_num=MAX_QUESTIONS, validate_max=True
)


def initial_for(round_: Round) -> tuple[dict, list[dict]]:
    """What the forms show for a round being edited."""
    fields = {
        "number": round_.number,
        "title": round_.title,
        "starts_on": round_.starts_on,
        "ends_on": round_.ends_on,
        "materials": round_.materials,
        "priority_tags": list(round_.priority_tags.all()),
        "priority_working_days": round_.priority_working_days,
    }
    questions = [
        {"text": q.text, "kind": q.kind, "choices": "\n".join(q.choices), "required": q.required}
        for q in round_.questions.all()
    ]
    return fields, questions


def questions_of(formset) -> list[dict]:
    return [
        {
            "text": form.cleaned_data.get("text", ""),
            "kind": form.cleaned_data.get("kind"),
            "choices": form.cleaned_data.get("choices", []),
            "required": form.cleaned_data.get("required", False),
        }
        for form in formset.forms
        if form.cleaned_data
    ]
