"""The wishes' staff forms: they parse what was typed; the actions decide (and check photos)."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianxin.forms import DayInput, StaffForm
from lianxin.orgs.models import Unit
from lianxin.programs.models import WishStatus
from lianxin.programs.rules import claim_units
from lianxin.workdays.days import local_date

PHOTO_TYPES = "image/jpeg,image/png,image/webp"


class PhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotoListField(forms.FileField):
    """Photos as uploaded; the action checks and re-encodes each (`cases.photos`)."""

    widget = PhotoInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs["accept"] = PHOTO_TYPES

    def clean(self, data, initial=None):
        return [f for f in (data if isinstance(data, list | tuple) else [data]) if f]


class NoteForm(StaffForm):
    note = forms.CharField(
        label=_("意见"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReasonForm(StaffForm):
    reason = forms.CharField(
        label=_("原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class TextForm(StaffForm):
    text = forms.CharField(
        label=_("心愿内容"), max_length=500, widget=forms.Textarea(attrs={"rows": 4})
    )
    photos = PhotoListField(label=_("照片（选填，1张）"))


class FulfilForm(StaffForm):
    note = forms.CharField(
        label=_("完成情况（将在心愿墙上公开）"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photos = PhotoListField(label=_("完成照片（选填，最多3张）"))


class ClaimForm(StaffForm):
    promised_date = forms.DateField(label=_("承诺完成日期"), widget=DayInput)
    unit = forms.ChoiceField(label=_("认领单位"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.in_bulk(claim_units(user))
        choices = [(str(pk), units[pk].name) for pk in claim_units(user) if pk in units]
        self.fields["unit"].choices = choices
        if not self.is_bound:
            self.initial["promised_date"] = local_date(timezone.now()) + dt.timedelta(days=7)

    def clean_unit(self):
        return Unit.objects.get(pk=self.cleaned_data["unit"])


# The staff form each action posts, and the field a refusal is shown beside.
ACTION_FORMS: dict[str, type[forms.Form] | None] = {
    "publish": None,
    "request_change": NoteForm,
    "decline": ReasonForm,
    "revise": TextForm,
    "claim": ClaimForm,
    "release": ReasonForm,
    "fulfil": FulfilForm,
    "confirm": None,
    "dispute": ReasonForm,
}


class WishFilterForm(StaffForm):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部"))] + WishStatus.choices
    )
    community = forms.ChoiceField(label=_("社区"), required=False)
    q = forms.CharField(label=_("心愿内容"), required=False, max_length=50)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", _("全部"))] + [
            (str(pk), name) for pk, name in communities
        ]

    def apply(self, wishes):
        if not self.is_valid():
            return wishes
        data = self.cleaned_data
        if data["status"]:
            wishes = wishes.filter(status=data["status"])
        if data["community"]:
            wishes = wishes.filter(community_id=data["community"])
        if data["q"]:
            wishes = wishes.filter(text__contains=data["q"])
        return wishes
