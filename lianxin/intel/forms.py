"""Forms of the intel pages: they parse what was typed; the workflow actions decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lianxin.orgs.models import Unit


class CaseChoiceForm(forms.Form):
    """The cases of a topic a batch applies to, from those the user may act on."""

    cases = forms.TypedMultipleChoiceField(
        label=_("适用诉求"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一件诉求。")},
    )

    def __init__(self, *args, eligible=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].choices = [(c.pk, f"{c.tracking_number} {c.title}") for c in eligible]
        self.initial.setdefault("cases", [c.pk for c in eligible])


class BatchReplyForm(CaseChoiceForm):
    text = forms.CharField(
        label=_("统一答复内容"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("答复会分别发给每件诉求的群众，群众仍各自评价。"),
        error_messages={"required": _("请填写答复内容。")},
    )


class BatchResolveForm(CaseChoiceForm):
    note = forms.CharField(
        label=_("统一办结说明"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请填写办结说明。")},
    )


class BatchDispatchForm(CaseChoiceForm):
    unit = forms.ModelChoiceField(
        label=_("主办单位"),
        queryset=Unit.objects.none(),
        error_messages={"required": _("请选择主办单位。")},
    )
    instruction = forms.CharField(
        label=_("派单意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.handling().order_by("kind", "sort_order")


BATCH_FORMS = {
    "dispatch": BatchDispatchForm,
    "reply": BatchReplyForm,
    "resolve": BatchResolveForm,
}


class SupportForm(forms.Form):
    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    comment = forms.CharField(
        label=_("补充说明（选填）"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
