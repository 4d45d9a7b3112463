"""The dashboard (挂图作战) and the list of cases behind each of its figures.

Both start from `Case.objects.visible_to(user)`: a unit's staff see the figures of the
cases they may see, the office and leaders those of the whole district.
"""

import datetime as dt
from urllib.parse import quote_plus, urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lianxin.cases.access import require_staff
from lianxin.figures import hotspots
from lianxin.figures import metrics as m
from lianxin.figures.board import board
from lianxin.figures.forms import FiguresForm, figure_cases
from lianxin.figures.rankings import peer_rankings, weights_text
from lianxin.figures.trend import auto_step, bucket_end
from lianxin.workdays.days import local_date

PAGE_SIZE = 30
RANKED_DIMENSIONS = ("lead_unit", "street")


class Links:
    """Drill-down addresses for the figures of one selection, taken at one moment."""

    def __init__(self, selection: m.Selection, ctx: m.Context):
        self.base: dict[str, object] = {
            "period": "range",
            "start": selection.start.isoformat(),
            "end": selection.end.isoformat(),
            "asof": ctx.now.isoformat(),
        }
        if selection.unit is not None:
            self.base["unit"] = selection.unit.pk
        if selection.category is not None:
            self.base["category"] = selection.category.pk
        if selection.channel:
            self.base["channel"] = selection.channel
        self.url = reverse("figures:cases")
        # The dashboard links each of its thousand figures: encode the shared part once.
        self.prefix = f"{self.url}?{urlencode(self.base)}&"

    def __call__(self, code, side="num", dimension=None, key=None, **override) -> str:
        tail: dict[str, object] = {"metric": code, "side": side}
        if dimension is not None:
            tail["dim"] = dimension
            tail["key"] = m.NONE_KEY if key is None else key
        if override:
            return f"{self.url}?{urlencode({**self.base, **override, **tail})}"
        # Codes, sides and dimensions are plain identifiers; only the key needs quoting.
        text = f"metric={code}&side={side}"
        if dimension is not None:
            text += f"&dim={dimension}&key={quote_plus(str(tail['key']))}"
        return self.prefix + text


def _cell(fig: m.Figure, link, **where) -> dict:
    """What a template needs to show one figure and link to its cases."""
    metric = fig.metric
    cell: dict[str, object] = {
        "code": fig.code,
        "label": metric.label,
        "formula": metric.formula,
        "kind": metric.kind,
    }
    if metric.kind == "score":
        cell["value"] = fig.value
        return cell
    cell["value"] = fig.value
    cell["numerator"] = fig.numerator
    cell["num_url"] = link(fig.code, "num", **where)
    if metric.kind == "rate":
        cell["denominator"] = fig.denominator
        cell["den_url"] = link(fig.code, "den", **where)
    if metric.kind == "duration":
        cell["median"], cell["p90"] = fig.median, fig.p90
    return cell


def _row(row: m.Row, link, dimension, codes) -> dict:
    where = {"dimension": dimension, "key": row.key}
    return {
        "key": row.key,
        "label": row.label,
        "rank": row.rank,
        "cells": [_cell(row.figures[code], link, **where) for code in codes],
        "score": row.score,
        "because": row.unranked_because,
    }


TABLE_CODES = ["total", "valid", "resolution", "reply_on_time", "resolve_on_time", "response"]
TABLE_CODES += ["first_satisfaction", "satisfaction", "unsatisfied", "solved", "reopen"]
TABLE_CODES += ["reply_days", "resolve_days"]
# The ranking shows the valid cases and every rate the score weighs.
RANK_CODES = ["valid", *m.SCORE_RATES]


@login_required
def dashboard(request):
    require_staff(request.user)
    ctx = m.Context.build()
    form = FiguresForm(request.GET or None, today=local_date(ctx.now))
    selection = form.selection()
    link = Links(selection, ctx)
    if form.is_bound and form.is_valid():
        # Show the period's dates in the date fields, whichever way it was chosen.
        form.data = form.data.copy()
        form.data["start"], form.data["end"] = selection.start, selection.end

    by = form.choice("by", "lead_unit")
    step = form.choice("step", auto_step(selection.start, selection.end))
    figures = board(
        selection,
        request.user,
        ctx,
        dimensions=[by, *RANKED_DIMENSIONS, "leader"],
        by=by,
        step=step,
    )
    tables, summary, trend, hot = figures.tables, figures.summary, figures.trend, figures.hot
    breakdown_rows = tables[by]
    rankings = [
        {
            "code": peers["code"],
            "label": peers["label"],
            "ranked": [_row(r, link, peers["dimension"], RANK_CODES) for r in peers["ranked"]],
            "unranked": [_row(r, link, peers["dimension"], RANK_CODES) for r in peers["unranked"]],
        }
        for peers in peer_rankings(tables, ctx)
    ]
    leader_rows = tables["leader"] if by != "leader" else None
    _last_week, this_week, today = hotspots.weeks(ctx)
    hot_link = Links(
        m.Selection(this_week, today, selection.unit, selection.category, selection.channel), ctx
    )
    for dimension in hotspots.DIMENSIONS:
        for item in hot[dimension]:
            item["url"] = hot_link("total", "num", dimension=dimension, key=item["key"])

    cards = {code: _cell(fig, link) for code, fig in summary.items()}
    charts = _charts(summary, trend, step, breakdown_rows, by, rankings, link, ctx)
    return render(
        request,
        "figures/dashboard.html",
        {
            "form": form,
            "selection": selection,
            "asof": timezone.localtime(ctx.now),
            "cards": cards,
            "status_cards": [cards[c] for c in m.STATUS_TOTALS],
            "rate_cards": [cards[c] for c in m.RATES_ALL],
            "unsatisfied": cards["unsatisfied"],
            "duration_cards": [cards[c] for c in m.DURATIONS],
            "weights": weights_text(ctx),
            "rank_labels": [m.METRICS[c].label for c in RANK_CODES],
            "min_cases": ctx.ranking_min_cases,
            "response_limit": ctx.response_limit,
            "rankings": rankings,
            "by": m.DIMENSIONS[by],
            "by_tabs": [
                {
                    "label": dim.label,
                    "current": dim.code == by,
                    "url": "?" + urlencode({**request.GET.dict(), "by": dim.code}),
                }
                for dim in m.DIMENSIONS.values()
            ],
            "table_labels": [m.METRICS[c].label for c in TABLE_CODES],
            "breakdown": [_row(r, link, by, TABLE_CODES) for r in breakdown_rows],
            "leaders": [_row(r, link, "leader", TABLE_CODES[:-2]) for r in leader_rows]
            if leader_rows is not None
            else None,
            "leader_labels": [m.METRICS[c].label for c in TABLE_CODES[:-2]],
            "hot": hot,
            "from_tally": figures.from_tally,
            "charts": charts,
            # The exports take the page's own filters (and `by`), so they hold its numbers.
            "export_query": urlencode(
                {**{k: v for k, v in request.GET.items() if k in form.fields}, "by": by}
            ),
        },
    )


def _charts(summary, trend, step, breakdown_rows, by, rankings, link, ctx) -> dict:
    """The data ECharts draws, passed with json_script: names, numbers and drill-down
    addresses only; the script holds no text of its own."""
    # A bucket at the edge of the period (a week that began before it) links to its days
    # inside the period only, as the chart counts them.
    selection_start, selection_end = link.base["start"], link.base["end"]
    trend_links = [
        link(
            "total",
            "num",
            start=max(row.key.isoformat(), selection_start),
            end=min(bucket_end(row.key, step).isoformat(), selection_end),
        )
        for row in trend
    ]
    rate_codes = ["resolution", "reply_on_time", "first_satisfaction", "satisfaction"]
    top = [row for row in breakdown_rows if row.key is not None][:15]
    ranked = rankings[0]["ranked"][:15]
    return {
        "save_label": str(_("保存为图片")),
        "trend": {
            "title": _("登记与办结趋势（%(step)s）") % {"step": m.STEPS[step][1]},
            "buckets": [bucket_label(row.key, step) for row in trend],
            "counts": [
                {
                    "name": str(m.METRICS[code].label),
                    "data": [row[code].numerator for row in trend],
                }
                for code in ("total",)
            ]
            + [
                {
                    "name": str(_("其中已办结")),
                    "data": [row["resolution"].numerator for row in trend],
                }
            ],
            "rates": [
                {
                    "name": str(m.METRICS[code].label),
                    "data": [_r(row[code].value) for row in trend],
                }
                for code in rate_codes
            ],
            "links": trend_links,
            "count_axis": str(_("件数")),
            "rate_axis": str(_("比率（%）")),
        },
        "status": {
            "title": str(_("状态分布")),
            "items": [
                {
                    "name": str(m.METRICS[code].label),
                    "value": summary[code].numerator,
                    "url": link(code, "num"),
                }
                for code in m.STATUS_TOTALS
                if summary[code].numerator
            ],
        },
        "breakdown": {
            "title": _("按%(dim)s：登记量（前15）") % {"dim": m.DIMENSIONS[by].label},
            "labels": [row.label for row in top],
            "values": [row["total"].numerator for row in top],
            "links": [link("total", "num", dimension=by, key=row.key) for row in top],
        },
        "ranking": {
            "title": _("%(peers)s综合考核得分（前15）") % {"peers": rankings[0]["label"]},
            "labels": [row["label"] for row in ranked],
            "values": [_r(row["score"]) for row in ranked],
            "links": [row["cells"][0]["num_url"] for row in ranked],
        },
    }


def bucket_label(day: dt.date, step: str) -> str:
    """A trend bucket as people name it: 2026年6月, 2026年第2季度, 6月1日起 (a week)."""
    if step == "month":
        return _("%(y)d年%(m)d月") % {"y": day.year, "m": day.month}
    if step == "quarter":
        return _("%(y)d年第%(q)d季度") % {"y": day.year, "q": (day.month - 1) // 3 + 1}
    if step == "year":
        return _("%(y)d年") % {"y": day.year}
    if step == "week":
        return _("%(m)d月%(d)d日起") % {"m": day.month, "d": day.day}
    return _("%(m)d月%(d)d日") % {"m": day.month, "d": day.day}


def _r(value):
    return None if value is None else round(value, 1)


@login_required
def case_list(request):
    """The cases behind one figure of the dashboard: exactly as many as it counts."""
    behind = figure_cases(request.user, request.GET)
    metric, side, dimension, key = behind.metric, behind.side, behind.dimension, behind.key
    cases = behind.cases.select_related("category", "lead_unit", "street", "community", "grid")
    page = Paginator(cases.order_by("-registered_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    group_label = None
    if dimension is not None:
        group_label = m.group_labels(dimension, [key]).get(key, "")
    query = request.GET.copy()
    query.pop("page", None)
    form, ctx = behind.form, behind.ctx
    dashboard_query = {k: v for k, v in request.GET.items() if k in form.fields and v}
    return render(
        request,
        "figures/case_list.html",
        {
            "metric": metric,
            "side": side,
            "side_label": _("分母") if side == "den" else (_("分子") if metric.denominator else ""),
            "dimension": m.DIMENSIONS.get(dimension) if dimension else None,
            "group_label": group_label,
            "selection": behind.selection,
            "asof": timezone.localtime(ctx.now),
            "page": page,
            "query": query.urlencode(),
            "dashboard_url": reverse("figures:dashboard") + "?" + urlencode(dashboard_query),
        },
    )
