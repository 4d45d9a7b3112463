"""Benchmark of the dashboard (lianxin/figures) on PostgreSQL with millions of cases.

1. Fills `cases_case` with N generated cases by INSERT ... SELECT generate_series (secondary
   indexes dropped during the load and rebuilt after), spread evenly over the years given,
   in every status, with lead units, places, categories, channels, leaders, timestamps and
   stored working-day durations (approximated from calendar days: the queries' cost is what
   is measured, not the calendar). Cases are benchmark rows written by SQL, never the
   platform's own data.
2. Times the dashboard page's server side for the district (the view called in-process with
   the office's user: every query, Python and the template) for one year and for the whole
   range, and each of its queries alone.
3. Beside it, in the same run: PostgreSQL's own `SELECT count(*)` over the same rows, and one
   hand-written GROUP BY that computes the same headline figures.

Usage (a database of its own, created if missing; --keep reuses rows already there):

    .venv/bin/python bench/figures_bench.py --cases 10000000 --runs 5
    .venv/bin/python bench/figures_bench.py --cases 10000000 --runs 5 --keep

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/lianxin_bench_figures.
"""

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import common

common.configure("lianxin_bench_figures")

FIRST_DAY = dt.date(2023, 1, 1)
LAST_DAY = dt.date(2026, 11, 20)
CHUNK = 1_000_000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="reuse the cases already loaded")
    parser.add_argument("--load-only", action="store_true", help="generate the cases and stop")
    parser.add_argument("--indexes-only", action="store_true", help="restore missing indexes")
    parser.add_argument("--year-only", action="store_true", help="skip the whole range")
    args = parser.parse_args()

    common.setup(migrate=False)  # the migration is timed below
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - started:.0f} s")

    from lianxin.figures.models import Tally

    setup_district()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case")
        present = cursor.fetchone()[0]
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SHOW max_parallel_workers_per_gather")
        workers = cursor.fetchone()[0]
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cpus, Python "
        f"{platform.python_version()}, PostgreSQL {version}, parallel workers {workers}"
    )
    if args.indexes_only:
        started = time.perf_counter()
        restore_indexes(connection.cursor())
        connection.cursor().execute("VACUUM (ANALYZE) cases_case")
        print(f"indexes restored in {time.perf_counter() - started:.0f} s")
        return
    if not (args.keep and present == args.cases):
        load_seconds = generate(args.cases)
        print(f"generated {args.cases:,} cases in {load_seconds:.0f} s")
        count_tally()
    else:
        print(f"reusing {present:,} cases")
        if not Tally.objects.exists():
            count_tally()
    describe_tally()
    if args.load_only:
        return

    year = (dt.date(LAST_DAY.year, 1, 1), LAST_DAY)
    whole = (FIRST_DAY, LAST_DAY)
    ranges = [("one year", year)] + ([] if args.year_only else [("all years", whole)])
    for label, (start, end) in ranges:
        rows = plain_count(start, end)[1]
        print(f"\n== {label}: {start} .. {end}, {rows:,} cases ==")
        measure(start, end, args.runs)


def setup_district():
    import random

    from lianxin.demo.district import build_district
    from lianxin.orgs.models import Unit

    if not Unit.objects.exists():
        build_district(random.Random(1))


def generate(n: int) -> float:
    """Replace every case with n generated ones; returns the seconds it took (load, index
    rebuild, VACUUM ANALYZE)."""
    from django.db import connection

    from lianxin.accounts.models import Role, User
    from lianxin.cases.models import Category
    from lianxin.orgs.models import Unit

    grids = list(
        Unit.objects.filter(kind="grid").values_list("pk", "parent_id", "parent__parent_id")
    )
    departments = list(Unit.objects.filter(kind="department").values_list("pk", flat=True))
    categories = list(Category.objects.filter(parent__isnull=False).values_list("pk", flat=True))
    leaders = list(User.objects.filter(memberships__role=Role.LEADER).values_list("pk", flat=True))
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE cases_caseevent, cases_casepart, cases_extensionrequest, cases_returnvisit,"
            " cases_casephoto, cases_casesupport, cases_case CASCADE"
        )
        # Unique constraints first (their indexes go with them), then the other indexes:
        # a bulk load followed by one build per index is several times faster than
        # keeping ten indexes up to date row by row.
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = 'cases_case'::regclass AND contype = 'u'"
        )
        for name, _definition in cursor.fetchall():
            cursor.execute(f'ALTER TABLE cases_case DROP CONSTRAINT "{name}"')
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'cases_case'"
            " AND indexname NOT LIKE '%%_pkey'"
        )
        for name, _definition in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
        # Benchmark rows reference real units; skip the per-row foreign-key triggers.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("DROP TABLE IF EXISTS bench_grid")
        cursor.execute(
            "CREATE TEMP TABLE bench_grid (idx int PRIMARY KEY, grid int, community int, street int)"
        )
        cursor.executemany(
            "INSERT INTO bench_grid VALUES (%s, %s, %s, %s)",
            [(i, *grid) for i, grid in enumerate(grids)],
        )
        span = (LAST_DAY - FIRST_DAY).days + 1
        params = {
            "ngrids": len(grids),
            "depts": departments,
            "cats": categories,
            "leaders": leaders or [None],
            "first": dt.datetime.combine(FIRST_DAY, dt.time(8), tzinfo=dt.UTC),
            "step": span * 86400.0 / n,
        }
        for low in range(1, n + 1, CHUNK):
            cursor.execute(INSERT, {**params, "low": low, "high": min(n, low + CHUNK - 1)})
            print(f"  {min(n, low + CHUNK - 1):,} rows, {time.perf_counter() - started:.0f} s")
        cursor.execute("SET session_replication_role = DEFAULT")
        restore_indexes(cursor)
        print(f"  indexes rebuilt, {time.perf_counter() - started:.0f} s")
    connection.cursor().execute("VACUUM (ANALYZE) cases_case")
    return time.perf_counter() - started


# One case per g: status from a hash of g, times from the registration time, which grows
# evenly with g. Shares: ~60% closed, the rest spread over every other status.
INSERT = """
WITH src AS (
    SELECT g,
        (g * 7919) %% 100 AS r,
        (g * 104729) %% 1000 AS s,
        %(first)s::timestamptz + (g * %(step)s) * interval '1 second' AS reg
    FROM generate_series(%(low)s::bigint, %(high)s::bigint) AS g
), shaped AS (
    SELECT src.*,
        CASE WHEN r < 4 THEN 'registered' WHEN r < 7 THEN 'dispatched' WHEN r < 8 THEN 'returned'
             WHEN r < 16 THEN 'in_progress' WHEN r < 22 THEN 'replied'
             WHEN r < 27 THEN 'constrained' WHEN r < 31 THEN 'resolved'
             WHEN r < 35 THEN 'verified' WHEN r < 94 THEN 'closed' WHEN r < 96 THEN 'merged'
             WHEN r < 98 THEN 'withdrawn' ELSE 'voided' END AS status,
        (s %% 5) AS accept_days, (s %% 11) AS reply_days, 2 + (s %% 23) AS resolve_days
    FROM src
)
INSERT INTO cases_case (tracking_number, channel, resident_name, resident_phone, anonymous,
    address, building, title, text, urgency, status, open_for_claim, escalated, reopen_count,
    registered_at, dispatched_at, accepted_at, replied_at, resolved_at, verified_at, closed_at,
    reply_due_at, resolve_due_at, reply_text, resolution_note, constrained_explanation,
    satisfaction, solved, grid_id, community_id, street_id, category_id, lead_unit_id,
    leader_id, support_count, exemplary, exemplary_note,
    response_working_days, reply_working_days, resolve_working_days)
SELECT 'B' || g,
    (ARRAY['visit','patrol','meeting','phone','web','miniprogram','city','forwarded'])[1 + g %% 8],
    '', '', false, '福临苑小区3号楼', '', '小区路灯不亮',
    '福临苑小区3号楼门口的路灯坏了一个多星期，晚上出门看不清路。', 'normal', status, false, false,
    CASE WHEN s %% 40 = 0 AND status IN ('in_progress', 'replied', 'resolved', 'verified', 'closed')
         THEN 1 ELSE 0 END,
    reg,
    CASE WHEN status NOT IN ('registered', 'merged', 'withdrawn', 'voided')
         THEN reg + interval '2 hours' END,
    CASE WHEN status NOT IN ('registered', 'dispatched', 'returned', 'merged', 'withdrawn', 'voided')
         THEN reg + interval '2 hours' + accept_days * interval '1 day' END,
    CASE WHEN status IN ('replied', 'constrained', 'resolved', 'verified', 'closed')
         THEN reg + reply_days * interval '1 day' END,
    CASE WHEN status IN ('resolved', 'verified', 'closed')
         THEN reg + (reply_days + resolve_days) * interval '1 day' END,
    CASE WHEN status IN ('verified', 'closed')
         THEN reg + (reply_days + resolve_days + 1) * interval '1 day' END,
    CASE WHEN status IN ('closed', 'merged', 'withdrawn', 'voided')
         THEN reg + (reply_days + resolve_days + 2) * interval '1 day' END,
    -- deadlines at the end of a local day, as the workflow sets them
    (date_trunc('day', (reg + interval '9 days') AT TIME ZONE 'Asia/Shanghai')
        + interval '1 day' - interval '1 microsecond') AT TIME ZONE 'Asia/Shanghai',
    (date_trunc('day', (reg + interval '21 days') AT TIME ZONE 'Asia/Shanghai')
        + interval '1 day' - interval '1 microsecond') AT TIME ZONE 'Asia/Shanghai',
    '', '', '',
    CASE WHEN status = 'closed' THEN (CASE WHEN s %% 10 = 0 THEN 'basically' ELSE 'satisfied' END)
         WHEN s %% 40 = 0 AND status IN ('in_progress', 'replied', 'resolved', 'verified')
         THEN 'unsatisfied' ELSE '' END,
    CASE WHEN status = 'closed' THEN s %% 17 <> 0
         WHEN s %% 40 = 0 AND status IN ('in_progress', 'replied', 'resolved', 'verified')
         THEN false END,
    bg.grid, bg.community, bg.street,
    (%(cats)s::int[])[1 + g %% cardinality(%(cats)s::int[])],
    CASE WHEN status NOT IN ('registered', 'merged', 'withdrawn', 'voided')
         THEN (%(depts)s::int[])[1 + (g / 7) %% cardinality(%(depts)s::int[])] END,
    CASE WHEN s %% 20 = 0 THEN (%(leaders)s::int[])[1 + g %% cardinality(%(leaders)s::int[])] END,
    0, false, '',
    CASE WHEN status NOT IN ('registered', 'dispatched', 'returned', 'merged', 'withdrawn', 'voided')
         THEN accept_days * 5 / 7 END,
    CASE WHEN status IN ('replied', 'constrained', 'resolved', 'verified', 'closed')
         THEN reply_days * 5 / 7 END,
    CASE WHEN status IN ('resolved', 'verified', 'closed')
         THEN (reply_days + resolve_days) * 5 / 7 END
FROM shaped JOIN bench_grid bg ON bg.idx = g %% %(ngrids)s
"""


def restore_indexes(cursor) -> None:
    """Build every index and unique constraint that a freshly migrated database has on
    cases_case and this one lacks (a load interrupted after dropping them loses nothing)."""
    import subprocess

    import psycopg

    url = os.environ["DATABASE_URL"] + "_schema"
    common.ensure_database(url)
    manage = Path(__file__).resolve().parent.parent / "manage.py"
    subprocess.run(
        [sys.executable, str(manage), "migrate", "--verbosity", "0"],
        env={**os.environ, "DATABASE_URL": url},
        check=True,
    )
    with psycopg.connect(url) as reference:
        indexes = reference.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'cases_case'"
            " AND indexname NOT LIKE '%_pkey'"
        ).fetchall()
        constraints = reference.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = 'cases_case'::regclass AND contype = 'u'"
        ).fetchall()
    cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'cases_case'")
    present = {row[0] for row in cursor.fetchall()}
    constraint_names = {name for name, _ in constraints}
    for name, definition in indexes:
        # The search's bigram index (GIN over the text) serves no figure and takes longer
        # to build than everything else together: left out of this benchmark's database.
        if "USING gin" in definition:
            continue
        if name not in present and name not in constraint_names:
            cursor.execute(definition)
    for name, definition in constraints:
        if name not in present:
            cursor.execute(f'ALTER TABLE cases_case ADD CONSTRAINT "{name}" {definition}')


def timed(fn, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def plain_count(start, end):
    from django.db import connection

    from lianxin.figures.metrics import start_of_day

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM cases_case WHERE registered_at >= %s AND registered_at < %s",
            [start_of_day(start), start_of_day(end + dt.timedelta(days=1))],
        )
        rows = cursor.fetchone()[0]
    return time.perf_counter() - started, rows


PLAIN_GROUP_BY = """
SELECT lead_unit_id, count(*),
    count(*) FILTER (WHERE status NOT IN ('merged', 'withdrawn', 'voided')),
    count(*) FILTER (WHERE status IN ('resolved', 'verified', 'closed')),
    count(*) FILTER (WHERE replied_at <= reply_due_at),
    count(*) FILTER (WHERE replied_at IS NOT NULL OR reply_due_at < now()),
    count(*) FILTER (WHERE satisfaction IN ('satisfied', 'basically')),
    count(*) FILTER (WHERE satisfaction <> '')
FROM cases_case WHERE registered_at >= %s AND registered_at < %s
GROUP BY lead_unit_id
"""


def plain_group_by(start, end):
    from django.db import connection

    from lianxin.figures.metrics import start_of_day

    with connection.cursor() as cursor:
        cursor.execute(
            PLAIN_GROUP_BY, [start_of_day(start), start_of_day(end + dt.timedelta(days=1))]
        )
        cursor.fetchall()


def count_tally() -> None:
    """The generated rows bypass the workflow, so the tally is counted from them."""
    from lianxin.figures import tally

    started = time.perf_counter()
    counted = tally.rebuild()
    print(f"tally counted from {counted:,} cases in {time.perf_counter() - started:.0f} s")


def describe_tally() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), pg_size_pretty(pg_total_relation_size('figures_tally')),"
            " pg_size_pretty(pg_total_relation_size('cases_case')) FROM figures_tally"
        )
        rows, size, cases_size = cursor.fetchone()
    print(f"tally: {rows:,} rows, {size} (the cases table: {cases_size})")


def measure(start, end, runs: int) -> None:
    from django.test import RequestFactory

    from lianxin.accounts.models import Role, User
    from lianxin.cases.models import Case
    from lianxin.figures import board, hotspots, trend
    from lianxin.figures import metrics as m
    from lianxin.figures.views import dashboard

    office = User.objects.filter(memberships__role=Role.DISPATCHER).first()
    request_args = {"period": "range", "start": start.isoformat(), "end": end.isoformat()}

    def page():
        request = RequestFactory().get("/figures/", request_args)
        request.user = User.objects.get(pk=office.pk)
        response = dashboard(request)
        assert response.status_code == 200

    ctx = m.Context.build()
    selection = m.Selection(start, end)
    cases = selection.apply(Case.objects.all())
    parts = {
        "headline figures (tally)": lambda: board.summary_from_tally(selection, ctx),
        "lead units, streets and leaders with durations (tally)": lambda: (
            board.breakdowns_from_tally(selection, ["lead_unit", "street", "leader"], ctx)
        ),
        "breakdown by grid (tally)": lambda: board.breakdowns_from_tally(selection, ["grid"], ctx),
        "trend by month (tally)": lambda: board.trend_from_tally(selection, "month", ctx),
        "trend by week (tally)": lambda: board.trend_from_tally(selection, "week", ctx),
        "hot spots (tally)": lambda: hotspots.hot_spots_of_district(ctx),
    }
    page()  # warm the caches and the connection
    page_times = timed(page, runs)
    count_times = [plain_count(start, end)[0] for _ in range(runs)]
    group_times = timed(lambda: plain_group_by(start, end), runs)
    med = statistics.median
    p95 = sorted(page_times)[max(0, int(round(0.95 * len(page_times))) - 1)]
    print(
        f"dashboard page, server time: median {med(page_times) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms over {runs} runs"
    )
    print(f"plain SELECT count(*) of the same rows: median {med(count_times):.3f} s")
    print(f"plain GROUP BY lead_unit with 7 FILTER counts: median {med(group_times):.3f} s")
    print(
        f"ratio page / plain GROUP BY: {med(page_times) / med(group_times):.3f}; "
        f"page / count(*): {med(page_times) / med(count_times):.3f}"
    )
    for label, fn in parts.items():
        times = timed(fn, runs)
        print(f"  {label}: median {med(times) * 1000:.1f} ms")
    # The same figures read from the cases, as a unit's staff or a filter would get them.
    scan = timed(
        lambda: (
            m.breakdowns(cases, ["lead_unit", "street", "leader"], ctx, durations_for="lead_unit"),
            trend.trend(cases, "month", ctx),
        ),
        1,
    )
    print(f"  the same breakdowns and trend read from the cases (once): {scan[0]:.2f} s")


if __name__ == "__main__":
    main()
