"""The figures: every metric defined once, and the functions that compute them.

A metric is a count of cases (`numerator`) and, for a rate, the cases it is a share of
(`denominator`), both as Q filters on `Case`, or a duration taken from a stored
working-day column. Every figure covers the cases REGISTERED in the period
(`DATE_FIELD`): a case belongs to the period in which the resident raised it, so a
period's figures keep settling as its cases are handled, and each figure drills down to
exactly the cases it counts. docs/metrics.md says the same in words, with the edge cases.

The public API (the dashboard, the ledgers' exports and the monthly brief use it):

    selection = Selection(start=date, end=date, unit=..., category=..., channel=...)
    cases = selection.apply(Case.objects.visible_to(user))
    ctx = Context.build()
    summary(cases, ctx)              -> {code: Figure}
    breakdown(cases, "lead_unit", ctx) -> [Row(key, label, figures)]
    breakdowns(cases, ["lead_unit", "street"], ctx) -> {dimension: [Row]} (one query)
    combine(rows, ctx)               -> the figures of disjoint groups together
    ranking(rows, ctx)               -> (ranked rows by score, rows with too few cases)
    trend(cases, "month", ctx)       -> [Row(key=bucket start, ...)]
    cases_behind(cases, code, side, ctx) -> the queryset a figure counts

`Row.as_dict()` and `COLUMNS` give plain rows with Chinese headers for a ledger.
"""

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDay, TruncMonth, TruncQuarter, TruncWeek, TruncYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import User
from lianxin.cases.models import Category, Channel, Satisfaction, Status
from lianxin.orgs.models import DistrictSettings, Unit
from lianxin.text import Message
from lianxin.workdays.days import add_working_days, local_date

# The date that puts a case in a period: when it was registered.
DATE_FIELD = "registered_at"

S = Status
# Cases that ended without being handled: a duplicate folded into another case, a concern
# the resident took back, an entry the office voided. No rate counts them.
NOT_HANDLED = (S.MERGED, S.WITHDRAWN, S.VOIDED)
VALID = ~Q(status__in=NOT_HANDLED)
RESOLVED_STATUSES = (S.RESOLVED, S.VERIFIED, S.CLOSED)
CONTENT = (Satisfaction.SATISFIED, Satisfaction.BASICALLY)


@dataclass(frozen=True)
class Context:
    """What a figure depends on besides the cases: the moment it is taken and the district's
    settings. Deadlines that have passed by `now` decide some denominators."""

    now: dt.datetime
    response_limit: int
    # A case dispatched before this moment has had its full response limit by `now`.
    response_cutoff: dt.datetime
    weights: tuple[int, ...]  # of SCORE_RATES, in that order (percent)
    ranking_min_cases: int

    @classmethod
    def build(cls, now: dt.datetime | None = None, policy: DistrictSettings | None = None):
        now = now or timezone.now()
        policy = policy or DistrictSettings.load()
        limit = policy.response_limit_working_days
        return cls(
            now=now,
            response_limit=limit,
            response_cutoff=response_cutoff(now, limit),
            weights=tuple(getattr(policy, name) for name in SCORE_WEIGHTS.values()),
            ranking_min_cases=policy.ranking_min_cases,
        )


def response_cutoff(now: dt.datetime, limit: int) -> dt.datetime:
    """The start of the first day D whose response deadline (the end of the `limit`-th working
    day after D) has not yet passed at `now`. add_working_days is monotonic in D, so walk back
    from today to the latest day whose deadline is already behind us."""
    today = local_date(now)
    day = today
    while add_working_days(day, limit) >= today:
        day -= dt.timedelta(days=1)
    return start_of_day(day + dt.timedelta(days=1))


def start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class Metric:
    code: str
    label: Message
    kind: str  # "count", "rate" or "duration"
    formula: Message
    # A count's cases, a rate's numerator, a duration's measured cases.
    numerator: Callable[[Context], Q]
    denominator: Callable[[Context], Q] | None = None
    duration_field: str | None = None
    date_field: str = DATE_FIELD
    # For a metric that depends on the status alone: the statuses of its numerator and of
    # its denominator. Queries then count cases per status once, instead of one filtered
    # count per such metric, and add the counts up.
    statuses: tuple[frozenset, frozenset | None] | None = None


def _always(q: Q) -> Callable[[Context], Q]:
    return lambda ctx: q


def _by_status(code, label, formula, numerator, denominator=None, kind="count") -> Metric:
    """A metric whose cases are those in some statuses (its Q filters follow from them)."""
    num, den = frozenset(numerator), frozenset(denominator) if denominator else None
    return Metric(
        code,
        label,
        kind,
        formula,
        _always(Q(status__in=sorted(num))),
        _always(Q(status__in=sorted(den))) if den else None,
        statuses=(num, den),
    )


ALL_STATUSES = frozenset(Status.values)
VALID_STATUSES = ALL_STATUSES - set(NOT_HANDLED)


METRICS: dict[str, Metric] = {
    m.code: m
    for m in [
        # Totals by status: each case counts in exactly one status total (besides `total`).
        _by_status("total", _("登记总量"), _("期内登记的全部诉求"), ALL_STATUSES),
        _by_status("valid", _("有效件"), _("登记总量减去已合并、已撤回、已作废"), VALID_STATUSES),
        _by_status(
            "awaiting",
            _("待派单/接单"),
            _("状态为待派单、待接单或已退单"),
            (S.REGISTERED, S.DISPATCHED, S.RETURNED),
        ),
        # 办理中 is the workbench's queue of the same name: accepted and not yet resolved,
        # answered or not (cases.queues). `replied` counts the answered part of it.
        _by_status(
            "in_progress",
            _("办理中"),
            _("状态为办理中或已答复（已接单、尚未办结）"),
            (S.IN_PROGRESS, S.REPLIED),
        ),
        _by_status("replied", _("其中已答复"), _("状态为已答复（尚未办结）"), (S.REPLIED,)),
        _by_status("constrained", _("疑难受限"), _("状态为疑难受限"), (S.CONSTRAINED,)),
        _by_status(
            "resolved",
            _("已办结待核查回访"),
            _("状态为已办结待核查或已核查待回访"),
            (S.RESOLVED, S.VERIFIED),
        ),
        _by_status("closed", _("已办结归档"), _("状态为已办结归档"), (S.CLOSED,)),
        _by_status(
            "merged_withdrawn",
            _("已合并/撤回"),
            _("状态为已合并或已撤回"),
            (S.MERGED, S.WITHDRAWN),
        ),
        _by_status("voided", _("已作废"), _("状态为已作废"), (S.VOIDED,)),
        # Rates: numerator ⊆ denominator, both among the valid cases.
        Metric(
            "response",
            _("响应率"),
            "rate",
            _("派单后在响应时限内接单的件数 ÷ 已派单且已接单或响应时限已过的件数"),
            lambda ctx: (
                VALID
                & Q(dispatched_at__isnull=False, response_working_days__lte=ctx.response_limit)
            ),
            lambda ctx: (
                VALID
                & Q(dispatched_at__isnull=False)
                & (
                    Q(response_working_days__isnull=False)
                    | Q(dispatched_at__lt=ctx.response_cutoff)
                )
            ),
        ),
        Metric(
            "reply_on_time",
            _("按期答复率"),
            "rate",
            _("在答复期限内答复的件数 ÷ 已答复或答复期限已过的件数"),
            _always(VALID & Q(replied_at__isnull=False, replied_at__lte=F("reply_due_at"))),
            lambda ctx: VALID & (Q(replied_at__isnull=False) | Q(reply_due_at__lt=ctx.now)),
        ),
        Metric(
            "resolve_on_time",
            _("按期办结率"),
            "rate",
            _("在办结期限内办结的件数 ÷ 已办结或办结期限已过（疑难受限除外）的件数"),
            _always(VALID & Q(resolved_at__isnull=False, resolved_at__lte=F("resolve_due_at"))),
            lambda ctx: (
                VALID
                & (
                    Q(resolved_at__isnull=False)
                    | (Q(resolve_due_at__lt=ctx.now) & ~Q(status=S.CONSTRAINED))
                )
            ),
        ),
        _by_status(
            "resolution",
            _("办结率"),
            _("已办结（含待核查、待回访、已归档）的件数 ÷ 有效件"),
            RESOLVED_STATUSES,
            VALID_STATUSES,
            kind="rate",
        ),
        # Every unsatisfied verdict reopens the case and a content one closes it, so a case
        # was content at its first return visit exactly when it was never reopened.
        Metric(
            "first_satisfaction",
            _("一次满意率"),
            "rate",
            _("第一次回访即满意或基本满意（从未重办）的件数 ÷ 已回访的件数"),
            _always(VALID & Q(satisfaction__in=CONTENT, reopen_count=0)),
            _always(VALID & ~Q(satisfaction="")),
        ),
        Metric(
            "satisfaction",
            _("最终满意率"),
            "rate",
            _("最近一次回访满意或基本满意的件数 ÷ 已回访的件数"),
            _always(VALID & Q(satisfaction__in=CONTENT)),
            _always(VALID & ~Q(satisfaction="")),
        ),
        Metric(
            "unsatisfied",
            _("不满意件"),
            "count",
            _("至少一次回访不满意的件数（重办后再满意的也计入）"),
            _always(VALID & Q(reopen_count__gt=0)),
        ),
        Metric(
            "solved",
            _("解决率"),
            "rate",
            _("最近一次回访群众认为已解决的件数 ÷ 已回访的件数"),
            _always(VALID & Q(solved=True)),
            _always(VALID & Q(solved__isnull=False)),
        ),
        Metric(
            "reopen",
            _("重办率"),
            "rate",
            _("因不满意被打回重办过的件数 ÷ 已回访的件数"),
            _always(VALID & Q(reopen_count__gt=0)),
            _always(VALID & ~Q(satisfaction="")),
        ),
        # Durations in working days, from registration; the measured cases are the "numerator".
        Metric(
            "reply_days",
            _("答复用时"),
            "duration",
            _("从登记到首次答复的工作日数（中位数、90%分位数）"),
            _always(VALID & Q(reply_working_days__isnull=False)),
            duration_field="reply_working_days",
        ),
        Metric(
            "resolve_days",
            _("办结用时"),
            "duration",
            _("从登记到（最近一次）办结的工作日数（中位数、90%分位数）"),
            _always(VALID & Q(resolve_working_days__isnull=False)),
            duration_field="resolve_working_days",
        ),
    ]
}
# These add up to 登记总量: each case is in exactly one (`replied` is a part of 办理中).
STATUS_TOTALS = [
    "awaiting",
    "in_progress",
    "constrained",
    "resolved",
    "closed",
    "merged_withdrawn",
    "voided",
]
RATES = ["response", "reply_on_time", "resolve_on_time", "resolution"]
RATES += ["first_satisfaction", "satisfaction", "solved"]
RATES_ALL = [*RATES, "reopen"]
DURATIONS = ["reply_days", "resolve_days"]
# The assessment score weighs these rates by the district's settings (the setting that
# holds each weight), in this order.
SCORE_WEIGHTS = {
    "response": "weight_response",
    "reply_on_time": "weight_reply_on_time",
    "resolve_on_time": "weight_resolve_on_time",
    "solved": "weight_resolution",
    "satisfaction": "weight_satisfaction",
}
SCORE_RATES = tuple(SCORE_WEIGHTS)
SCORE_LABEL = _("综合考核得分")
SCORE_FORMULA = _("各项比率×其权重之和 ÷ 100；任何一项没有数据（分母为0）则不计分，显示“数据不足”")


@dataclass
class Figure:
    """One metric's value for a set of cases: counts, and the value derived from them."""

    code: str
    numerator: int = 0
    denominator: int | None = None
    median: int | None = None
    p90: int | None = None
    # A duration's cases by whole working days: what median and p90 come from.
    histogram: dict[int, int] | None = None

    @property
    def metric(self) -> Metric:
        return METRICS[self.code]

    @property
    def value(self) -> float | int | None:
        """A count, a percentage (None when nothing to divide), or a duration's median."""
        kind = self.metric.kind
        if kind == "count":
            return self.numerator
        if kind == "rate":
            return 100.0 * self.numerator / self.denominator if self.denominator else None
        return self.median


@dataclass
class Row:
    """The figures of one group of cases: a unit, a category, a channel, a period, ..."""

    key: object
    label: Message
    figures: dict[str, Figure] = field(default_factory=dict)
    rank: int | None = None  # set by `rank`: ties share one
    unranked_because: str = ""  # set by `ranking` for a group it leaves out

    def __getitem__(self, code: str) -> Figure:
        return self.figures[code]

    @property
    def score(self) -> float | None:
        return self.figures["score"].value if "score" in self.figures else None

    def as_dict(self) -> dict[str, object]:
        """Plain values by column code (see COLUMNS): for a ledger or a JSON payload."""
        out: dict[str, object] = {"label": self.label}
        for code, fig in self.figures.items():
            if code == "score":
                out["score"] = _round(fig.value)
            elif fig.metric.kind == "rate":
                out[code] = _round(fig.value)
                out[f"{code}_numerator"], out[f"{code}_denominator"] = (
                    fig.numerator,
                    fig.denominator,
                )
            elif fig.metric.kind == "duration":
                out[f"{code}_median"], out[f"{code}_p90"] = fig.median, fig.p90
                out[f"{code}_cases"] = fig.numerator
            else:
                out[code] = fig.numerator
        return out


def _round(value):
    return None if value is None else round(value, 2)


class ScoreFigure(Figure):
    """The assessment score: not a count of cases, so it has no list of its own."""

    def __init__(self, value: float | None):
        super().__init__("score")
        self._value = value

    @property
    def metric(self):
        return SCORE_METRIC

    @property
    def value(self):
        return self._value


SCORE_METRIC = Metric("score", SCORE_LABEL, "score", SCORE_FORMULA, _always(VALID))


def columns() -> list[tuple[str, Message]]:
    """(code, Chinese header) of every value in `Row.as_dict()`, in a ledger's order."""
    columns: list[tuple[str, Message]] = [("label", _("名称"))]
    for code in ["total", "valid", *STATUS_TOTALS]:
        columns.append((code, METRICS[code].label))
    for code in RATES_ALL:
        label = METRICS[code].label
        columns += [
            (code, _("%(label)s（%%）") % {"label": label}),
            (f"{code}_numerator", _("%(label)s分子") % {"label": label}),
            (f"{code}_denominator", _("%(label)s分母") % {"label": label}),
        ]
    for code in DURATIONS:
        label = METRICS[code].label
        columns += [
            (f"{code}_median", _("%(label)s中位数（工作日）") % {"label": label}),
            (f"{code}_p90", _("%(label)s90%%分位数（工作日）") % {"label": label}),
            (f"{code}_cases", _("%(label)s计算件数") % {"label": label}),
        ]
    columns.append(("score", SCORE_LABEL))
    return columns


# Selecting the cases.


@dataclass(frozen=True)
class Selection:
    """Which cases a figure covers: registered from `start` to `end` (local dates, both
    included), narrowed to a unit, a category and a channel when given."""

    start: dt.date
    end: dt.date
    unit: Unit | None = None
    category: Category | None = None
    channel: str = ""

    def apply(self, cases: QuerySet) -> QuerySet:
        cases = in_period(cases, self.start, self.end)
        if self.unit is not None:
            cases = cases.filter(unit_filter(self.unit))
        if self.category is not None:
            cases = cases.filter(
                Q(category=self.category) | Q(category__parent=self.category)
                if self.category.parent_id is None
                else Q(category=self.category)
            )
        if self.channel:
            cases = cases.filter(channel=self.channel)
        return cases


def in_period(cases: QuerySet, start: dt.date, end: dt.date) -> QuerySet:
    """Cases registered on local days start..end, both included (an index range on the
    registration time, not a per-row date conversion)."""
    return cases.filter(
        registered_at__gte=start_of_day(start),
        registered_at__lt=start_of_day(end + dt.timedelta(days=1)),
    )


def unit_filter(unit: Unit) -> Q:
    """An area unit covers the cases in its area; any other unit the cases it leads."""
    K = Unit.Kind
    by_kind: dict[str, str] = {K.STREET: "street", K.COMMUNITY: "community", K.GRID: "grid"}
    return Q(**{by_kind.get(unit.kind, "lead_unit"): unit})


# Computing.


def _aggregates(ctx: Context, codes: Iterable[str]) -> dict:
    aggs = {}
    for code in codes:
        metric = METRICS[code]
        aggs[f"{code}__n"] = Count("pk", filter=metric.numerator(ctx))
        if metric.denominator is not None:
            aggs[f"{code}__d"] = Count("pk", filter=metric.denominator(ctx))
    return aggs


def _figures(values: dict, per_status: dict, codes: Iterable[str]) -> dict[str, Figure]:
    """Figures from a query's filtered counts (`values`) and its count per status."""
    out = {}
    for code in codes:
        metric = METRICS[code]
        if metric.statuses is not None:
            num, den = metric.statuses
            out[code] = Figure(
                code,
                numerator=sum(per_status.get(status, 0) for status in num),
                denominator=sum(per_status.get(status, 0) for status in den) if den else None,
            )
            continue
        out[code] = Figure(
            code,
            numerator=values.get(f"{code}__n") or 0,
            denominator=(values.get(f"{code}__d") or 0) if metric.denominator else None,
        )
    return out


def grouped(cases: QuerySet, group: str | None, ctx: Context, codes) -> dict:
    """{group value: {code: Figure}} from ONE query: cases counted per group and status,
    with a filtered count for each metric that the status alone does not decide."""
    filtered = [code for code in codes if METRICS[code].statuses is None]
    aggregates = _aggregates(ctx, filtered)
    fields = [group, "status"] if group else ["status"]
    query = cases.values(*fields).annotate(cases__n=Count("pk"), **aggregates).order_by()
    per_status: dict = defaultdict(dict)
    sums: dict = defaultdict(lambda: defaultdict(int))
    for item in query:
        key = item[group] if group else None
        per_status[key][item["status"]] = item["cases__n"]
        for name in aggregates:
            sums[key][name] += item[name]
    if group is None:
        per_status[None]  # noqa: B018  (an empty selection still has its zeros)
    return {key: _figures(sums[key], per_status[key], codes) for key in per_status}


def score(figures: dict[str, Figure], ctx: Context) -> float | None:
    """The assessment score (0–100): the rates of SCORE_RATES weighted by the district's
    settings. A weighted rate with nothing to measure (no rated case, no deadline reached)
    earns no marks and leaves the group without a score (数据不足): otherwise a unit whose
    cases nobody has rated yet would score on its response alone and top the table."""
    if missing_data(figures, ctx):
        return None
    total = weight_sum = 0.0
    for code, weight in zip(SCORE_RATES, ctx.weights, strict=True):
        value = figures[code].value
        if weight and value is not None:
            total += value * weight
            weight_sum += weight
    return total / weight_sum if weight_sum else None


def missing_data(figures: dict[str, Figure], ctx: Context) -> list[str]:
    """The weighted rates of the score that have nothing to measure (an empty denominator)."""
    return [
        code
        for code, weight in zip(SCORE_RATES, ctx.weights, strict=True)
        if weight and (code not in figures or figures[code].value is None)
    ]


def nearest_rank(histogram: dict[int, int], share: float) -> int | None:
    """The smallest value v such that at least `share` of the cases took v or less
    (nearest-rank percentile: always a real case's whole number of working days)."""
    n = sum(histogram.values())
    if not n:
        return None
    rank = max(1, math.ceil(share * n))
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return None  # unreachable


COUNT_AND_RATE_CODES = [code for code, m in METRICS.items() if m.kind != "duration"]


def _with_durations(
    cases: QuerySet, ctx: Context, group: str | None, rows: dict, codes: Iterable[str]
) -> None:
    """Add each duration's count, median and 90th percentile to `rows` (keyed by group
    value), from ONE query counting cases per group and per whole number of working days of
    every duration at once (durations are small whole numbers: few combinations)."""
    codes = list(codes)
    value_fields: list[str] = []
    for code in codes:
        name = METRICS[code].duration_field
        if name is None:
            raise ValueError(f"{code} is not a duration")
        value_fields.append(name)
    fields = [group, *value_fields] if group else value_fields
    counts = {f"{code}__n": Count("pk", filter=METRICS[code].numerator(ctx)) for code in codes}
    histograms: dict = {code: defaultdict(lambda: defaultdict(int)) for code in codes}
    for item in cases.values(*fields).annotate(**counts).order_by():
        key = item[group] if group else None
        for code, value_field in zip(codes, value_fields, strict=True):
            if item[f"{code}__n"]:
                histograms[code][key][item[value_field]] += item[f"{code}__n"]
    for key, figures in rows.items():
        for code in codes:
            figures[code] = duration_figure(code, dict(histograms[code].get(key, {})))


def duration_figure(code: str, histogram: dict[int, int]) -> Figure:
    return Figure(
        code,
        numerator=sum(histogram.values()),
        median=nearest_rank(histogram, 0.5),
        p90=nearest_rank(histogram, 0.9),
        histogram=histogram,
    )


def summary(cases: QuerySet, ctx: Context) -> dict[str, Figure]:
    """Every metric over `cases`, plus the assessment score (two queries)."""
    figures = grouped(cases, None, ctx, COUNT_AND_RATE_CODES)
    _with_durations(cases, ctx, None, figures, DURATIONS)
    result = figures[None]
    result["score"] = ScoreFigure(score(result, ctx))
    return result


def combine(rows: Iterable[Row], ctx: Context) -> dict[str, Figure]:
    """The figures of the union of disjoint groups, from the groups' own (counts add up, and
    so do the durations' histograms): the headline figures come from the breakdown the page
    shows anyway, without another pass over the cases."""
    out: dict[str, Figure] = {}
    histograms: dict[str, dict[int, int]] = {code: {} for code in DURATIONS}
    for code in COUNT_AND_RATE_CODES:
        out[code] = Figure(code, denominator=0 if METRICS[code].denominator else None)
    for row in rows:
        for code in COUNT_AND_RATE_CODES:
            fig, total = row.figures[code], out[code]
            total.numerator += fig.numerator
            if fig.denominator is not None and total.denominator is not None:
                total.denominator += fig.denominator
        for code in DURATIONS:
            for days, n in (row.figures[code].histogram or {}).items():
                histograms[code][days] = histograms[code].get(days, 0) + n
    for code in DURATIONS:
        out[code] = duration_figure(code, histograms[code])
    out["score"] = ScoreFigure(score(out, ctx))
    return out


@dataclass(frozen=True)
class Dimension:
    code: str
    label: Message
    field: str  # what the cases are grouped by
    # Cases without a value are in no group (a leader's table: 包案 cases only).
    skip_none: bool = False

    @property
    def only(self) -> Q:
        return Q(**{f"{self.field}__isnull": False}) if self.skip_none else Q()

    @property
    def partitions(self) -> bool:
        """Whether every case is in exactly one group (so that the groups add up)."""
        return not self.skip_none


DIMENSIONS: dict[str, Dimension] = {
    d.code: d
    for d in [
        Dimension("lead_unit", _("主办单位"), "lead_unit"),
        Dimension("street", _("街道"), "street"),
        Dimension("community", _("社区"), "community"),
        Dimension("grid", _("网格"), "grid"),
        Dimension("category", _("分类"), "category"),
        Dimension("channel", _("来源渠道"), "channel"),
        Dimension("leader", _("包案领导"), "leader", skip_none=True),
    ]
}
NONE_KEY = "none"
STEPS = {
    "day": (TruncDay, _("按日")),
    "week": (TruncWeek, _("按周")),
    "month": (TruncMonth, _("按月")),
    "quarter": (TruncQuarter, _("按季度")),
    "year": (TruncYear, _("按年")),
}


def breakdown(
    cases: QuerySet, dimension: str, ctx: Context, *, with_durations: bool = True
) -> list[Row]:
    """Every metric for each group of `cases` (a unit, a category, a channel, a leader),
    largest group first. Cases without a value (not yet dispatched, no grid) form one
    group with the key None."""
    durations = dimension if with_durations else None
    return breakdowns(cases, [dimension], ctx, durations_for=durations)[dimension]


def breakdowns(
    cases: QuerySet, dimensions: list[str], ctx: Context, *, durations_for: str | None = None
) -> dict[str, list[Row]]:
    """Several breakdowns from ONE pass over the cases: counted per combination of the
    dimensions' keys and status, then added up per dimension (every figure but a duration
    is a count, and counts add up). Keep the combinations few: lead unit × street ×
    leader is a few thousand; `durations_for` names the one breakdown that gets the
    durations (one more pass, grouped by that dimension alone)."""
    dims = [DIMENSIONS[code] for code in dict.fromkeys(dimensions)]
    fields = list(dict.fromkeys(dim.field for dim in dims))
    filtered = [code for code in COUNT_AND_RATE_CODES if METRICS[code].statuses is None]
    aggregates = _aggregates(ctx, filtered)
    query = cases.values(*fields, "status").annotate(cases__n=Count("pk"), **aggregates)
    per_status: dict = {dim.code: defaultdict(lambda: defaultdict(int)) for dim in dims}
    sums: dict = {dim.code: defaultdict(lambda: defaultdict(int)) for dim in dims}
    for item in query.order_by():
        for dim in dims:
            key = item[dim.field]
            if key is None and dim.skip_none:
                continue
            per_status[dim.code][key][item["status"]] += item["cases__n"]
            for name in aggregates:
                sums[dim.code][key][name] += item[name]
    out = {}
    for dim in dims:
        rows = {
            key: _figures(sums[dim.code][key], counts, COUNT_AND_RATE_CODES)
            for key, counts in per_status[dim.code].items()
        }
        if dim.code == durations_for:
            _with_durations(cases.filter(dim.only), ctx, dim.field, rows, DURATIONS)
        out[dim.code] = table(dim.code, rows, ctx)
    return out


def table(dimension: str, groups: dict, ctx: Context) -> list[Row]:
    """A breakdown's rows from {key: figures}, with labels and scores, largest group first."""
    labels = group_labels(dimension, groups.keys())
    rows = []
    for key, figures in groups.items():
        figures.setdefault("score", ScoreFigure(score(figures, ctx)))
        rows.append(Row(key, labels.get(key, str(key)), figures))
    rows.sort(key=lambda row: (-row["total"].numerator, row.label))
    return rows


def group_labels(dimension: str, keys: Iterable) -> dict:
    keys = [key for key in keys if key is not None]
    labels: dict = {None: _("（未指定）")}
    if dimension == "lead_unit":
        labels[None] = _("（未派单）")
    if dimension in ("lead_unit", "street", "community", "grid"):
        labels.update(Unit.objects.filter(pk__in=keys).values_list("pk", "name"))
    elif dimension == "category":
        labels[None] = _("（未分类）")
        labels.update(
            (c.pk, str(c)) for c in Category.objects.filter(pk__in=keys).select_related("parent")
        )
    elif dimension == "channel":
        labels.update((value, str(label)) for value, label in Channel.choices)
    elif dimension == "leader":
        for pk, full_name, username in User.objects.filter(pk__in=keys).values_list(
            "pk", "full_name", "username"
        ):
            labels[pk] = full_name or username
    return labels


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def cases_behind(
    cases: QuerySet,
    code: str,
    side: str,
    ctx: Context,
    *,
    dimension: str | None = None,
    key=None,
) -> QuerySet:
    """The cases a figure counts: a count's cases, a rate's numerator ("num") or denominator
    ("den"), a duration's measured cases; within one group of a breakdown when given."""
    metric = METRICS[code]
    q = metric.denominator(ctx) if side == "den" and metric.denominator else metric.numerator(ctx)
    cases = cases.filter(q)
    if dimension is not None:
        dim = DIMENSIONS[dimension]
        cases = cases.filter(dim.only)
        cases = cases.filter(
            **({f"{dim.field}__isnull": True} if key is None else {dim.field: key})
        )
    return cases
