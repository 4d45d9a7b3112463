"""The figures recomputed in plain Python from raw case rows, written apart from the SQL in
`lianxin.figures.metrics`: the tests hold one against the other.

Durations are recomputed from the timestamps with the working-day calendar, not read from
the stored columns, so the stamping in the workflow is checked as well.
"""

import math
from collections import defaultdict

from lianxin.workdays.days import add_working_days, local_date, working_days_between

ENDED = {"merged", "withdrawn", "voided"}
BUCKETS = {
    "awaiting": {"registered", "dispatched", "returned"},
    "in_progress": {"in_progress", "replied"},
    "replied": {"replied"},
    "constrained": {"constrained"},
    "resolved": {"resolved", "verified"},
    "closed": {"closed"},
    "merged_withdrawn": {"merged", "withdrawn"},
    "voided": {"voided"},
}


def _days(start, end):
    return working_days_between(local_date(start), local_date(end))


def _pick(share, values):
    values = sorted(values)
    if not values:
        return None
    return values[max(1, math.ceil(share * len(values))) - 1]


SCORED = ("response", "reply_on_time", "resolve_on_time", "solved", "satisfaction")
CONTENT = {"satisfied", "basically"}


def _verdicts(case) -> list[str]:
    """The case's return visits' verdicts, first first (read from the visits themselves,
    not from the case's columns)."""
    return list(
        case.return_visits.order_by("recorded_at", "pk").values_list("satisfaction", flat=True)
    )


def recompute(cases, now, *, response_limit=1, weights=(10, 15, 15, 30, 30)) -> dict:
    """{code: (numerator, denominator)} for counts and rates, {code: (n, median, p90)} for
    durations, and "score"."""
    today = local_date(now)
    valid = [c for c in cases if c.status not in ENDED]
    out = {"total": (len(cases), None), "valid": (len(valid), None)}
    for code, statuses in BUCKETS.items():
        out[code] = (sum(c.status in statuses for c in cases), None)

    def rate(code, num, den):
        num, den = [c for c in valid if num(c)], [c for c in valid if den(c)]
        assert {c.pk for c in num} <= {c.pk for c in den}, code
        out[code] = (len(num), len(den))

    def responded_in_time(c):
        if c.dispatched_at is None or c.accepted_at is None:
            return False
        return _days(c.dispatched_at, c.accepted_at) <= response_limit

    def response_judged(c):
        if c.dispatched_at is None:
            return False
        return c.accepted_at is not None or (
            add_working_days(local_date(c.dispatched_at), response_limit) < today
        )

    rate("response", responded_in_time, response_judged)
    rate(
        "reply_on_time",
        lambda c: c.replied_at is not None and c.replied_at <= c.reply_due_at,
        lambda c: c.replied_at is not None or c.reply_due_at < now,
    )
    rate(
        "resolve_on_time",
        lambda c: c.resolved_at is not None and c.resolved_at <= c.resolve_due_at,
        lambda c: (
            c.resolved_at is not None or (c.resolve_due_at < now and c.status != "constrained")
        ),
    )
    rate(
        "resolution",
        lambda c: c.status in {"resolved", "verified", "closed"},
        lambda c: True,
    )
    verdicts = {c.pk: _verdicts(c) for c in valid}
    rate(
        "first_satisfaction",
        lambda c: bool(verdicts[c.pk]) and verdicts[c.pk][0] in CONTENT,
        lambda c: bool(verdicts[c.pk]),
    )
    rate(
        "satisfaction",
        lambda c: bool(verdicts[c.pk]) and verdicts[c.pk][-1] in CONTENT,
        lambda c: bool(verdicts[c.pk]),
    )
    out["unsatisfied"] = (sum("unsatisfied" in verdicts[c.pk] for c in valid), None)
    rate("solved", lambda c: c.solved is True, lambda c: c.solved is not None)
    rate("reopen", lambda c: c.reopen_count > 0, lambda c: c.satisfaction != "")

    reply = [_days(c.registered_at, c.replied_at) for c in valid if c.replied_at]
    resolve = [_days(c.registered_at, c.resolved_at) for c in valid if c.resolved_at]
    out["reply_days"] = (len(reply), _pick(0.5, reply), _pick(0.9, reply))
    out["resolve_days"] = (len(resolve), _pick(0.5, resolve), _pick(0.9, resolve))

    # No marks without data: a weighted rate with an empty denominator leaves no score.
    parts = [(out[code], weight) for code, weight in zip(SCORED, weights, strict=True) if weight]
    if all(den for (_num, den), _w in parts) and parts:
        total = sum(100.0 * num / den * w for (num, den), w in parts)
        out["score"] = total / sum(w for _pair, w in parts)
    else:
        out["score"] = None
    return out


def recompute_by(cases, key, now, **kwargs) -> dict:
    """recompute() for each group of cases, keyed by key(case)."""
    groups = defaultdict(list)
    for case in cases:
        groups[key(case)].append(case)
    return {k: recompute(v, now, **kwargs) for k, v in groups.items()}


def as_reference(figures: dict) -> dict:
    """The computed figures in recompute()'s shape, to compare whole."""
    out = {}
    for code, fig in figures.items():
        if code == "score":
            out["score"] = fig.value
        elif fig.metric.kind == "duration":
            out[code] = (fig.numerator, fig.median, fig.p90)
        else:
            out[code] = (fig.numerator, fig.denominator)
    return out
