"""The trend chart: figures per day, week, month, quarter or year of registration."""

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from lianxin.figures.metrics import DATE_FIELD, STEPS, Context, Row, grouped


def auto_step(start: dt.date, end: dt.date) -> str:
    days = (end - start).days + 1
    if days <= 31:
        return "day"
    if days <= 190:
        return "week"
    if days <= 800:
        return "month"
    return "quarter"


# What the trend chart draws; each further rate costs the query two filtered counts.
TREND_CODES = ["total", "valid", "resolution", "reply_on_time", "first_satisfaction"]
TREND_CODES += ["satisfaction"]


def trend(cases: QuerySet, step: str, ctx: Context, codes=None) -> list[Row]:
    """Figures per day, week, month, quarter or year of registration, oldest first. The
    key is the bucket's first local date."""
    codes = codes or TREND_CODES
    trunc = STEPS[step][0]
    cases = cases.annotate(bucket=trunc(DATE_FIELD, tzinfo=timezone.get_current_timezone()))
    rows = []
    for bucket, figures in grouped(cases, "bucket", ctx, codes).items():
        day = timezone.localtime(bucket).date() if isinstance(bucket, dt.datetime) else bucket
        rows.append(Row(day, day.isoformat(), figures))
    rows.sort(key=lambda row: row.key)  # type: ignore[arg-type,return-value]  # dates
    return rows


def bucket_end(day: dt.date, step: str) -> dt.date:
    """The last date of the bucket that starts on `day`."""
    if step == "day":
        return day
    if step == "week":
        return day + dt.timedelta(days=6)
    months = {"month": 1, "quarter": 3, "year": 12}[step]
    month = day.month - 1 + months
    first_next = dt.date(day.year + month // 12, month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)
