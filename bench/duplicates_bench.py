"""Finding probable duplicates at intake, against 1,000,000 cases on PostgreSQL.

Builds a bench database of its own (1,000 grids in 10 streets, cases over three
years with realistic Chinese titles and texts, made with INSERT ... SELECT from
generate_series), then times `lianxin.intel.nearby.find` (the candidate query
and the scoring in Python) for a few hundred probe registrations, by each way a
place may be known:

- grid: staff registered it in a grid (the (grid, status) index);
- point: a resident pinned it on the map, no grid (a latitude/longitude box;
  measured without and with the partial index of migration 0006, `case_open_point`,
  which this script drops and makes again in each run);
- address: neither, only an address naming an estate: the query as it is now,
  through the bigram index on open cases' addresses (migration cases/0007,
  `case_open_address_bigrams`), and, in the same run, without it (the LIKE alone
  over the recent window of the registered_at index, as before the index).

Baseline in the same run: fetching one case by primary key through the ORM.

    .venv/bin/python bench/duplicates_bench.py --cases 1000000 --probes 300 --runs 3

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/lianxin_bench_dup. The
database is kept: a second run with the same --cases reuses its cases (the build
takes minutes); --rebuild builds them again.
"""

import argparse
import datetime as dt
import importlib
import random
import statistics
import time

import common

common.configure("lianxin_bench_dup")

STREETS, COMMUNITIES, GRIDS = 10, 10, 10  # per parent: 1,000 grids
CENTRE = (36.07, 120.38)
_PREFIXES_TEXT = (
    "福临 海岚 青峰 金沙 银杉 东湖 西城 南山 北岭 翠竹 丽景 锦绣 春华 秋实 阳光 "
    "和平 幸福 康乐 安泰 祥和 龙华 凤凰 明珠 星河 碧水 云台 松林 梧桐 桃源 柳岸"
)
PREFIXES = _PREFIXES_TEXT.split()
SUFFIXES = ["小区", "花园", "家园", "新村", "苑", "公寓"]
PROBLEMS = [
    ("号楼门口路灯不亮", "门口的路灯坏了一个多星期，晚上老人出门看不清路。"),
    ("号楼前垃圾无人清运", "垃圾桶满了好几天没人清理，气味难闻，苍蝇很多。"),
    ("号楼下水道堵塞反味", "下水道堵了，污水漫到路面上，臭味很大。"),
    ("号楼旁工地夜间施工噪音扰民", "工地每天晚上施工到凌晨，噪音太大睡不着觉。"),
    ("号楼电梯经常故障", "电梯三天两头坏，老人上下楼很困难，物业不管。"),
    ("号楼门前路面破损积水", "路面坑洼不平，下雨天积水很深，行人车辆通行困难。"),
    ("号楼附近井盖缺失", "井盖丢了只用木板盖着，晚上很危险。"),
    ("号楼底商油烟扰民", "楼下饭店油烟直排，家里窗户都不敢开。"),
    ("号楼楼顶漏水", "顶楼下雨就漏水，墙皮都泡掉了，找物业多次没人修。"),
    ("号楼门口占道经营", "门口摆摊的越来越多，堵住了消防通道。"),
    ("号楼供暖不热", "家里暖气温度只有十几度，老人孩子受不了。"),
    ("号楼停车位被长期占用", "小区车位被僵尸车长期占用，业主没地方停车。"),
]
OPEN = ("registered", "dispatched", "in_progress", "replied")


def build_units():
    from lianxin.orgs.models import Unit

    if Unit.objects.filter(code="bench-district").exists():
        return
    K = Unit.Kind
    district = Unit.objects.create(kind=K.DISTRICT, code="bench-district", name="基准区")
    for s in range(STREETS):
        street = Unit.objects.create(
            kind=K.STREET, code=f"bs{s}", name=f"第{s + 1}街道", parent=district
        )
        for c in range(COMMUNITIES):
            community = Unit.objects.create(
                kind=K.COMMUNITY, code=f"bc{s}-{c}", name=f"第{s + 1}-{c + 1}社区", parent=street
            )
            Unit.objects.bulk_create(
                Unit(
                    kind=K.GRID,
                    code=f"bg{s}-{c}-{g}",
                    name=f"第{g + 1}网格",
                    parent=community,
                    latitude=CENTRE[0] + (s * 10 + c) * 0.004,
                    longitude=CENTRE[1] + g * 0.004,
                )
                for g in range(GRIDS)
            )


ADDRESS_INDEX = importlib.import_module(
    "lianxin.cases.migrations.0007_open_case_address_bigrams"
).ADDRESS_INDEX


def fill_cases(n: int, now: dt.datetime, rebuild: bool = False) -> None:
    """n cases over three years, newest now; recent ones mostly open, old ones closed.
    Cases already there in the right number are kept (with the address index made
    if it is missing)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM cases_case")
        if cur.fetchone()[0] == n and not rebuild:
            cur.execute(ADDRESS_INDEX)
            return
        cur.execute("TRUNCATE cases_case CASCADE")
        # The search index (another feature's) is not what this measures and triples the load.
        cur.execute("DROP INDEX IF EXISTS case_text_bigrams")
        # The address index is made after the load, and timed: what migration 0007 costs
        # on a district that already holds this many cases.
        cur.execute("DROP INDEX IF EXISTS case_open_address_bigrams")
        cur.execute(
            "SELECT g.id, g.parent_id, c.parent_id, g.latitude, g.longitude FROM orgs_unit g "
            "JOIN orgs_unit c ON c.id = g.parent_id WHERE g.kind = 'grid' ORDER BY g.id"
        )
        grids = cur.fetchall()
        cur.execute("CREATE TEMP TABLE bench_grid (n int, id int, community int, street int, "
                    "lat numeric, lon numeric)")  # fmt: skip
        cur.executemany(
            "INSERT INTO bench_grid VALUES (%s, %s, %s, %s, %s, %s)",
            [(i, *row) for i, row in enumerate(grids)],
        )
        prefixes = "ARRAY[" + ",".join(f"'{p}'" for p in PREFIXES) + "]"
        suffixes = "ARRAY[" + ",".join(f"'{p}'" for p in SUFFIXES) + "]"
        titles = "ARRAY[" + ",".join(f"'{t}'" for t, _ in PROBLEMS) + "]"
        texts = "ARRAY[" + ",".join(f"'{t}'" for _, t in PROBLEMS) + "]"
        open_statuses = "ARRAY[" + ",".join(f"'{s}'" for s in OPEN) + "]"
        span = 3 * 365 * 86400
        # Each grid has three estates; a case's estate, building and problem come from
        # hashes of its number, so that the same problem recurs at the same place.
        # Only this script's constants are formatted into the SQL.
        sql = f"""
            INSERT INTO cases_case (
                tracking_number, channel, resident_name, resident_phone, anonymous, address,
                street_id, community_id, grid_id, building, latitude, longitude, title, text,
                urgency, status, open_for_claim, escalated, reopen_count, registered_at,
                reply_due_at, resolve_due_at, reply_text, resolution_note,
                constrained_explanation, satisfaction, support_count, exemplary, exemplary_note)
            SELECT
                'B' || lpad(i::text, 9, '0'), 'patrol', '', '', false,
                est || bld || '号楼', g.street, g.community, g.id, bld || '号楼',
                round(g.lat + (mod(i * 7919, 600) - 300) / 111000.0, 6),
                round(g.lon + (mod(i * 104729, 600) - 300) / 90000.0, 6),
                est || bld || ({titles})[1 + p], est || bld || '号楼' || ({texts})[1 + p],
                'normal',
                CASE WHEN age < 60 * 86400 AND mod(i, 5) <> 0 THEN ({open_statuses})[1 + mod(i, 4)]
                     WHEN age < 60 * 86400 THEN 'closed'
                     WHEN mod(i, 50) = 0 THEN 'constrained' ELSE 'closed' END,
                false, false, 0, ts, ts + interval '9 days', ts + interval '21 days',
                '', '', '', '', 0, false, ''
            FROM (
                SELECT i, age, %s::timestamptz - make_interval(secs => age) AS ts,
                       mod(i::bigint * 2654435761, {len(grids)}) AS gn,
                       mod(i * 40503, 3) AS e,
                       (1 + mod(i * 7, 30))::text AS bld,
                       mod(i * 31, {len(PROBLEMS)}) AS p
                FROM (SELECT i, ((i::bigint * {span}) / %s) AS age
                      FROM generate_series(1::bigint, %s) AS i) AS s
            ) AS x
            JOIN bench_grid g ON g.n = x.gn
            CROSS JOIN LATERAL (
                SELECT ({prefixes})[1 + mod(g.n * 3 + x.e, {len(PREFIXES)})]
                       || ({suffixes})[1 + mod(g.n + x.e, {len(SUFFIXES)})] AS est
            ) AS e
            """  # noqa: S608
        cur.execute(sql, [now, n, n])
        start = time.perf_counter()
        cur.execute(ADDRESS_INDEX)
        print(
            f"case_open_address_bigrams (migration 0007) built in {time.perf_counter() - start:.1f} s"
        )
        cur.execute("ANALYZE cases_case")


def probes(count: int, now: dt.datetime, rng: random.Random) -> list:
    """New registrations: most repeat an open case's problem at its place, some are new."""
    from lianxin.cases.models import Case
    from lianxin.intel.nearby import Probe

    recent = list(
        Case.objects.filter(registered_at__gte=now - dt.timedelta(days=30), status__in=OPEN)
        .order_by("?")
        .values("title", "address", "grid_id", "community_id", "latitude", "longitude")[:count]
    )
    found = []
    for row in recent:
        repeat = rng.random() < 0.7
        title = row["title"] if repeat else row["address"] + rng.choice(PROBLEMS)[0][-6:]
        found.append(
            Probe(
                title=title,
                text=title + "，希望尽快处理。",
                address=row["address"],
                at=now,
                latitude=row["latitude"],
                longitude=row["longitude"],
                grid_id=row["grid_id"],
                community_id=row["community_id"],
            )
        )
    return found


def timed(fn, items, before=None) -> tuple[list[float], list]:
    times, results = [], []
    for item in items:
        if before is not None:
            before()  # not timed
        start = time.perf_counter()
        results.append(fn(item))
        times.append((time.perf_counter() - start) * 1000)
    return times, results


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--probes", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true", help="build the cases again")
    args = parser.parse_args()

    common.setup()
    from dataclasses import replace
    from unittest import mock

    from django.db import connection
    from django.utils import timezone

    from lianxin.cases.models import Case
    from lianxin.intel import nearby

    now = timezone.now().replace(microsecond=0)
    build_units()
    start = time.perf_counter()
    fill_cases(args.cases, now, args.rebuild)
    print(f"data: {Case.objects.count()} cases, built in {time.perf_counter() - start:.0f} s")
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM cases_case WHERE status = ANY(%s)", [list(OPEN)])
        print(f"open: {cur.fetchone()[0]}")
    print(common.machine())
    rng = random.Random(5)
    base = probes(args.probes, now, rng)
    ways = {
        "grid": base,
        "point": [replace(p, grid_id=None, community_id=None) for p in base],
        "address": [
            replace(p, grid_id=None, community_id=None, latitude=None, longitude=None) for p in base
        ],
    }
    pks = list(Case.objects.order_by("?").values_list("pk", flat=True)[: args.probes])
    nearby.find(base[0])  # load jieba's dictionary once, as a web worker would at start

    def by_pk(pk):
        return Case.objects.filter(pk=pk).values_list("pk", flat=True).first()

    def lookup(probe):
        return nearby.find(probe)

    from lianxin.intel.places import extract_places

    # Cold: the place-name cache emptied before each probe, so every candidate's text is
    # segmented again (a worker just started). Warm: the cache kept, as in a running
    # worker, where the same open cases are candidates for many new reports.
    names = ["grid", "point", "point+index", "address-noindex", "address"]
    keys = ["pk", *(f"{n} {t}" for n in names for t in ("cold", "warm"))]
    results: dict[str, list] = {k: [] for k in keys}
    found_share: dict[str, float] = {}

    def measure(name, items):
        for temperature, before in (("cold", extract_places.cache_clear), ("warm", None)):
            extract_places.cache_clear()
            times, res = timed(lookup, items, before)
            results[f"{name} {temperature}"].append(times)
            found_share[name] = sum(1 for r in res if r) / len(res)

    for run in range(args.runs):
        with connection.cursor() as cur:
            # The point index of migration 0006, dropped for the "point" rows.
            cur.execute("DROP INDEX IF EXISTS case_open_point")
        results["pk"].append(timed(by_pk, pks)[0])
        measure("grid", ways["grid"])
        measure("point", ways["point"])
        # The address way as before migration 0007 (the same query less its index
        # condition), then as it is, one after the other.
        with mock.patch.object(nearby, "address_index_filter", lambda names: None):
            measure("address-noindex", ways["address"])
        measure("address", ways["address"])
        with connection.cursor() as cur:
            cur.execute(
                "CREATE INDEX case_open_point ON cases_case (latitude, longitude) "
                "WHERE status IN ('registered','dispatched','returned','in_progress',"
                "'replied','constrained') AND latitude IS NOT NULL"
            )
            cur.execute("ANALYZE cases_case")
        measure("point+index", ways["point"])
        print(
            f"run {run + 1}: "
            + ", ".join(
                f"{k} median {statistics.median(v[-1]):.2f} ms p95 {p95(v[-1]):.2f} ms"
                for k, v in results.items()
            )
        )
    base_median = statistics.median(statistics.median(r) for r in results["pk"])
    print(f"baseline: one case by primary key, median {base_median:.2f} ms")
    for key in keys[1:]:
        medians = [statistics.median(r) for r in results[key]]
        p95s = [p95(r) for r in results[key]]
        print(
            f"{key}: median of run medians {statistics.median(medians):.2f} ms, "
            f"p95 {statistics.median(p95s):.2f} ms, "
            f"{found_share[key.split()[0]]:.0%} of probes found a duplicate, "
            f"ratio to baseline {statistics.median(medians) / base_median:.1f}"
        )
    with connection.cursor() as cur:
        probe = base[0]
        shown = (("grid", probe), ("point", ways["point"][0]), ("address", ways["address"][0]))
        for name, p in shown:
            sql, params = nearby.candidate_queryset(p).query.sql_with_params()
            cur.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params)
            print(f"plan ({name}):")
            for (line,) in cur.fetchall():
                print("   ", line)
        with mock.patch.object(nearby, "address_index_filter", lambda names: None):
            sql, params = nearby.candidate_queryset(ways["address"][0]).query.sql_with_params()
        cur.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params)
        print("plan (address, without the index condition):")
        for (line,) in cur.fetchall():
            print("   ", line)


if __name__ == "__main__":
    main()
