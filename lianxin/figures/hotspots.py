"""Hot spots: the categories and grids with the most new cases this week against last week."""

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from lianxin.figures import tally
from lianxin.figures.metrics import Context, group_labels, start_of_day, week_start
from lianxin.figures.models import Tally
from lianxin.workdays.days import local_date

DIMENSIONS = ("category", "grid")


def weeks(ctx: Context) -> tuple[dt.date, dt.date, dt.date]:
    """(last week's Monday, this week's Monday, today)."""
    today = local_date(ctx.now)
    this_week = week_start(today)
    return this_week - dt.timedelta(days=7), this_week, today


def hot_spots(cases: QuerySet, ctx: Context, limit: int = 10) -> dict[str, list[dict]]:
    """The categories and grids with the most new cases this week (Monday to today), beside
    last week's count and the change; `cases` need not be narrowed to a period."""
    last_week, this_week, today = weeks(ctx)
    tomorrow = start_of_day(today + dt.timedelta(days=1))
    this_q = Q(registered_at__gte=start_of_day(this_week), registered_at__lt=tomorrow)
    last_q = Q(
        registered_at__gte=start_of_day(last_week), registered_at__lt=start_of_day(this_week)
    )
    window = cases.filter(registered_at__gte=start_of_day(last_week), registered_at__lt=tomorrow)
    counts = {}
    for dimension in DIMENSIONS:
        query = (
            window.filter(**{f"{dimension}__isnull": False})
            .values(dimension)
            .annotate(this=Count("pk", filter=this_q), last=Count("pk", filter=last_q))
            .order_by()
        )
        counts[dimension] = {i[dimension]: (i["this"], i["last"]) for i in query}
    return _ranked(counts, ctx, limit)


def hot_spots_of_district(ctx: Context, limit: int = 10) -> dict[str, list[dict]]:
    """The same for the whole district, from the figures' tally."""
    last_week, this_week, today = weeks(ctx)
    rows = (
        Tally.objects.filter(
            span=Tally.Span.DAY, day__gte=last_week, day__lte=today, dimension__in=DIMENSIONS
        )
        .exclude(key="")
        .values_list("dimension", "key")
        .annotate(
            this=Sum("cases", filter=Q(day__gte=this_week)),
            last=Sum("cases", filter=Q(day__lt=this_week)),
        )
        .order_by()
    )
    counts: dict[str, dict] = {dimension: {} for dimension in DIMENSIONS}
    for dimension, key, this, last in rows:
        counts[dimension][tally.key_of(dimension, key)] = (this or 0, last or 0)
    return _ranked(counts, ctx, limit)


def _ranked(counts: dict[str, dict], ctx: Context, limit: int) -> dict:
    last_week, this_week, _today = weeks(ctx)
    out: dict[str, Any] = {}
    for dimension, by_key in counts.items():
        items = sorted(
            ((key, this, last) for key, (this, last) in by_key.items() if this > 0),
            key=lambda i: (-i[1], -(i[1] - i[2]), str(i[0])),
        )[:limit]
        labels = group_labels(dimension, [key for key, _this, _last in items])
        out[dimension] = [
            {
                "key": key,
                "label": labels.get(key, ""),
                "this_week": this,
                "last_week": last,
                "change": this - last,
            }
            for key, this, last in items
        ]
    out["this_week_start"], out["last_week_start"] = this_week, last_week
    return out
