"""Hot spots: the categories and grids with the most new cases this week against last week."""

import datetime as dt

from django.db.models import Count, Q, QuerySet

from lianxin.figures.metrics import Context, group_labels, start_of_day, week_start
from lianxin.workdays.days import local_date


def hot_spots(cases: QuerySet, ctx: Context, limit: int = 10) -> dict[str, list[dict]]:
    """The categories and grids with the most new cases this week (Monday to today), beside
    last week's count and the change; `cases` need not be narrowed to a period."""
    this_week = week_start(local_date(ctx.now))
    last_week = this_week - dt.timedelta(days=7)
    tomorrow = start_of_day(local_date(ctx.now) + dt.timedelta(days=1))
    this_q = Q(registered_at__gte=start_of_day(this_week), registered_at__lt=tomorrow)
    last_q = Q(
        registered_at__gte=start_of_day(last_week), registered_at__lt=start_of_day(this_week)
    )
    window = cases.filter(registered_at__gte=start_of_day(last_week), registered_at__lt=tomorrow)
    out = {}
    for dimension in ("category", "grid"):
        query = (
            window.filter(**{f"{dimension}__isnull": False})
            .values(dimension)
            .annotate(this=Count("pk", filter=this_q), last=Count("pk", filter=last_q))
            .filter(this__gt=0)
            .order_by()
        )
        items = sorted(query, key=lambda i: (-i["this"], -(i["this"] - i["last"])))[:limit]
        labels = group_labels(dimension, [i[dimension] for i in items])
        out[dimension] = [
            {
                "key": i[dimension],
                "label": labels.get(i[dimension], ""),
                "this_week": i["this"],
                "last_week": i["last"],
                "change": i["this"] - i["last"],
            }
            for i in items
        ]
    out["this_week_start"], out["last_week_start"] = this_week, last_week
    return out
