"""The monthly brief (月度简报): the month's figures, rankings, hot spots and exemplary cases.

The figures come from `lianxin.figures.metrics`, so the brief says exactly what the
dashboard says for the same month: every figure covers the cases registered in the month
(docs/metrics.md), taken at the moment the brief is made. Hot spots compare the month's
new cases by category and grid with the month before. The exemplary cases are those the
office marked (选树典型案例) during the month.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lianxin.cases.models import Case
from lianxin.figures import metrics as m
from lianxin.figures import rankings
from lianxin.workdays.days import local_date

HEADLINE_CODES = [
    "total",
    "valid",
    "resolution",
    "reply_on_time",
    "resolve_on_time",
    "response",
    "first_satisfaction",
    "satisfaction",
    "unsatisfied",
    "solved",
    "reply_days",
    "resolve_days",
]
RANKED = ("lead_unit", "street")
RANK_CODES = ("valid", *m.SCORE_RATES)
TOP = 10
HOT_LIMIT = 5


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def parse_month(value: str | None, today: dt.date) -> dt.date:
    """`2026-03` → 2026-03-01; anything else (or a month not yet begun) → last month."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        chosen = dt.date(year, month, 1)
    except (TypeError, ValueError):
        return previous_month(today)
    if chosen > today or chosen.year < 2000:
        return previous_month(today)
    return chosen


def show(figure: m.Figure) -> str:
    """A figure as the brief prints it."""
    kind, value = figure.metric.kind, figure.value
    if value is None:
        return "—"
    if kind == "rate" or kind == "score":
        return f"{value:.1f}%" if kind == "rate" else f"{value:.1f}"
    if kind == "duration":
        return ngettext("%(n)s个工作日", "%(n)s个工作日", value) % {"n": value}
    return str(value)


@dataclass
class Brief:
    month: dt.date
    start: dt.date
    end: dt.date
    made_at: dt.datetime
    headline: list[dict] = field(default_factory=list)
    statuses: list[dict] = field(default_factory=list)
    rankings: list[dict] = field(default_factory=list)
    hot: dict[str, list[dict]] = field(default_factory=dict)
    exemplary: list[Case] = field(default_factory=list)
    weights: str = ""  # the score's weights in words
    min_cases: int = 0

    @property
    def title(self) -> str:
        return _("%(year)d年%(month)d月 连心服务工作简报") % {
            "year": self.month.year,
            "month": self.month.month,
        }


def _cell(figure: m.Figure) -> dict:
    label = figure.metric.label
    if figure.metric.kind == "duration":
        label = _("%(label)s（中位数）") % {"label": label}
    return {"label": str(label), "value": show(figure)}


def build_brief(user, month: dt.date, *, now: dt.datetime | None = None) -> Brief:
    """The brief of `month` over the cases `user` may see (the office and leaders: all)."""
    ctx = m.Context.build(now=now)
    start, end = month_bounds(month)
    visible = Case.objects.visible_to(user)
    cases = m.Selection(start=start, end=end).apply(visible)
    brief = Brief(
        month=start,
        start=start,
        end=end,
        made_at=timezone.localtime(ctx.now),
        weights=rankings.weights_text(ctx),
        min_cases=ctx.ranking_min_cases,
    )
    summary = m.summary(cases, ctx)
    brief.headline = [_cell(summary[code]) for code in HEADLINE_CODES]
    brief.statuses = [_cell(summary[code]) for code in m.STATUS_TOTALS]
    by_dimension = m.breakdowns(cases, list(RANKED), ctx)  # both tables from one pass
    for peers in rankings.peer_rankings(by_dimension, ctx):
        ranked, unranked = peers["ranked"], peers["unranked"]
        brief.rankings.append(
            {
                "title": _("%(by)s综合排名") % {"by": peers["label"]},
                "by": str(peers["label"]),
                "headers": [str(m.METRICS[code].label) for code in RANK_CODES],
                "rows": [
                    {
                        "rank": row.rank,
                        "label": row.label,
                        "cells": [show(row[code]) for code in RANK_CODES],
                        "score": show(row.figures["score"]),
                    }
                    for row in ranked[:TOP]
                ],
                "ranked": len(ranked),
                "unranked": len(unranked),
            }
        )
    brief.hot = month_hot_spots(visible, start, end)
    brief.exemplary = list(exemplary_cases(visible, start, end))
    return brief


def month_hot_spots(cases, start: dt.date, end: dt.date) -> dict[str, list[dict]]:
    """The categories and grids with the most new cases in the month, beside the month before."""
    before_start, _before_end = month_bounds(previous_month(start))
    this_q = Q(registered_at__gte=m.start_of_day(start))
    last_q = Q(registered_at__lt=m.start_of_day(start))
    window = m.in_period(cases, before_start, end)
    out = {}
    for dimension in ("category", "grid"):
        query = (
            window.filter(**{f"{dimension}__isnull": False})
            .values(dimension)
            .annotate(this=Count("pk", filter=this_q), last=Count("pk", filter=last_q))
            .filter(this__gt=0)
            .order_by()
        )
        items = sorted(query, key=lambda i: (-i["this"], -(i["this"] - i["last"])))[:HOT_LIMIT]
        labels = m.group_labels(dimension, [i[dimension] for i in items])
        out[dimension] = [
            {
                "label": str(labels.get(i[dimension], "")),
                "this": i["this"],
                "last": i["last"],
                "change": i["this"] - i["last"],
            }
            for i in items
        ]
    return out


def exemplary_cases(cases, start: dt.date, end: dt.date):
    """Cases still exemplary that the office marked (or whose write-up it edited) in the month."""
    marked = Q(
        events__code="cases.case.marked_exemplary",
        events__at__gte=m.start_of_day(start),
        events__at__lt=m.start_of_day(end + dt.timedelta(days=1)),
    )
    return (
        cases.filter(Q(exemplary=True) & marked)
        .distinct()
        .select_related("lead_unit", "category", "street", "community")
        .order_by("closed_at", "pk")
    )


def default_month(now: dt.datetime | None = None) -> dt.date:
    return previous_month(local_date(now or timezone.now()))
