"""The filters of the dashboard and of its drill-down lists: one form for both, so that a
figure and the list behind it select the same cases."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from lianxin.cases.access import require_staff
from lianxin.cases.models import Case, Category, Channel
from lianxin.figures import metrics as m
from lianxin.figures.metrics import DIMENSIONS, STEPS, Selection, week_start
from lianxin.forms import ControlFreeMixin, DayInput
from lianxin.orgs.models import Unit
from lianxin.workdays.days import local_date

PRESETS = [
    ("today", _("今日")),
    ("week", _("本周")),
    ("month", _("本月")),
    ("quarter", _("本季度")),
    ("year", _("本年")),
    ("last30", _("近30天")),
    ("range", _("自定义区间")),
]
DEFAULT_PRESET = "year"
# The longest range a page may ask for: beyond it the queries only grow.
MAX_RANGE_DAYS = 366 * 5


def preset_range(preset: str, today: dt.date) -> tuple[dt.date, dt.date]:
    if preset == "today":
        return today, today
    if preset == "week":
        return week_start(today), today
    if preset == "month":
        return today.replace(day=1), today
    if preset == "quarter":
        return today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1), today
    if preset == "last30":
        return today - dt.timedelta(days=29), today
    return today.replace(month=1, day=1), today


class FiguresForm(ControlFreeMixin, forms.Form):
    period = forms.ChoiceField(
        label=_("统计期间"), choices=PRESETS, required=False, initial=DEFAULT_PRESET
    )
    start = forms.DateField(
        label=_("登记日期自"),
        required=False,
        widget=DayInput(),
    )
    end = forms.DateField(
        label=_("至"),
        required=False,
        widget=DayInput(),
    )
    unit = forms.ModelChoiceField(
        label=_("单位"),
        required=False,
        queryset=Unit.objects.filter(
            kind__in=[Unit.Kind.DEPARTMENT, Unit.Kind.STREET, Unit.Kind.COMMUNITY, Unit.Kind.GRID],
            active=True,
        ).order_by("kind", "sort_order", "name"),
        empty_label=_("全部"),
        help_text=_("街道、社区、网格按辖区统计；部门按主办统计。"),
    )
    category = forms.ModelChoiceField(
        label=_("分类"),
        required=False,
        queryset=Category.objects.select_related("parent").order_by(
            "parent__sort_order", "sort_order", "code"
        ),
        empty_label=_("全部"),
    )
    channel = forms.ChoiceField(label=_("来源渠道"), required=False)
    step = forms.ChoiceField(label=_("趋势粒度"), required=False)
    by = forms.ChoiceField(label=_("分组"), required=False)

    def __init__(self, *args, today: dt.date | None = None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.today = today or local_date(dt.datetime.now(dt.UTC))
        choices: dict[str, list[tuple[str, Any]]] = {
            "channel": [("", _("全部")), *Channel.choices],
            "step": [("", _("自动"))] + [(k, v[1]) for k, v in STEPS.items()],
            "by": [(d.code, d.label) for d in DIMENSIONS.values()],
        }
        for name, options in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = options
        if not self.is_bound:
            # An empty page shows the default period and its dates in the fields.
            self.initial["start"], self.initial["end"] = preset_range(DEFAULT_PRESET, self.today)
        elif not any(self.data.get(name) for name in ("period", "start", "end")):
            data = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict once bound
            data["period"] = DEFAULT_PRESET
            self.data = data

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        preset = data.get("period")
        if preset == "range" or (start or end) and not preset:
            if not (start and end):
                self.add_error("end", _("自定义区间请填写开始和结束日期。"))
            elif start > end:
                self.add_error("end", _("结束日期不能早于开始日期。"))
            elif (end - start).days > MAX_RANGE_DAYS:
                self.add_error("end", _("统计区间最长五年。"))
            else:
                data["period"] = "range"
        return data

    def range(self) -> tuple[dt.date, dt.date]:
        """The period's first and last dates; an invalid range falls back to the default
        preset (the errors are shown beside the fields)."""
        data = self.cleaned_data if self.is_valid() else {}
        preset = data.get("period") or DEFAULT_PRESET
        if preset == "range" and data.get("start") and data.get("end"):
            return data["start"], data["end"]
        return preset_range(preset if preset != "range" else DEFAULT_PRESET, self.today)

    def selection(self) -> Selection:
        data = self.cleaned_data if self.is_valid() else {}
        start, end = self.range()
        return Selection(
            start=start,
            end=end,
            unit=data.get("unit"),
            category=data.get("category"),
            channel=data.get("channel") or "",
        )

    def choice(self, name: str, default: str) -> str:
        data = self.cleaned_data if self.is_valid() else {}
        return data.get(name) or default


@dataclass
class Behind:
    """The cases behind one figure, as its drill-down list and its export show them."""

    metric: m.Metric
    side: str
    dimension: str | None
    key: Any
    form: FiguresForm
    selection: Selection
    ctx: m.Context
    cases: QuerySet


def figure_cases(user, params) -> Behind:
    """The cases a figure counts, from a drill-down address (metric, side, dim, key, asof and
    the dashboard's filters); the list page and its export read the same ones."""
    require_staff(user)
    code = params.get("metric", "total")
    metric = m.METRICS.get(code)
    if metric is None:
        raise Http404
    side = "den" if params.get("side") == "den" and metric.denominator else "num"
    dimension = params.get("dim") or None
    if dimension is not None and dimension not in m.DIMENSIONS:
        raise Http404
    key = _parse_key(dimension, params.get("key", "")) if dimension else None
    ctx = m.Context.build(now=_as_of(params.get("asof", ""), timezone.now()))
    form = FiguresForm(params or None, today=local_date(ctx.now))
    selection = form.selection()
    cases = selection.apply(Case.objects.visible_to(user))
    cases = m.cases_behind(cases, code, side, ctx, dimension=dimension, key=key)
    return Behind(metric, side, dimension, key, form, selection, ctx, cases)


def _parse_key(dimension: str, raw: str):
    if raw == m.NONE_KEY:
        return None
    if dimension == "channel":
        return raw
    try:
        return int(raw)
    except ValueError:
        raise Http404 from None


AS_OF_EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _as_of(raw: str, now: dt.datetime) -> dt.datetime:
    """The moment a figure was taken, so that its list counts the same deadlines as passed;
    never later than now, nor so early that counting back from it overflows."""
    try:
        moment = parse_datetime(raw or "")
    except ValueError:  # well formed, out of range: hour 25, 2 月 30 日
        return now
    if moment is None or timezone.is_naive(moment) or not AS_OF_EARLIEST <= moment <= now:
        return now
    return moment
