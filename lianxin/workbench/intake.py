"""Staff recording concerns on a resident's behalf: one by one, or a forum's suggestions at once."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianxin.cases.access import standing_of
from lianxin.cases.models import Category, Channel, Urgency
from lianxin.forms import DayInput, StaffForm
from lianxin.orgs.models import Unit

# The channels through which a member of staff hears a concern.
STAFF_CHANNELS = [
    (value, label) for value, label in Channel.choices if value not in ("web", "miniprogram")
]


class GridChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, grid):
        return f"{grid.parent.parent.name} {grid.parent.name} {grid.name}"


def grids():
    return Unit.objects.filter(kind=Unit.Kind.GRID, active=True).select_related("parent__parent")


def categories():
    return Category.objects.filter(parent__isnull=False, active=True).select_related("parent")


class IntakeForm(StaffForm):
    channel = forms.ChoiceField(label=_("来源渠道"), choices=STAFF_CHANNELS)
    resident_name = forms.CharField(label=_("群众姓名"), max_length=50, required=False)
    resident_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    anonymous = forms.BooleanField(label=_("匿名"), required=False)
    grid = GridChoiceField(
        label=_("所在网格"), queryset=grids(), required=False, empty_label=_("请选择网格")
    )
    address = forms.CharField(label=_("地址"), max_length=200)
    category = forms.ModelChoiceField(
        label=_("分类"),
        queryset=categories(),
        required=False,
        empty_label=_("不确定，由办公室分类"),
    )
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, initial="normal")
    title = forms.CharField(label=_("标题"), max_length=100)
    text = forms.CharField(label=_("诉求内容"), widget=forms.Textarea(attrs={"rows": 5}))
    open_for_claim = forms.BooleanField(label=_("发布给部门认领"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = grids()
        self.fields["category"].queryset = categories()


LAST_CHANNEL_KEY = "workbench.intake_channel"


def intake_initial(user, session) -> dict:
    """What the form starts with: the channel this person records through, and a grid
    worker's own grid, so that the usual case needs no change to either."""
    standing = standing_of(user)
    if session.get(LAST_CHANNEL_KEY) in dict(STAFF_CHANNELS):
        channel = session[LAST_CHANNEL_KEY]
    elif standing.grid_ids:
        channel = Channel.PATROL
    elif standing.office:
        channel = Channel.PHONE  # the office's seat answers the hotline
    else:
        channel = Channel.VISIT
    initial = {"channel": channel}
    if len(standing.grid_ids) == 1:
        (initial["grid"],) = standing.grid_ids
    return initial


class ForumForm(StaffForm):
    """A community forum (座谈会): where and when, then its suggestions below."""

    grid = GridChoiceField(label=_("所在网格"), queryset=grids(), empty_label=_("请选择网格"))
    address = forms.CharField(label=_("会议地点"), max_length=200)
    meeting = forms.CharField(label=_("会议名称"), max_length=100)
    held_on = forms.DateField(label=_("会议日期"), widget=DayInput())

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError(_("会议日期不能晚于今天。"))
        return held_on

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = grids()


class SuggestionForm(StaffForm):
    title = forms.CharField(label=_("建议标题"), max_length=100)
    text = forms.CharField(label=_("建议内容"), widget=forms.Textarea(attrs={"rows": 2}))
    resident_name = forms.CharField(label=_("提出人"), max_length=50, required=False)
    category = forms.ModelChoiceField(
        label=_("分类"), queryset=categories(), required=False, empty_label=_("不确定")
    )


SuggestionFormSet = forms.formset_factory(
    SuggestionForm, extra=5, min_num=1, validate_min=True, max_num=30
)
