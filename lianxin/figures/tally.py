"""The figures' tally: the cases' counts kept as the cases change, so that a dashboard over
millions of cases adds up a few thousand rows instead of reading the cases.

Every save of a case writes, in the same transaction, the difference it makes: what the
case counted for before (read from the database under the case's row lock) is taken away
and what it counts for now is added, on rows keyed by its registration day and month, a
dimension (the district, lead unit, street, ...) and its key in that dimension. Changes
only ever insert day rows, so writers never wait for each other; `compact` (a job every
minute) folds a day group's new rows into its settled row and carries them into the
month's row in one transaction, which changes no sum a reader sees: a month reads as its
month row plus its days' rows not yet carried. The tally therefore equals the cases at
every moment, and a figure read from it equals the list its drill-down shows (the
property test replays random workflows and checks both).

Figures that depend on the moment they are taken (has a deadline passed by now?) are kept
as counts by deadline and summed over the deadlines before now when read.

What one case counts for (`facts`) mirrors the Q filters of `metrics.METRICS`; a metric
that the tally cannot compute is refused at import time (`_check_every_metric`).
"""

import datetime as dt
import functools
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connections, transaction
from django.db.models import Q
from django.utils import timezone

from lianxin.figures import metrics as m
from lianxin.figures.models import Tally
from lianxin.workdays.days import end_of_day

# The case fields the figures depend on (attribute names).
FIELDS = (
    "registered_at",
    "status",
    "channel",
    "lead_unit_id",
    "street_id",
    "community_id",
    "grid_id",
    "category_id",
    "leader_id",
    "dispatched_at",
    "replied_at",
    "reply_due_at",
    "resolved_at",
    "resolve_due_at",
    "satisfaction",
    "solved",
    "reopen_count",
    "response_working_days",
    "reply_working_days",
    "resolve_working_days",
)
DISTRICT = "district"
# Every dimension of the figures, and the district as a whole (one group, key "").
DIMENSION_FIELDS = {DISTRICT: None} | {
    code: dim.field if dim.field == "channel" else f"{dim.field}_id"
    for code, dim in m.DIMENSIONS.items()
}
SPANS = (Tally.Span.DAY, Tally.Span.MONTH)


@dataclass(frozen=True)
class CaseFacts:
    day: dt.date  # local registration date
    keys: dict[str, str]  # dimension -> key
    counts: dict[str, int]


def facts(values: Mapping) -> CaseFacts:
    """What one case (its FIELDS by name) counts for."""
    status = values["status"]
    counts = {f"status:{status}": 1}
    if status not in m.NOT_HANDLED:
        _valid_facts(values, counts)
    keys = {
        dimension: "" if field is None or values[field] is None else str(values[field])
        for dimension, field in DIMENSION_FIELDS.items()
    }
    return CaseFacts(local_date(values["registered_at"]), keys, counts)


def local_date(moment: dt.datetime) -> dt.date:
    """The platform's local date of a moment (its one time zone, without the per-request
    lookup of `timezone.localtime`: this runs for every case of a rebuild)."""
    return moment.astimezone(timezone.get_default_timezone()).date()


def _valid_facts(v: Mapping, counts: dict) -> None:
    # response: dispatched and accepted (with its working days), or still waiting
    if v["dispatched_at"] is not None:
        if v["response_working_days"] is not None:
            counts[f"response_days:{v['response_working_days']}"] = 1
        else:
            counts[f"dispatched_on:{local_date(v['dispatched_at']).isoformat()}"] = 1
    # reply_on_time
    if v["replied_at"] is not None:
        counts["replied"] = 1
        if v["replied_at"] <= v["reply_due_at"]:
            counts["reply_on_time"] = 1
    else:
        counts[f"reply_due:{_instant(v['reply_due_at'])}"] = 1
    # resolve_on_time: a constrained case's deadline does not count against it
    if v["resolved_at"] is not None:
        counts["resolved"] = 1
        if v["resolved_at"] <= v["resolve_due_at"]:
            counts["resolve_on_time"] = 1
    elif v["status"] != m.S.CONSTRAINED:
        counts[f"resolve_due:{_instant(v['resolve_due_at'])}"] = 1
    # satisfaction, solved, reopen
    if v["satisfaction"]:
        counts["rated"] = 1
        if v["satisfaction"] in m.CONTENT:
            counts["content"] = 1
            if not v["reopen_count"]:
                counts["content_first"] = 1
    if v["solved"] is not None:
        counts["solved_known"] = 1
        if v["solved"]:
            counts["solved"] = 1
    if v["reopen_count"]:
        counts["reopened"] = 1
    if v["reply_working_days"] is not None:
        counts[f"reply_days:{v['reply_working_days']}"] = 1
    if v["resolve_working_days"] is not None:
        counts[f"resolve_days:{v['resolve_working_days']}"] = 1


def _instant(moment: dt.datetime) -> str:
    """A deadline as text: its local date when it falls at the end of that day, as every
    deadline the workflow sets does (short keys), else the exact instant in UTC."""
    local = moment.astimezone(timezone.get_default_timezone())
    if local.time() == dt.time.max:
        return local.date().isoformat()
    return moment.astimezone(dt.UTC).isoformat()


@functools.lru_cache(maxsize=4096)
def _parse_instant(text: str) -> dt.datetime:
    if len(text) == 10:
        return end_of_day(dt.date.fromisoformat(text))
    return dt.datetime.fromisoformat(text)


# Writing.


def span_day(span: str, day: dt.date) -> dt.date:
    return day if span == Tally.Span.DAY else day.replace(day=1)


def difference(before: CaseFacts | None, after: CaseFacts | None) -> list[Tally]:
    """The day rows that take `before` out of the tally and put `after` in (`compact`
    carries them into the month rows later)."""
    changes: dict[tuple, Counter] = defaultdict(Counter)
    for sign, side in ((-1, before), (1, after)):
        if side is None:
            continue
        for dimension, key in side.keys.items():
            change = changes[(side.day, dimension, key)]
            for fact, n in side.counts.items():
                change[fact] += sign * n
    rows = []
    for (day, dimension, key), change in changes.items():
        counts = {fact: n for fact, n in change.items() if n}
        if counts:
            rows.append(
                Tally(
                    span=Tally.Span.DAY,
                    day=day,
                    dimension=dimension,
                    key=key,
                    counts=counts,
                    cases=cases_in(counts),
                )
            )
    return rows


def cases_in(counts: Mapping[str, int]) -> int:
    """How many cases the counts are of: each case has exactly one status."""
    return sum(n for fact, n in counts.items() if fact.startswith("status:"))


def values_of(instance) -> dict:
    return {name: getattr(instance, name) for name in FIELDS}


def stored_values(model, pk, using: str) -> dict | None:
    """A case's figures' fields as stored, locked until the transaction ends (so that two
    saves of one case cannot both take away the same old values)."""
    rows = model._base_manager.using(using).filter(pk=pk)
    if connections[using].in_atomic_block:
        rows = rows.select_for_update()
    return rows.values(*FIELDS).first()


def before_save(sender, instance, raw=False, using="default", update_fields=None, **kwargs):
    stored = None if instance.pk is None else stored_values(sender, instance.pk, using)
    instance._tally_stored = stored


def after_save(sender, instance, created, raw=False, using="default", update_fields=None, **kw):
    stored = getattr(instance, "_tally_stored", None)
    if stored is not None and update_fields is not None:
        # Only the saved fields changed in the database; the rest of the instance may not
        # be what is stored (or not even loaded).
        saved = {sender._meta.get_field(name).attname for name in update_fields}
        current = {
            name: getattr(instance, name) if name in saved else stored[name] for name in FIELDS
        }
    else:
        current = values_of(instance)
    write(difference(facts(stored) if stored else None, facts(current)), using)
    instance._tally_stored = None


def before_delete(sender, instance, using="default", **kwargs):
    instance._tally_stored = stored_values(sender, instance.pk, using)


def after_delete(sender, instance, using="default", **kwargs):
    stored = getattr(instance, "_tally_stored", None)
    if stored is not None:
        write(difference(facts(stored), None), using)


WRITTEN = ("span", "day", "dimension", "key", "counts", "cases", "settled")


def write(rows: list[Tally], using: str = "default") -> None:
    """Insert the rows with one plain INSERT: `bulk_create` would ask for their new ids
    back, which nothing needs, and that costs a third of the tally's share of a save."""
    if not rows:
        return
    connection = connections[using]
    concrete = {field.name: field for field in Tally._meta.concrete_fields}
    fields = [concrete[name] for name in WRITTEN]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    values = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(rows))
    params = [
        field.get_db_prep_save(getattr(row, field.attname), connection)
        for row in rows
        for field in fields
    ]
    # Only the model's own table and column names are in the text; the values are params.
    sql = f"INSERT INTO {quote(Tally._meta.db_table)} ({columns}) VALUES {values}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# Reading.


def sums(
    start: dt.date, end: dt.date, dimensions: Iterable[str], *, step: str | None = None
) -> dict[tuple, Counter]:
    """{(dimension, key, bucket): counts} over the cases registered from `start` to `end`,
    with `step` ("day", "week", "month", ...) the trend's buckets (their first day), or one
    bucket, None. Months come from month rows unless the buckets split months."""
    months = step in (None, "month", "quarter", "year")
    rows = Tally.objects.filter(
        _rows_between(start, end, months=months), dimension__in=list(dimensions)
    ).values_list("dimension", "key", "span", "day", "counts")
    out: dict[tuple, Counter] = defaultdict(Counter)
    for dimension, key, span, day, counts in rows.iterator(chunk_size=5000):
        group = out[(dimension, key, bucket_start(day, step) if step else None)]
        if span == Tally.Span.DAY and not start <= day <= end:
            group.subtract(counts)  # a day of a month read whole, outside the period
        else:
            group.update(counts)
    return out


def bucket_start(day: dt.date, step: str) -> dt.date:
    if step == "day":
        return day
    if step == "week":
        return m.week_start(day)
    if step == "month":
        return day.replace(day=1)
    if step == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(month=1, day=1)


def _rows_between(start: dt.date, end: dt.date, *, months: bool) -> Q:
    """The rows that add up to the period: day rows, or for each month the period covers
    mostly, the month's row (which holds its days' settled rows) with its days' unsettled
    rows inside the period added and its settled rows outside it taken away. A period up
    to today reads a whole month row for the current month: its later days have no rows.

    The filter has a few terms whatever the period's length (the month rows by `day IN`,
    every unsettled row of the period in one range): Django builds a long OR of terms
    slowly, and the dashboard reads the tally once per request."""
    D, M = Tally.Span.DAY, Tally.Span.MONTH
    if not months:
        return Q(span=D, day__gte=start, day__lte=end)
    month_rows: list[dt.date] = []
    settled_ranges: list[tuple[dt.date, dt.date]] = []
    month = start.replace(day=1)
    while month <= end:
        last = _next_month(month) - dt.timedelta(days=1)
        low, high = max(start, month), min(end, last)
        outside = [(month, low - dt.timedelta(days=1)), (high + dt.timedelta(days=1), last)]
        outside = [(a, b) for a, b in outside if a <= b]
        days_outside = sum((b - a).days + 1 for a, b in outside)
        if days_outside * 2 > (last - month).days + 1:
            settled_ranges.append((low, high))  # read as day rows
        else:
            month_rows.append(month)
            settled_ranges += outside  # taken away from the month's row
        month = _next_month(month)
    where = Q(span=D, settled=False, day__gte=start, day__lte=end)
    if month_rows:
        where |= Q(span=M, day__in=month_rows)
    for a, b in settled_ranges:
        where |= Q(span=D, settled=True, day__gte=a, day__lte=b)
    return where


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


# Counts that are one fact's sum: metric code -> fact.
COUNTS = {"unsatisfied": "reopened"}


def figures(counts: Mapping[str, int], ctx: m.Context) -> dict[str, m.Figure]:
    """Every metric's figure (and the score) from a group's summed counts."""
    per_status: Counter = Counter()
    histograms: dict[str, dict[int, int]] = defaultdict(dict)
    waiting_dispatched = waiting_reply = waiting_resolve = 0
    cutoff_day = local_date(ctx.response_cutoff)
    plain: Counter = Counter()
    for fact, n in counts.items():
        if not n:
            continue
        name, _sep, value = fact.partition(":")
        if name == "status":
            per_status[value] += n
        elif name.endswith("_days"):
            histograms[name][int(value)] = n
        elif name == "dispatched_on":
            waiting_dispatched += n if dt.date.fromisoformat(value) < cutoff_day else 0
        elif name == "reply_due":
            waiting_reply += n if _parse_instant(value) < ctx.now else 0
        elif name == "resolve_due":
            waiting_resolve += n if _parse_instant(value) < ctx.now else 0
        else:
            plain[name] += n
    response = histograms["response_days"]
    pairs = {
        "response": (
            sum(n for days, n in response.items() if days <= ctx.response_limit),
            sum(response.values()) + waiting_dispatched,
        ),
        "reply_on_time": (plain["reply_on_time"], plain["replied"] + waiting_reply),
        "resolve_on_time": (plain["resolve_on_time"], plain["resolved"] + waiting_resolve),
        "first_satisfaction": (plain["content_first"], plain["rated"]),
        "satisfaction": (plain["content"], plain["rated"]),
        "solved": (plain["solved"], plain["solved_known"]),
        "reopen": (plain["reopened"], plain["rated"]),
    }
    out: dict[str, m.Figure] = {}
    plain_counts = COUNTS
    for code, metric in m.METRICS.items():
        if metric.statuses is not None:
            num, den = metric.statuses
            out[code] = m.Figure(
                code,
                numerator=sum(per_status[s] for s in num),
                denominator=sum(per_status[s] for s in den) if den else None,
            )
        elif metric.kind == "duration":
            out[code] = m.duration_figure(code, histograms[code])
        elif code in plain_counts:
            out[code] = m.Figure(code, numerator=plain[plain_counts[code]])
        else:
            out[code] = m.Figure(code, numerator=pairs[code][0], denominator=pairs[code][1])
    out["score"] = m.ScoreFigure(m.score(out, ctx))
    return out


def _check_every_metric() -> None:
    """A metric added to METRICS must be taught to the tally too."""
    computed = {"response", "reply_on_time", "resolve_on_time", "satisfaction", "solved"}
    computed |= {"reopen", "first_satisfaction", *COUNTS}
    for code, metric in m.METRICS.items():
        known = metric.statuses is not None or metric.kind == "duration" or code in computed
        if not known:
            raise RuntimeError(f"The figures' tally does not know how to count {code!r}.")


_check_every_metric()


def key_of(dimension: str, key: str):
    """The tally's text key as the value the cases hold (a primary key, a channel, None)."""
    if key == "":
        return None
    return key if dimension == "channel" else int(key)


# Maintenance.


def compact(*, using: str = "default", batch: int = 200) -> int:
    """Fold the new rows of each day group into its settled row, and carry them into the
    month's row, `batch` groups to a transaction (the sums a reader sees do not change);
    returns how many rows went. The rows are locked first, so two compactions at once are
    harmless: a row the other already folded is skipped. Writers only insert, so the
    locks keep no one waiting but another compaction."""
    removed = 0
    while True:
        groups = list(
            Tally.objects.using(using)
            .filter(settled=False)
            .values("day", "dimension", "key")
            .distinct()
            # One order for every compaction, so that two at once lock rows in turn.
            .order_by("day", "dimension", "key")[:batch]
        )
        if not groups:
            return removed
        with transaction.atomic(using=using):
            for group in groups:
                removed += _fold(group, using)


def _fold(group: Mapping[str, Any], using: str) -> int:
    """One day group, inside the caller's transaction."""
    tallies = Tally.objects.using(using)
    where = {"dimension": group["dimension"], "key": group["key"]}
    day, month = group["day"], span_day(Tally.Span.MONTH, group["day"])
    days = list(
        tallies.select_for_update()
        .filter(span=Tally.Span.DAY, day=day, **where)
        .values_list("pk", "counts", "settled")
    )
    fresh: Counter = Counter()
    for _pk, counts, settled in days:
        if not settled:
            fresh.update(counts)
    if all(settled for _pk, _c, settled in days):
        return 0  # another compaction got here first
    months = list(
        tallies.select_for_update()
        .filter(span=Tally.Span.MONTH, day=month, **where)
        .values_list("pk", "counts")
    )
    day_total: Counter[str] = Counter()
    month_total = Counter(fresh)
    for _pk, counts, _settled in days:
        day_total.update(counts)
    for _pk, counts in months:
        month_total.update(counts)
    tallies.filter(pk__in=[row[0] for row in days + months]).delete()
    kept = 0
    for span, first, total in (
        (Tally.Span.DAY, day, day_total),
        (Tally.Span.MONTH, month, month_total),
    ):
        counts = {fact: n for fact, n in total.items() if n}
        if counts:
            tallies.create(
                span=span,
                day=first,
                **where,
                counts=counts,
                cases=cases_in(counts),
                settled=True,
            )
            kept += 1
    return len(days) + len(months) - kept


def rebuild(case_model=None, *, tally_model=None, using: str = "default") -> int:
    """Recount the tally from the cases (after a bulk load, or to repair it); returns the
    number of cases counted. One month of cases at a time, to keep memory small."""
    from lianxin.cases.models import Case

    cases = (case_model or Case)._base_manager.using(using).order_by()
    tallies = (tally_model or Tally)._base_manager.using(using)
    counted = 0
    with transaction.atomic(using=using):
        tallies.all().delete()
        times = cases.values_list("registered_at", flat=True)
        first, last = (
            times.order_by("registered_at").first(),
            times.order_by("-registered_at").first(),
        )
        month = local_date(first).replace(day=1) if first else None
        while month is not None and last is not None and month <= local_date(last):
            following = _next_month(month)
            in_month = cases.filter(
                registered_at__gte=m.start_of_day(month),
                registered_at__lt=m.start_of_day(following),
            )
            days: dict[tuple, Counter] = defaultdict(Counter)
            for values in in_month.values(*FIELDS).iterator(chunk_size=20000):
                case = facts(values)
                for dimension, key in case.keys.items():
                    days[(case.day, dimension, key)].update(case.counts)
                counted += 1
            months: dict[tuple, Counter] = defaultdict(Counter)
            for (_day, dimension, key), counts in days.items():
                months[(month, dimension, key)].update(counts)
            tallies.bulk_create(
                (
                    tallies.model(
                        span=span,
                        day=day,
                        dimension=dimension,
                        key=key,
                        counts=counts,
                        cases=cases_in(counts),
                        settled=True,
                    )
                    for span, groups in ((Tally.Span.DAY, days), (Tally.Span.MONTH, months))
                    for (day, dimension, key), counts in groups.items()
                ),
                batch_size=2000,
            )
            month = following
    return counted


def differences(using: str = "default") -> list[tuple]:
    """Groups whose tally differs from a recount of the cases: [(group, tally, recount)].
    The `cases` column is compared as the pseudo-fact "(cases)"."""
    from lianxin.cases.models import Case

    recount: dict[tuple, Counter] = defaultdict(Counter)
    for values in Case._base_manager.using(using).values(*FIELDS).iterator(chunk_size=5000):
        case = facts(values)
        for span in SPANS:
            for dimension, key in case.keys.items():
                counted = recount[(span, span_day(span, case.day), dimension, key)]
                counted.update(case.counts)
                counted["(cases)"] += 1
    kept: dict[tuple, Counter] = defaultdict(Counter)
    for stored_span, day, dimension, key, counts, cases, settled in Tally.objects.using(
        using
    ).values_list("span", "day", "dimension", "key", "counts", "cases", "settled"):
        groups = [(stored_span, day, dimension, key)]
        if stored_span == Tally.Span.DAY and not settled:  # not carried into the month yet
            groups.append((Tally.Span.MONTH, span_day(Tally.Span.MONTH, day), dimension, key))
        for group in groups:
            kept[group].update(counts)
            kept[group]["(cases)"] += cases
    out = []
    for group in sorted(set(recount) | set(kept), key=str):
        a = {f: n for f, n in kept[group].items() if n}
        b = {f: n for f, n in recount[group].items() if n}
        if a != b:
            out.append((group, a, b))
    return out
