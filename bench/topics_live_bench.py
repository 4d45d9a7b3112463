"""What keeping topics live costs: per registration, and per refresh job, on PostgreSQL.

The district is the demo's (150 grids in 40 communities, its places and its
residents' wording); its cases are made in bulk: --recent cases over the last 30
days (60% still open) and --older closed ones over three years before, so that the
topic queries run on a case table of some size. Then:

1. `do_register_case` one by one, each its own transaction, its on-commit work run
   as in a request (other apps' receivers disconnected throughout), in batches of
   20 interleaved across configurations: no topic receiver (the baseline); the
   topic receiver with Huey on Redis and on its SQLite file; and the baseline with
   the address index of migration cases/0007 dropped (what that index costs a
   registration). A batch is a burst: its first registration schedules the live
   refresh, the others find it waiting. The receiver alone is also timed, both ways.
2. The jobs: the periodic full regroup (`refresh_topics`), and the live refresh
   (`refresh_changed`) after one registration, after a burst of 20 at one place,
   and after 20 at 20 places; "cold" with the place cache emptied first (a
   consumer just started), "warm" as a running consumer.

    .venv/bin/python bench/topics_live_bench.py --recent 5000 --older 50000 --runs 3

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/lianxin_bench_topics; the
cases are kept and reused when their numbers match (--rebuild makes them again).
"""

import argparse
import datetime as dt
import importlib
import os
import platform
import random
import statistics
import tempfile
import time
from pathlib import Path

import common

common.configure("lianxin_bench_topics")
REDIS_BENCH_URL = "redis://127.0.0.1:6379/13"
BATCH = 20


def district():
    """The demo district's units and people (built once), with each grid's places and map
    cells as the demo gives them."""
    from lianxin.accounts.models import User
    from lianxin.cases.models import Category
    from lianxin.demo import places as demo_places
    from lianxin.demo.district import build_district
    from lianxin.orgs.models import Unit

    if not Unit.objects.exists():
        build_district(random.Random(1))
    shapes = demo_places.outlines()
    grid_places, cells = {}, {}
    for _s, _sn, c_code, _cn, c_places in demo_places.iter_communities():
        order = Unit.objects.get(code=c_code).sort_order
        n_grids = demo_places.grid_count(order)
        for g in range(n_grids):
            grid_places[f"{c_code}-g{g + 1}"] = c_places[g::n_grids] or c_places
            cells[f"{c_code}-g{g + 1}"] = shapes[(c_code, g)].cells
    grids = list(Unit.objects.filter(kind="grid").select_related("parent"))
    return {
        "office": User.objects.get(username="office"),
        "grids": grids,
        "places": {g.pk: grid_places[g.code] for g in grids},
        "cells": {g.pk: cells[g.code] for g in grids},
        "categories": {c.code: c for c in Category.objects.filter(parent__isnull=False)},
    }


def concern(rng, cast, grid, code=None, place=None):
    from lianxin.demo import concerns
    from lianxin.demo import places as demo_places

    code = code or rng.choice(list(cast["categories"]))
    place = place or rng.choice(cast["places"][grid.pk])
    addr = demo_places.address(rng, place)
    title, text = concerns.write_concern(rng, code, place, addr)
    return code, place, addr, title[:100], text


def point_in(rng, cast, grid):
    from lianxin.demo import places as demo_places

    lat, lon = demo_places.point_in_cells(rng, cast["cells"][grid.pk])
    return round(lat, 6), round(lon, 6)


def fill_cases(cast, recent: int, older: int, rebuild: bool) -> None:
    from django.db import connection
    from django.utils import timezone

    from lianxin.cases.models import Case

    if not rebuild and Case.objects.filter(tracking_number__startswith="T").count() == (
        recent + older
    ):
        return
    with connection.cursor() as cur:
        cur.execute("TRUNCATE cases_case, intel_topic CASCADE")
    rng = random.Random(7)
    now = timezone.now()
    rows = []
    for i in range(recent + older):
        grid = rng.choice(cast["grids"])
        code, _place, addr, title, text = concern(rng, cast, grid)
        if i < recent:
            at = now - dt.timedelta(seconds=rng.uniform(600, 30 * 86400))
            status = rng.choices(["registered", "dispatched", "in_progress", "closed"], [2, 2, 2, 4])[0]  # fmt: skip
        else:
            at = now - dt.timedelta(days=rng.uniform(30, 3 * 365))
            status = "closed"
        lat, lon = point_in(rng, cast, grid) if rng.random() < 0.75 else (None, None)
        rows.append(
            Case(
                tracking_number=f"T{i:09d}",
                channel="patrol",
                resident_phone=f"139{rng.randrange(10**8):08d}",
                address=addr,
                grid=grid,
                community_id=grid.parent_id,
                street_id=grid.parent.parent_id,
                latitude=lat,
                longitude=lon,
                title=title,
                text=text,
                category=cast["categories"][code],
                status=status,
                registered_at=at,
                reply_due_at=at + dt.timedelta(days=9),
                resolve_due_at=at + dt.timedelta(days=21),
            )
        )
        if len(rows) == 5000:
            Case.objects.bulk_create(rows)
            rows = []
    Case.objects.bulk_create(rows)
    with connection.cursor() as cur:
        cur.execute("ANALYZE cases_case")


def register(rng, cast, *, grid=None, code=None, place=None):
    from lianxin.cases.actions import do_register_case

    grid = grid or rng.choice(cast["grids"])
    code, place, addr, title, text = concern(rng, cast, grid, code, place)
    lat, lon = point_in(rng, cast, grid)
    return do_register_case(
        actor=cast["office"],
        channel="phone",
        title=title,
        text=text,
        address=addr,
        grid=grid,
        category=cast["categories"][code],
        latitude=lat,
        longitude=lon,
        resident_name="王秀兰",
        resident_phone=f"138{rng.randrange(10**8):08d}",
    )


def median_ms(values) -> float:
    return statistics.median(values) * 1000


def main() -> None:  # noqa: C901  (one script, one pass)
    parser = argparse.ArgumentParser()
    parser.add_argument("--recent", type=int, default=5000)
    parser.add_argument("--older", type=int, default=50000)
    parser.add_argument("--register", type=int, default=200, help="per configuration")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    common.setup()
    from django.db import connection
    from django.utils import timezone
    from huey.contrib.djhuey import HUEY
    from huey.storage import RedisStorage, SqliteStorage

    from lianxin.cases.models import Case, CaseEvent
    from lianxin.cases.signals import case_events_committed
    from lianxin.intel import tasks, topicsync
    from lianxin.intel.places import extract_places

    cast = district()
    start = time.perf_counter()
    fill_cases(cast, args.recent, args.older, args.rebuild)
    Case.objects.exclude(tracking_number__startswith="T").delete()  # an earlier run's
    print(f"data: {Case.objects.count()} cases ({time.perf_counter() - start:.0f} s)")
    now = timezone.now()
    open_recent = topicsync.recent_cases(now).count()
    print(
        f"open cases of the last {topicsync.WINDOW_DAYS} days: {open_recent}; machine: "
        f"{platform.node()} {platform.machine()}, {os.cpu_count()} cpus, Python "
        f"{platform.python_version()}, PostgreSQL {connection.cursor().connection.info.server_version}"
    )
    # Only the topic receiver is measured: the others (notifications, webhooks, the city
    # platform, figures) are disconnected throughout.
    for receiver in list(case_events_committed.receivers):
        case_events_committed.disconnect(dispatch_uid=receiver[0][0])
    tmp = Path(tempfile.mkdtemp())
    storages = {
        "redis": RedisStorage(HUEY.name, url=REDIS_BENCH_URL),
        "sqlite": SqliteStorage(HUEY.name, filename=str(tmp / "huey.sqlite3")),
    }
    index_sql = importlib.import_module(
        "lianxin.cases.migrations.0007_open_case_address_bigrams"
    ).ADDRESS_INDEX
    rng = random.Random(11)

    from django.urls import reverse

    reverse("portal:follow")  # load the URLconf and every view module before timing
    extract_places("福临苑小区3号楼门口路灯不亮")  # jieba loaded, as in a warm process
    for _ in range(5):
        register(rng, cast)

    names = ["baseline", "topics, redis", "topics, sqlite", "baseline, no address index"]
    per_case: dict[str, list[float]] = {n: [] for n in names}
    jobs: dict[str, list[int]] = {n: [] for n in names}

    def configure(name: str) -> None:
        case_events_committed.disconnect(dispatch_uid="lianxin.intel")
        if name.startswith("topics"):
            case_events_committed.connect(
                tasks.on_case_events_committed, dispatch_uid="lianxin.intel"
            )
            HUEY.storage = storages[name.split(", ")[1]]
        with connection.cursor() as cur:
            if name == "baseline, no address index":
                cur.execute("DROP INDEX IF EXISTS case_open_address_bigrams")
            else:
                cur.execute(index_sql)
        for storage in storages.values():
            storage.flush_all()

    for round_ in range(len(names) * args.register // BATCH):
        name = names[round_ % len(names)]
        configure(name)
        start = time.perf_counter()
        for _ in range(BATCH):
            register(rng, cast)
        per_case[name].append((time.perf_counter() - start) / BATCH)
        jobs[name].append(sum(s.queue_size() for s in storages.values()))
    configure("baseline")
    base = median_ms(per_case["baseline"])
    print(
        f"\n1. do_register_case, {args.register} per configuration in bursts of {BATCH}, "
        "interleaved (median of the bursts' ms per case)"
    )
    for name in names:
        med = median_ms(per_case[name])
        print(
            f"   {name:28s} {med:6.2f} ms  ratio {med / base:4.2f}  "
            f"jobs per burst {statistics.mean(jobs[name]):.1f}"
        )

    # The receiver alone, for one fresh registration event: a refresh waiting (one read
    # of Huey's store) or not (the mark written and the job enqueued).
    fresh = CaseEvent.objects.filter(code="cases.case.registered").order_by("-pk").first()
    CaseEvent.objects.filter(pk=fresh.pk).update(at=timezone.now())
    print("\n   the receiver alone, per committed event (median of 200 calls)")
    for store in storages:
        HUEY.storage = storages[store]
        for waiting in (True, False):
            times = []
            for _ in range(200):
                if not waiting:
                    HUEY.delete(tasks.PENDING_KEY)
                start = time.perf_counter()
                tasks.on_case_events_committed(CaseEvent, event_ids=[fresh.pk])
                times.append(time.perf_counter() - start)
            storages[store].flush_all()
            label = "a refresh waiting" if waiting else "scheduling one"
            print(f"   {store:6s} {label:18s} {median_ms(times):6.2f} ms")

    # 2. The jobs, on the bulk-made cases alone (the registrations above are taken away).
    Case.objects.exclude(tracking_number__startswith="T").delete()
    open_recent = topicsync.recent_cases(timezone.now()).count()

    def timed(fn, cold: bool):
        if cold:
            extract_places.cache_clear()
        start = time.perf_counter()
        result = fn()
        return time.perf_counter() - start, result

    print(f"\n2. the jobs ({args.runs} runs, median)")
    full = {True: [], False: []}
    for _ in range(args.runs):
        for cold in (True, False):
            seconds, found = timed(topicsync.refresh_topics, cold)
            full[cold].append(seconds)
    print(
        f"   full regroup (periodic), {min(open_recent, topicsync.MAX_CASES)} cases, "
        f"{len(found)} topics: cold {median_ms(full[True]):.0f} ms, warm {median_ms(full[False]):.0f} ms"
    )

    def live(make) -> tuple[list, list, int]:
        cold, warm, sizes = [], [], []
        for _ in range(args.runs):
            since = timezone.now() - topicsync.LIVE_WINDOW
            after = CaseEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            made = make()
            seeds = [c.pk for c in made]
            for is_cold, into in ((True, cold), (False, warm)):
                seconds, _found = timed(
                    lambda since=since, after=after: topicsync.refresh_changed(since, after),
                    is_cold,
                )
                into.append(seconds)
            reports, _touched = topicsync._neighbourhood(
                list(
                    Case.objects.filter(pk__in=seeds).values(
                        "id", "title", "address", "grid_id", "community_id", "latitude", "longitude"
                    )
                ),
                timezone.now(),
            )
            sizes.append(len(reports))
        return cold, warm, statistics.median(sizes)

    grid = rng.choice(cast["grids"])
    scenarios = {
        "one registration": lambda: [register(rng, cast)],
        f"a burst of {BATCH} at one place": lambda: [
            register(rng, cast, grid=grid) for _ in range(BATCH)
        ],
        f"{BATCH} at {BATCH} places": lambda: [register(rng, cast) for _ in range(BATCH)],
    }
    for label, make in scenarios.items():
        cold, warm, size = live(make)
        print(
            f"   live refresh after {label:24s} ({size:.0f} cases regrouped): "
            f"cold {median_ms(cold):6.0f} ms, warm {median_ms(warm):6.0f} ms"
        )
    Case.objects.exclude(tracking_number__startswith="T").delete()
    for storage in storages.values():
        storage.flush_all()


if __name__ == "__main__":
    main()
