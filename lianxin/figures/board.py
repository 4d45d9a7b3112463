"""The dashboard's figures for one selection and one user, from the cheapest source that
gives the right numbers.

The figures' tally answers for the whole district's cases with no filter: a year of ten
million cases is a few thousand rows. Anything narrower (a department's own cases, a
filter by unit, category or channel) reads the cases; there are fewer of them. Both give
the same numbers (the property test checks it), and every drill-down reads the cases.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass

from lianxin.cases.access import standing_of
from lianxin.cases.models import Case
from lianxin.figures import hotspots, tally, trend
from lianxin.figures import metrics as m


@dataclass
class Board:
    tables: dict[str, list[m.Row]]  # breakdowns by dimension
    summary: dict[str, m.Figure]
    trend: list[m.Row]
    hot: dict
    from_tally: bool


def tally_serves(selection: m.Selection, user) -> bool:
    return (
        standing_of(user).sees_whole_district
        and selection.unit is None
        and selection.category is None
        and not selection.channel
    )


def board(
    selection: m.Selection, user, ctx: m.Context, *, dimensions: list[str], by: str, step: str
) -> Board:
    """The breakdowns by `dimensions` (durations at least for `by`), the headline figures,
    the trend by `step` and this week's hot spots."""
    if tally_serves(selection, user):
        if step in MONTHLY_STEPS:
            return board_from_tally(selection, dimensions, step, ctx)
        return Board(
            tables=breakdowns_from_tally(selection, dimensions, ctx),
            summary=summary_from_tally(selection, ctx),
            trend=trend_from_tally(selection, step, ctx),
            hot=hotspots.hot_spots_of_district(ctx),
            from_tally=True,
        )
    visible = Case.objects.visible_to(user)
    cases = selection.apply(visible)
    # Every pass over the period's cases counts: the breakdown shown and the others come
    # from one query, and the headline figures add up from the breakdown when its groups
    # cover each case once.
    together = [by, *dimensions]
    if by in ("grid", "community", "category"):
        together = [by]  # many keys: crossed with the others they would be too many groups
    tables = m.breakdowns(cases, together, ctx, durations_for=by)
    for dimension in dimensions:
        if dimension not in tables:
            tables[dimension] = m.breakdown(cases, dimension, ctx, with_durations=False)
    partitions = m.DIMENSIONS[by].partitions
    summary = m.combine(tables[by], ctx) if partitions else m.summary(cases, ctx)
    # Hot spots look at this week and last, whatever the period; the other filters hold.
    last_week, _this_week, today = hotspots.weeks(ctx)
    window = m.Selection(last_week, today, selection.unit, selection.category, selection.channel)
    return Board(
        tables=tables,
        summary=summary,
        trend=trend.trend(cases, step, ctx),
        hot=hotspots.hot_spots(window.apply(visible), ctx),
        from_tally=False,
    )


# Trend steps whose buckets are whole months: the breakdowns, the headline figures and the
# trend then add up the same rows, read once.
MONTHLY_STEPS = ("month", "quarter", "year")


def board_from_tally(
    selection: m.Selection, dimensions: list[str], step: str, ctx: m.Context
) -> Board:
    """Everything the tally gives from ONE read of its rows, bucketed by the trend's step:
    the breakdowns and the headline figures add the buckets up."""
    dimensions = list(dict.fromkeys(dimensions))
    bucketed = tally.sums(selection.start, selection.end, [tally.DISTRICT, *dimensions], step=step)
    whole: dict[tuple, Counter] = defaultdict(Counter)
    trend_rows = []
    for (dimension, key, bucket), counts in bucketed.items():
        whole[(dimension, key, None)].update(counts)
        if dimension == tally.DISTRICT:
            figures = tally.figures(counts, ctx)
            if figures["total"].numerator:
                trend_rows.append(m.Row(bucket, bucket.isoformat(), figures))
    trend_rows.sort(key=lambda row: row.key)  # type: ignore[arg-type,return-value]  # dates
    return Board(
        tables=_tables(whole, dimensions, ctx),
        summary=tally.figures(whole.get((tally.DISTRICT, "", None), Counter()), ctx),
        trend=trend_rows,
        hot=hotspots.hot_spots_of_district(ctx),
        from_tally=True,
    )


def breakdowns_from_tally(
    selection: m.Selection, dimensions: list[str], ctx: m.Context
) -> dict[str, list[m.Row]]:
    dimensions = list(dict.fromkeys(dimensions))
    return _tables(tally.sums(selection.start, selection.end, dimensions), dimensions, ctx)


def _tables(summed: dict, dimensions: list[str], ctx: m.Context) -> dict[str, list[m.Row]]:
    groups: dict[str, dict] = {dimension: {} for dimension in dimensions}
    for (dimension, key, _bucket), counts in summed.items():
        if dimension not in groups:
            continue
        value = tally.key_of(dimension, key)
        if value is None and m.DIMENSIONS[dimension].skip_none:
            continue
        figures = tally.figures(counts, ctx)
        if figures["total"].numerator:  # a group whose cases all moved to another
            groups[dimension][value] = figures
    return {dimension: m.table(dimension, groups[dimension], ctx) for dimension in dimensions}


def summary_from_tally(selection: m.Selection, ctx: m.Context) -> dict[str, m.Figure]:
    summed = tally.sums(selection.start, selection.end, [tally.DISTRICT])
    return tally.figures(summed.get((tally.DISTRICT, "", None), {}), ctx)


def trend_from_tally(selection: m.Selection, step: str, ctx: m.Context) -> list[m.Row]:
    rows = []
    summed = tally.sums(selection.start, selection.end, [tally.DISTRICT], step=step)
    for (_dimension, _key, bucket), counts in summed.items():
        figures = tally.figures(counts, ctx)
        if figures["total"].numerator:
            rows.append(m.Row(bucket, bucket.isoformat(), figures))
    rows.sort(key=lambda row: row.key)  # type: ignore[arg-type,return-value]  # dates
    return rows
