"""Benchmarks of the tamper-evident timeline (lianxin/cases/chain.py) on PostgreSQL.

1. `lianxin audit verify`'s walk over E events of E/8 cases, against a plain streamed
   read of the same columns in the same order (no hashing), measured in the same run.
2. Migration cases/0010's `chain_existing` over the same events (what an upgrade costs).
3. The overdue scan over N open cases all due at once (the first scan ever), which now
   locks the cases and chains one event onto each, against one plain INSERT ... SELECT of
   the same events (bench/workflow_bench.py has both).

Usage (a database of its own, created if missing, emptied of cases first):

    .venv/bin/python bench/audit_bench.py --events 100000 --scan 100000 --runs 3

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/lianxin_bench_audit.
"""

import argparse
import statistics
import time

import common

common.configure("lianxin_bench_audit")

import workflow_bench  # noqa: E402  (after configure: it names its own database otherwise)

EVENTS_PER_CASE = 8


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--scan", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    common.setup()
    cast = workflow_bench.setup_district()
    print(common.machine())
    workflow_bench.clear_cases()
    fill_chained_events(cast, args.events)
    walks, reads, migrations = [], [], []
    for run in range(args.runs):
        walks.append(time_verify(args.events))
        reads.append(time_plain_read(args.events))
        migrations.append(time_migration())
        print(
            f"run {run + 1}: verify {walks[-1]:.2f} s (plain read {reads[-1]:.2f} s); "
            f"migration's chaining {migrations[-1]:.2f} s"
        )
    scans, plains = [], []
    if args.scan:
        for run in range(args.runs):
            workflow_bench.clear_cases()
            workflow_bench.fill_open_cases(cast, args.scan, newly_due_share=1.0)
            scans.append(workflow_bench.time_scan(first_ever=True))
            plains.append(workflow_bench.time_plain_insert_select())
            print(
                f"run {run + 1}: overdue scan, all due at once {scans[-1]:.2f} s "
                f"(plain INSERT ... SELECT {plains[-1]:.2f} s)"
            )
    workflow_bench.clear_cases()
    m = statistics.median
    print(
        f"median: audit verify over {args.events} events: {m(walks):.2f} s, "
        f"{args.events / m(walks):,.0f} events/s (plain streamed read {m(reads):.2f} s, "
        f"ratio {m(walks) / m(reads):.2f})"
    )
    print(f"median: migration 0010 chaining {args.events} events: {m(migrations):.2f} s")
    if scans:
        print(
            f"median: overdue scan over {args.scan} open cases all due at once: {m(scans):.2f} s "
            f"(plain INSERT ... SELECT {m(plains):.2f} s, ratio {m(scans) / m(plains):.2f})"
        )
    print(f"load average after: {common.load_average()}")


def fill_chained_events(cast, events: int) -> None:
    """Benchmark fixture: cases by SQL, and their events chained as the workflow would
    chain them (real events only ever come from the actions)."""
    from django.db import connection
    from django.utils import timezone

    from lianxin.cases import chain
    from lianxin.cases.models import CaseEvent

    cases = events // EVENTS_PER_CASE
    workflow_bench.fill_open_cases(cast, cases, newly_due_share=0.0)
    key, now = chain.chain_key(), timezone.now()
    batch = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM cases_case ORDER BY id")
        case_ids = cursor.fetchall()
    for (case_id,) in case_ids:
        previous = ""
        for seq in range(1, EVENTS_PER_CASE + 1):
            event = CaseEvent(
                case_id=case_id,
                code="cases.case.note_added",
                at=now,
                from_status="in_progress",
                to_status="in_progress",
                note=f"第{seq}次电话联系居民，说明办理进度。",
                data={"n": seq},
                seq=seq,
            )
            event.chain = previous = chain.link(chain.values_of(event), previous, key)
            batch.append(event)
        if len(batch) >= 5000:
            CaseEvent.objects.bulk_create(batch)
            batch = []
    CaseEvent.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE cases_caseevent")


def time_verify(events: int) -> float:
    from lianxin.cases import chain

    counts: dict[str, int] = {}
    started = time.perf_counter()
    breaks = list(chain.verify(counts))
    elapsed = time.perf_counter() - started
    assert not breaks and counts["events"] == events // EVENTS_PER_CASE * EVENTS_PER_CASE, counts
    return elapsed


def time_plain_read(events: int) -> float:
    from lianxin.cases import chain
    from lianxin.cases.models import CaseEvent

    started = time.perf_counter()
    rows = (
        CaseEvent.objects.order_by("case_id", "seq")
        .values_list("id", "chain", *chain.FIELDS)
        .iterator(chunk_size=5000)
    )
    n = sum(1 for _ in rows)
    elapsed = time.perf_counter() - started
    assert n == events // EVENTS_PER_CASE * EVENTS_PER_CASE
    return elapsed


def time_migration() -> float:
    """The migration's own function on the historical models, after moving the numbers
    out of its way (as before the columns existed); it writes the same chains back."""
    import importlib

    from django.db import connection, transaction
    from django.db.migrations.loader import MigrationLoader

    from lianxin.cases import chain

    migration = importlib.import_module("lianxin.cases.migrations.0010_chain_case_events")
    state = MigrationLoader(connection).project_state(("cases", "0010_chain_case_events"))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_caseevent SET seq = seq + 1000, chain = ''")
    started = time.perf_counter()
    with transaction.atomic():
        migration.chain_existing(state.apps, connection.schema_editor())
    elapsed = time.perf_counter() - started
    assert not list(chain.verify())
    return elapsed


if __name__ == "__main__":
    main()
