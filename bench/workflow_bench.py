"""Benchmarks of the workflow engine on PostgreSQL.

1. Registering cases one by one through `do_register_case`, each in its own
   transaction as a web request would, against a plain ORM insert of the same
   row (no rules, no counter, no event) measured in the same run.
2. The overdue scan over N open cases: in its steady state (1% of them newly past
   their deadline since the previous scan), against a plain count of those rows;
   and all at once (the first scan ever, every case overdue), against one plain
   INSERT ... SELECT of the same events.

Usage (a database of its own, created if missing, emptied of cases first):

    .venv/bin/python bench/workflow_bench.py --register 10000 --scan 100000 --runs 3 --clients 2

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/lianxin_bench.
"""

import argparse
import contextlib
import datetime as dt
import statistics
import time

import common

common.configure("lianxin_bench")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--register", type=int, default=10_000)
    parser.add_argument("--scan", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", type=int, default=2)
    args = parser.parse_args()

    common.setup()

    cast = setup_district()
    print(common.machine())
    register_rates, baseline_rates, parallel_rates, untallied_rates = [], [], [], []
    for run in range(args.runs):
        clear_cases()
        register_rates.append(time_registrations(cast, args.register))
        clear_cases()
        with without_tally():
            untallied_rates.append(time_registrations(cast, args.register))
        clear_cases()
        baseline_rates.append(time_plain_inserts(cast, args.register))
        clear_cases()
        parallel_rates.append(time_parallel_registrations(args.register, args.clients))
        print(
            f"run {run + 1}: register {register_rates[-1]:.0f}/s (without the figures' tally "
            f"{untallied_rates[-1]:.0f}/s), plain insert "
            f"{baseline_rates[-1]:.0f}/s, {args.clients} clients {parallel_rates[-1]:.0f}/s"
        )
    steady, steady_base, first, first_base = [], [], [], []
    for run in range(args.runs):
        clear_cases()
        fill_open_cases(cast, args.scan, newly_due_share=0.01)
        steady.append(time_scan())
        steady_base.append(time_plain_count())
        clear_cases()
        fill_open_cases(cast, args.scan, newly_due_share=1.0)
        first.append(time_scan(first_ever=True))
        first_base.append(time_plain_insert_select())
        print(
            f"run {run + 1}: scan with 1% newly due {steady[-1]:.3f} s "
            f"(count {steady_base[-1]:.3f} s); all due at once {first[-1]:.2f} s "
            f"(plain INSERT ... SELECT {first_base[-1]:.2f} s)"
        )
    reg, base = statistics.median(register_rates), statistics.median(baseline_rates)
    m = statistics.median
    print(
        f"median: registering {args.register} cases one by one from {args.clients} clients "
        f"at once (as {args.clients} web workers would): {m(parallel_rates):.0f}/s"
    )
    print(
        f"median: registering {args.register} cases one by one: {reg:.0f}/s "
        f"(plain ORM insert {base:.0f}/s, ratio {reg / base:.2f})"
    )
    print(
        f"median: the same without writing the figures' tally: {m(untallied_rates):.0f}/s "
        f"(the tally costs {1000 / reg - 1000 / m(untallied_rates):.2f} ms a registration)"
    )
    print(
        f"median: overdue scan over {args.scan} open cases, 1% newly past their deadline: "
        f"{m(steady):.3f} s (plain SELECT count(*) of them {m(steady_base):.3f} s)"
    )
    print(
        f"median: overdue scan over {args.scan} open cases all past their deadline at once: "
        f"{m(first):.2f} s (the same events by one plain INSERT ... SELECT {m(first_base):.2f} s,"
        f" ratio {m(first) / m(first_base):.2f})"
    )
    clear_cases()


def setup_district():
    import random

    from lianxin.demo.district import build_district
    from lianxin.orgs.models import Unit

    if not Unit.objects.exists():
        build_district(random.Random(1))
    return load_cast()


def load_cast():
    from lianxin.accounts.models import User
    from lianxin.cases.models import Category
    from lianxin.orgs.models import Unit

    return {
        "office": User.objects.get(username="office"),
        "grids": list(Unit.objects.filter(kind="grid")),
        "categories": list(Category.objects.filter(parent__isnull=False)),
    }


@contextlib.contextmanager
def without_tally():
    """Registration as it was before the figures' tally listened to case saves."""
    from django.db.models.signals import post_save, pre_save

    from lianxin.cases.models import Case
    from lianxin.figures import tally

    hooks = [
        (pre_save, tally.before_save, "tally-before-save"),
        (post_save, tally.after_save, "tally-after-save"),
    ]
    for signal, _receiver, uid in hooks:
        signal.disconnect(sender=Case, dispatch_uid=uid)
    try:
        yield
    finally:
        for signal, receiver, uid in hooks:
            signal.connect(receiver, sender=Case, dispatch_uid=uid)


def clear_cases():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE cases_caseevent, cases_casepart, cases_extensionrequest, cases_returnvisit,"
            " cases_casephoto, cases_case, cases_trackingcounter, cases_deadlinescan,"
            " figures_tally CASCADE"
        )


def time_registrations(cast, n: int) -> float:
    from lianxin.cases.actions import do_register_case

    office, grids, categories = cast["office"], cast["grids"], cast["categories"]
    started = time.perf_counter()
    for i in range(n):
        do_register_case(
            actor=office,
            channel="phone",
            title=f"小区路灯不亮 {i}",
            text="福临苑小区3号楼门口的路灯坏了一个多星期，晚上出门看不清路。",
            address="福临苑小区3号楼",
            grid=grids[i % len(grids)],
            category=categories[i % len(categories)],
            resident_name="王秀兰",
            resident_phone="13812341234",
        )
    return n / (time.perf_counter() - started)


def _client(n: int) -> None:
    from django.db import connections

    connections.close_all()  # a fresh connection in each forked process
    time_registrations(load_cast(), n)


def time_parallel_registrations(n: int, clients: int) -> float:
    import multiprocessing

    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_client, args=(n // clients,)) for _ in range(clients)]
    started = time.perf_counter()
    for process in processes:
        process.start()
    for process in processes:
        process.join()
        assert process.exitcode == 0, process.exitcode
    return (n // clients) * clients / (time.perf_counter() - started)


def time_plain_inserts(cast, n: int) -> float:
    from django.utils import timezone

    from lianxin.cases.models import Case

    grids, categories = cast["grids"], cast["categories"]
    now = timezone.now()
    started = time.perf_counter()
    for i in range(n):
        grid = grids[i % len(grids)]
        Case.objects.create(
            tracking_number=f"P-{i}",
            channel="phone",
            title=f"小区路灯不亮 {i}",
            text="福临苑小区3号楼门口的路灯坏了一个多星期，晚上出门看不清路。",
            address="福临苑小区3号楼",
            grid=grid,
            community_id=grid.parent_id,
            category=categories[i % len(categories)],
            resident_name="王秀兰",
            resident_phone="13812341234",
            registered_at=now,
            reply_due_at=now,
            resolve_due_at=now,
        )
    return n / (time.perf_counter() - started)


def fill_open_cases(cast, n: int, newly_due_share: float) -> None:
    """Benchmark fixture: n open cases written by SQL in one statement (real cases only ever
    come from the actions; this is the scan's input, nothing more).

    With a previous scan 10 minutes ago, `newly_due_share` of the cases had their reply
    deadline pass since then; of the rest, a fifth went overdue before it (already
    recorded) and the others are due in the coming weeks. With a share of 1.0 there is
    no previous scan: the first scan ever, with every case overdue.
    """
    from django.db import connection
    from django.utils import timezone

    from lianxin.cases.models import DeadlineScan

    grid = cast["grids"][0]
    newly = int(n * newly_due_share)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO cases_case (tracking_number, channel, resident_name, resident_phone,
                anonymous, address, building, title, text, urgency, status, open_for_claim,
                escalated, reopen_count, registered_at, reply_due_at, resolve_due_at, reply_text,
                resolution_note, constrained_explanation, satisfaction, grid_id, community_id,
                street_id, exemplary, exemplary_note, support_count, phone_verified)
            SELECT 'B-' || g, 'phone', '', '', false, '福临苑小区', '', '路灯不亮',
                '路灯坏了很久，晚上看不清路', 'normal',
                (ARRAY['registered', 'dispatched', 'in_progress'])[1 + g %% 3], false, false, 0,
                now() - interval '20 days',
                CASE WHEN g <= %s THEN now() - (g %% 600) * interval '1 second'
                     WHEN g %% 5 = 0 THEN now() - interval '3 days'
                     ELSE now() + (g %% 20) * interval '1 day' END,
                now() + interval '30 days', '', '', '', '', %s, %s, %s, false, '', 0, false
            FROM generate_series(1, %s) AS g
            """,
            [newly, grid.pk, grid.parent_id, grid.parent.parent_id, n],
        )
        cursor.execute("VACUUM ANALYZE cases_case")
    DeadlineScan.objects.all().delete()
    if newly_due_share < 1:
        ten_minutes_ago = timezone.now() - dt.timedelta(minutes=10)
        for watch in (
            "cases.case.reply_overdue",
            "cases.case.resolution_overdue",
            "cases.case.constrained_review_due",
        ):
            DeadlineScan.objects.create(watch=watch, scanned_to=ten_minutes_ago)


def time_scan(first_ever: bool = False) -> float:
    from lianxin.cases.actions import do_record_overdue_cases
    from lianxin.cases.models import Case

    started = time.perf_counter()
    counts = do_record_overdue_cases()
    elapsed = time.perf_counter() - started
    expected = Case.objects.count() if first_ever else None
    if expected is not None:
        assert counts["cases.case.reply_overdue"] == expected, counts
    else:
        assert counts["cases.case.reply_overdue"] > 0, counts
    return elapsed


def time_plain_count() -> float:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM cases_case WHERE replied_at IS NULL AND reply_due_at <= now()"
            " AND reply_due_at > now() - interval '10 minutes'"
        )
    return time.perf_counter() - started


def time_plain_insert_select() -> float:
    """The scan's own work done by hand: the same events in one statement, then removed."""
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cases_caseevent (case_id, code, at, from_status, to_status, note,"
            " public, data, seq, chain) SELECT id, 'plain', now(), status, status, '', false,"
            " '{}', 1000000, ''"
            " FROM cases_case WHERE replied_at IS NULL AND reply_due_at <= now()"
        )
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_caseevent WHERE code = 'plain'")
    return elapsed


if __name__ == "__main__":
    main()
