"""The coverage tally: each round's coverage counts kept as the registers change, so that
the coverage page (lianxin.figures.coverage) adds up a few thousand rows instead of
grouping 200,000 households and their visits on every request.

What is counted is exactly what the page defines (households, visited, met, dues, on
time; see lianxin/figures/coverage.py), per *cell*: a round and a household's own
community, grid, pair and building. Every grouping of the page is a sum of cells (a
street through its communities, a 片区 or a department through its grids), and every
user's scope is a filter on the same four fields, so one table serves all of them.
Households are counted in the round-less rows (round None), which every round shares.

How it stays exact: every write that changes what a household counts for changes the
tally in the same transaction, while it holds that household's row lock:
- `visit_recorded` (do_record_visit): visited and met when the visit is the household's
  first (first met) of its round, on time for the dues it fulfils by their deadline. The
  lock is what keeps two visits sent at once from both counting as the first;
- `dues_opened` (do_open_round's 重点访, do_open_urgent_visit's 及时访);
- `moved` (a household saved, assigned to another pair, moved away or back, corrected):
  what it counts for is taken from its old cell and put in its new one;
- `round_dates_changed` (a round created or its dates edited, through a signal): the
  及时访 that fall in or out of its dates;
- `recounting`, for a batch write that goes around the actions (an import job's
  bulk_create/bulk_update): count the households before and after and write the
  difference.
Rows are changed with `UPDATE … SET n = n + d` on one row of the cell (or a new row), so
concurrent writers to a cell queue on its row (until the first commits: the update comes
at the end of each action) and never lose a count; cells are written in one order, so
they never wait for each other in a cycle.
Anything else that writes households, visits or dues (a shell's `QuerySet.update()`, a
loader's bulk_create) must be followed by `rebuild()` (`lianxin registry tally rebuild`);
`differences()` (`… tally check`) compares the tally with a recount.
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connections, transaction
from django.db.models import Count, F, Q, QuerySet, Subquery

from lianxin.registry.models import CoverageTally, Household, Round, Visit, VisitDue
from lianxin.workdays.days import local_date

COUNTS = ("households", "visited", "met", "dues", "on_time")
CELL = ("community_id", "grid_id", "pair_id", "building_id")
# A household's place in the tally: its cell, or None when it is not in the register.
Cell = tuple[int, int | None, int | None, int | None]
Key = tuple[int | None, Cell]  # (round id or None, cell)
Changes = dict[Key, Counter]
# Bigger batches of changes read the existing rows once instead of one UPDATE a cell.
BULK = 20


def round_dues_q(round_: Round) -> Q:
    """The 重点访/及时访 of a round: its own, and the 及时访 opened during it without one.
    The coverage page's definition; `due_rounds` says the same for one due in Python."""
    return Q(round=round_) | Q(
        round__isnull=True,
        kind=VisitDue.Kind.URGENT,
        opened_at__date__gte=round_.starts_on,
        opened_at__date__lte=round_.ends_on,
    )


RoundDates = list[tuple[int, dt.date, dt.date]]


def round_dates() -> RoundDates:
    return list(Round.objects.values_list("pk", "starts_on", "ends_on"))


def due_rounds(round_id, kind, opened_at: dt.datetime, rounds: RoundDates) -> list[int]:
    """The rounds one due counts in (see `round_dues_q`)."""
    if round_id is not None:
        return [round_id]
    if kind != VisitDue.Kind.URGENT:
        return []
    day = local_date(opened_at)
    return [pk for pk, starts_on, ends_on in rounds if starts_on <= day <= ends_on]


def cell_of(values: Mapping) -> Cell | None:
    """The cell of a household (a mapping with `active` and the CELL fields)."""
    if not values["active"]:
        return None
    return (values["community_id"], values["grid_id"], values["pair_id"], values["building_id"])


def household_cell(household: Household) -> Cell | None:
    """The cell of a household as loaded (under its row lock, by the caller)."""
    return cell_of({"active": household.active, **{f: getattr(household, f) for f in CELL}})


def locked_cell(household_id: int) -> Cell | None:
    """The household's cell as stored, locked until the transaction ends: every change to
    what a household counts for is made under this lock."""
    values = (
        Household.objects.select_for_update()
        .filter(pk=household_id)
        .values("active", *CELL)
        .first()
    )
    return None if values is None else cell_of(values)


# Counting households from scratch.


def count(households: QuerySet[Household] | None = None, *, using: str = "default") -> Changes:
    """What these households (all, with None) count for, cell by cell, recounted from
    their visits and dues."""
    rows = Household.objects.using(using) if households is None else households
    placed = {
        values["pk"]: cell
        for values in rows.values("pk", "active", *CELL).iterator(chunk_size=5000)
        if (cell := cell_of(values)) is not None
    }
    return _count(placed, None if households is None else list(placed), using)


def _count(placed: Mapping[int, Cell], ids: list[int] | None, using: str = "default") -> Changes:
    """The counts of the households in `placed` at the cells given there; `ids` narrows
    the queries to them (None: every household)."""
    out: Changes = defaultdict(Counter)
    for place in placed.values():
        out[(None, place)]["households"] += 1
    if ids is not None and not ids:
        return out
    visits = Visit.objects.using(using).filter(round__isnull=False)
    dues = VisitDue.objects.using(using)
    if ids is not None:
        visits, dues = visits.filter(household__in=ids), dues.filter(household__in=ids)
    visited: set[tuple] = set()
    met: set[tuple] = set()
    for household_id, round_id, was_met in visits.values_list(
        "household_id", "round_id", "met"
    ).iterator(chunk_size=10000):
        cell = placed.get(household_id)
        if cell is None:
            continue
        key = (round_id, household_id)
        if key not in visited:
            visited.add(key)
            out[(round_id, cell)]["visited"] += 1
        if was_met and key not in met:
            met.add(key)
            out[(round_id, cell)]["met"] += 1
    rounds = None
    for household_id, round_id, kind, opened_at, due_at, visited_at in dues.values_list(
        "household_id", "round_id", "kind", "opened_at", "due_at", "visit__visited_at"
    ).iterator(chunk_size=10000):
        cell = placed.get(household_id)
        if cell is None:
            continue
        if round_id is None and rounds is None:
            rounds = round_dates()
        on_time = visited_at is not None and visited_at <= due_at
        for in_round in due_rounds(round_id, kind, opened_at, rounds or []):
            counts = out[(in_round, cell)]
            counts["dues"] += 1
            counts["on_time"] += on_time
    return out


def stored(*, using: str = "default", rounds: Iterable[int | None] | None = None) -> Changes:
    """The tally's rows summed by key."""
    rows = CoverageTally.objects.using(using)
    if rounds is not None:
        wanted = list(rounds)
        q = Q(round__in=[r for r in wanted if r is not None])
        if None in wanted:
            q |= Q(round__isnull=True)
        rows = rows.filter(q)
    out: Changes = defaultdict(Counter)
    for values in rows.values("round_id", *CELL, *COUNTS).iterator(chunk_size=10000):
        key = (values["round_id"], tuple(values[f] for f in CELL))
        out[key].update({name: values[name] for name in COUNTS})
    return out


def subtract(after: Changes, before: Changes) -> Changes:
    out: Changes = defaultdict(Counter)
    for sign, side in ((1, after), (-1, before)):
        for key, counts in side.items():
            for name, n in counts.items():
                out[key][name] += sign * n
    return out


def _clean(changes: Changes) -> dict[Key, dict[str, int]]:
    out = {}
    for key, counts in changes.items():
        kept = {name: n for name, n in counts.items() if n}
        if kept:
            out[key] = kept
    return out


def differences(*, using: str = "default") -> list[tuple[Key, dict, dict]]:
    """Cells whose tally differs from a recount: [(key, tally, recount)]."""
    kept, recount = _clean(stored(using=using)), _clean(count(using=using))
    return [
        (key, kept.get(key, {}), recount.get(key, {}))
        for key in sorted(set(kept) | set(recount), key=_order)
        if kept.get(key, {}) != recount.get(key, {})
    ]


def rebuild(*, using: str = "default") -> int:
    """Count the tally afresh; returns how many rows it wrote. Writers wait for it (on
    PostgreSQL the table is locked against them, not against readers)."""
    with transaction.atomic(using=using):
        connection = connections[using]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                table = connection.ops.quote_name(CoverageTally._meta.db_table)
                cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        CoverageTally.objects.using(using).all().delete()
        recount = _clean(count(using=using))
        rows = [_row(key, recount[key]) for key in sorted(recount, key=_order)]
        CoverageTally.objects.using(using).bulk_create(rows, batch_size=2000)
    return len(rows)


# Writing changes.


def _order(key: Key) -> tuple:
    round_id, cell = key
    return (round_id or 0, *(part or 0 for part in cell))


def _row(key: Key, counts: Mapping[str, int]) -> CoverageTally:
    round_id, (community_id, grid_id, pair_id, building_id) = key
    return CoverageTally(
        round_id=round_id,
        community_id=community_id,
        grid_id=grid_id,
        pair_id=pair_id,
        building_id=building_id,
        **counts,
    )


def _cell_filter(key: Key) -> dict:
    round_id, cell = key
    return {"round_id": round_id, **dict(zip(CELL, cell, strict=True))}


def apply(changes: Changes) -> None:
    """Add `changes` to the tally: onto one existing row of each cell, or a new row.
    Cells are written in one order, so two writers never wait for each other in a cycle."""
    cleaned = _clean(changes)
    if len(cleaned) > BULK:
        _apply_many(cleaned)
        return
    for key in sorted(cleaned, key=_order):
        counts = cleaned[key]
        first = CoverageTally.objects.filter(**_cell_filter(key)).order_by("pk").values("pk")[:1]
        updated = CoverageTally.objects.filter(pk=Subquery(first)).update(
            **{name: F(name) + n for name, n in counts.items()}
        )
        if not updated:
            _row(key, counts).save(force_insert=True)


def _apply_many(cleaned: dict[Key, dict[str, int]]) -> None:
    rounds = {round_id for round_id, _cell in cleaned}
    existing: dict[Key, int] = {}
    rows = CoverageTally.objects.filter(
        Q(round__in=[r for r in rounds if r is not None])
        | (Q(round__isnull=True) if None in rounds else Q(pk__in=[]))
    )
    for values in rows.order_by("pk").values("pk", "round_id", *CELL):
        key = (values["round_id"], tuple(values[f] for f in CELL))
        existing.setdefault(key, values["pk"])
    new = []
    for key in sorted(cleaned, key=_order):
        counts = cleaned[key]
        if key in existing:
            CoverageTally.objects.filter(pk=existing[key]).update(
                **{name: F(name) + n for name, n in counts.items()}
            )
        else:
            new.append(_row(key, counts))
    CoverageTally.objects.bulk_create(new, batch_size=2000)


def _placed_at(facts: Changes, cell: Cell | None, sign: int = 1) -> Changes:
    """Counts computed at a placeholder cell, moved to `cell`."""
    out: Changes = defaultdict(Counter)
    if cell is None:
        return out
    for (round_id, _placeholder), counts in facts.items():
        for name, n in counts.items():
            out[(round_id, cell)][name] += sign * n
    return out


HERE: Cell = (0, None, None, None)


def moved(household_id: int, before: Cell | None, after: Cell | None) -> None:
    """A household's cell changed (grid, pair, building, community) or it left or came
    back to the register: take what it counts for from `before` and add it to `after`.
    The caller holds the household's row lock and has saved it."""
    if before == after:
        return
    facts = _count({household_id: HERE}, [household_id])
    apply(subtract(_placed_at(facts, after), _placed_at(facts, before)))


def created(cell: Cell | None) -> None:
    """A new household: one more in its cell (it has no visits or dues yet)."""
    if cell is not None:
        apply({(None, cell): Counter(households=1)})


@dataclass(frozen=True)
class Earlier:
    """Where a household is counted, and whether its round already counts it as visited
    (met), read under its row lock before a visit is recorded."""

    cell: Cell | None
    visited: bool
    met: bool


def before_visit(household_id: int, round_: Round | None) -> Earlier:
    """Lock the household and read what its next visit changes. The lock is what makes
    two visits sent at once count once: the second reads the first's visit."""
    cell = locked_cell(household_id)
    if round_ is None or cell is None:
        return Earlier(cell, False, False)
    found = Visit.objects.filter(round=round_, household_id=household_id).aggregate(
        visited=Count("pk"), met=Count("pk", filter=Q(met=True))
    )
    return Earlier(cell, bool(found["visited"]), bool(found["met"]))


def visit_recorded(visit: Visit, earlier: Earlier, *, fulfilled) -> None:
    """A visit recorded after `before_visit`, fulfilling `fulfilled` ([(the due's round
    id, kind, opened_at, done on time)])."""
    cell = earlier.cell
    if cell is None:
        return
    changes: Changes = defaultdict(Counter)
    if visit.round_id is not None:
        changes[(visit.round_id, cell)].update(
            visited=int(not earlier.visited), met=int(visit.met and not earlier.met)
        )
    rounds = None
    for round_id, kind, opened_at, on_time in fulfilled:
        if not on_time:
            continue
        if round_id is None and rounds is None:
            rounds = round_dates()
        for in_round in due_rounds(round_id, kind, opened_at, rounds or []):
            changes[(in_round, cell)]["on_time"] += 1
    apply(changes)


def dues_opened(dues: Iterable[tuple[Cell | None, int | None, str, dt.datetime]]) -> None:
    """New dues, none done yet: [(the household's cell (locked), round id, kind, opened)]."""
    changes: Changes = defaultdict(Counter)
    rounds = None
    for cell, round_id, kind, opened_at in dues:
        if cell is None:
            continue
        if round_id is None and rounds is None:
            rounds = round_dates()
        for in_round in due_rounds(round_id, kind, opened_at, rounds or []):
            changes[(in_round, cell)]["dues"] += 1
    apply(changes)


def round_dates_changed(
    round_id: int, before: tuple[dt.date, dt.date] | None, after: tuple[dt.date, dt.date]
) -> None:
    """A round was created (`before` None) or its dates changed: the 及时访 without a
    round opened on the days it gained count for it, those on the days it lost no more."""
    spans = [span for span in (before, after) if span is not None]
    low, high = min(s[0] for s in spans), max(s[1] for s in spans)
    candidates = list(
        VisitDue.objects.filter(
            round__isnull=True,
            kind=VisitDue.Kind.URGENT,
            opened_at__date__gte=low,
            opened_at__date__lte=high,
        ).values_list("household_id", "opened_at", "due_at", "visit__visited_at")
    )
    if not candidates:
        return
    cells = locked_cells({c[0] for c in candidates})
    changes: Changes = defaultdict(Counter)
    for household_id, opened_at, due_at, visited_at in candidates:
        cell = cells.get(household_id)
        day = local_date(opened_at)
        sign = int(after[0] <= day <= after[1]) - int(
            before is not None and before[0] <= day <= before[1]
        )
        if cell is None or not sign:
            continue
        changes[(round_id, cell)]["dues"] += sign
        if visited_at is not None and visited_at <= due_at:
            changes[(round_id, cell)]["on_time"] += sign
    apply(changes)


def locked_cells(household_ids: Iterable[int]) -> dict[int, Cell]:
    """The cells of these households (those in the register), locked in the order of
    their ids, as every writer of several households locks them."""
    rows = (
        Household.objects.select_for_update()
        .filter(pk__in=sorted(household_ids))
        .order_by("pk")
        .values("pk", "active", *CELL)
    )
    return {values["pk"]: cell for values in rows if (cell := cell_of(values)) is not None}


class Recount:
    """A batch write's households: counted (and locked) before it, again after it."""

    def __init__(self, household_ids: Iterable[int]):
        self.ids = set(household_ids)
        locked_cells(self.ids)
        self.before = count(Household.objects.filter(pk__in=sorted(self.ids)))

    def add(self, household_ids: Iterable[int]) -> None:
        """Households the batch created (they counted for nothing before)."""
        self.ids.update(household_ids)

    def finish(self) -> None:
        after = count(Household.objects.filter(pk__in=sorted(self.ids)))
        apply(subtract(after, self.before))


@contextmanager
def recounting(household_ids: Iterable[int] = ()) -> Iterator[Recount]:
    """For a batch write that goes around the actions, e.g. an import's bulk_update:

        with transaction.atomic(), coverage_tally.recounting(ids) as recount:
            Household.objects.bulk_update(changed, [...])
            recount.add(h.pk for h in Household.objects.bulk_create(new))

    The households named are locked for the rest of the transaction; the tally gets
    the difference between their counts before and after, in the same transaction."""
    with transaction.atomic():
        recount = Recount(household_ids)
        yield recount
        recount.finish()


def before_round_save(sender, instance, raw=False, using="default", **kwargs):
    stored = None
    if instance.pk is not None:
        stored = sender._base_manager.using(using).filter(pk=instance.pk)
        stored = stored.values_list("starts_on", "ends_on").first()
    instance._coverage_dates = stored


def after_round_save(sender, instance, created, raw=False, using="default", **kwargs):
    if raw:
        return
    before = getattr(instance, "_coverage_dates", None)
    after = (instance.starts_on, instance.ends_on)
    instance._coverage_dates = after
    if before != after:
        with transaction.atomic(using=using):
            round_dates_changed(instance.pk, before, after)
