"""The coverage page and one pair's worklist over a large register, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python \
        bench/coverage_bench.py [--households 200000] [--runs 30]

Builds its own register in that database when it has no households yet (migrates first):
10 streets, 40 communities, 200 grids, `--households` households in pairs of 25 (with
two cadres each), 40 片区 with their departments, two rounds (one closed with 98% visited,
one open with 60%) and 重点访 for a tenth of the households. Then times, in-process with
Django's test client (server time, no network), the coverage page for the office (whole
district, by community, street, department and 片区), for a community (by pair), the
list of one pair's households not yet visited, and one pair's worklist as its cadre
sees it, beside the trivial /login/ view and the same figures counted from the
households without the coverage tally (`from_tally=False`) in the same run. Prints
median and p95. Then records `--visits` visits through `do_record_visit`, alternating
blocks with the coverage tally's part of the action and without it (patched out), and
checks the tally against a recount (`coverage_tally.differences`).

The register is written with bulk_create, so its coverage tally is rebuilt once after
building (and whenever the table is empty, e.g. after its migration).
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianxin.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Exists, OuterRef  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from lianxin.accounts.models import Membership, Role, User  # noqa: E402
from lianxin.figures import coverage  # noqa: E402
from lianxin.orgs.models import Unit  # noqa: E402
from lianxin.registry import actions, coverage_tally  # noqa: E402
from lianxin.registry.access import households_visible_to  # noqa: E402
from lianxin.registry.models import (  # noqa: E402
    Attachment,
    Cadre,
    CoverageTally,
    Household,
    Pair,
    PairMember,
    Round,
    Visit,
    VisitDue,
    Zone,
)

BATCH = 5000
PER_PAIR = 25


def build(households: int) -> None:
    rng = random.Random(14)
    now = timezone.now()
    K = Unit.Kind
    with transaction.atomic():
        district = Unit.objects.create(kind=K.DISTRICT, code="d", name="基准区")
        office = Unit.objects.create(kind=K.OFFICE, code="o", name="办公室", parent=district)
        depts = [
            Unit.objects.create(kind=K.DEPARTMENT, code=f"dp{i}", name=f"部门{i}", parent=district)
            for i in range(20)
        ]
        grids = []
        for s in range(10):
            street = Unit.objects.create(
                kind=K.STREET, code=f"s{s}", name=f"街道{s}", parent=district
            )
            for c in range(4):
                community = Unit.objects.create(
                    kind=K.COMMUNITY, code=f"s{s}c{c}", name=f"社区{s}-{c}", parent=street
                )
                for g in range(5):
                    grids.append(
                        Unit.objects.create(
                            kind=K.GRID,
                            code=f"s{s}c{c}g{g}",
                            name=f"网格{s}-{c}-{g}",
                            parent=community,
                        )
                    )
        for z in range(40):
            zone = Zone.objects.create(name=f"片区{z}", street=grids[z * 5].parent.parent)
            zone.grids.set(grids[z * 5 : z * 5 + 5])
            Attachment.objects.create(
                kind=Attachment.Kind.DEPARTMENT_ZONE, department=depts[z % 20], zone=zone
            )
        users = {
            "office": (Role.DISPATCHER, office),
            "community": (Role.COMMUNITY_STAFF, grids[0].parent),
            "dept": (Role.DEPT_HANDLER, depts[0]),
        }
        for name, (role, unit) in users.items():
            user = User.objects.create_user(username=f"bench-{name}", password="x")
            Membership.objects.create(user=user, unit=unit, role=role)
        cadre_user = User.objects.create_user(username="bench-cadre", password="x")

    per_grid = households // len(grids)
    pairs_per_grid = max(1, per_grid // PER_PAIR)
    cadres = Cadre.objects.bulk_create(
        [
            Cadre(name=f"干部{i}", employer=g.parent)
            for g in grids
            for i in range(2 * pairs_per_grid)
        ],
        batch_size=BATCH,
    )
    cadres[0].user = cadre_user
    cadres[0].save()
    pairs = Pair.objects.bulk_create(
        [
            Pair(code=f"{g.code}-{p}", community=g.parent)
            for g in grids
            for p in range(pairs_per_grid)
        ],
        batch_size=BATCH,
    )
    since = dt.date(2025, 1, 1)
    PairMember.objects.bulk_create(
        [
            PairMember(pair=p, cadre=cadres[2 * i + j], since=since)
            for i, p in enumerate(pairs)
            for j in (0, 1)
        ],
        batch_size=BATCH,
    )
    rows = []
    for gi, grid in enumerate(grids):
        for n in range(per_grid):
            pair = pairs[gi * pairs_per_grid + min(n // PER_PAIR, pairs_per_grid - 1)]
            rows.append(
                Household(
                    community=grid.parent,
                    grid=grid,
                    pair=pair,
                    address=f"{grid.name}{n}号",
                    address_key=f"{grid.code}-{n}",
                    head_name="户主",
                    phone=f"138{rng.randrange(10**8):08d}",
                    created_at=now,
                    updated_at=now,
                )
            )
    made = Household.objects.bulk_create(rows, batch_size=BATCH)
    del rows
    recorder = User.objects.get(username="bench-office")
    for number, share, ago, status in ((1, 0.98, 120, "closed"), (2, 0.6, 20, "open")):
        start = now - dt.timedelta(days=ago)
        round_ = Round.objects.create(
            number=number,
            title=f"第{number}轮",
            status=status,
            starts_on=start.date(),
            ends_on=(start + dt.timedelta(days=45)).date(),
            opened_at=start,
        )
        visits, dues = [], []
        for h in made:
            if rng.random() < share:
                at = start + dt.timedelta(hours=rng.randint(1, 19 * 24))
                visits.append(
                    Visit(
                        round=round_,
                        household_id=h.pk,
                        pair_id=h.pair_id,
                        visited_at=at,
                        method="in_person",
                        met=rng.random() < 0.9,
                        recorded_by=recorder,
                        recorded_at=at,
                    )
                )
                if rng.random() < 0.1:
                    dues.append((h.pk, visits[-1]))
        Visit.objects.bulk_create(visits, batch_size=BATCH)
        VisitDue.objects.bulk_create(
            [
                VisitDue(
                    kind="priority",
                    household_id=pk,
                    round=round_,
                    opened_at=start,
                    due_at=start + dt.timedelta(days=7),
                    visit=v,
                )
                for pk, v in dues
            ],
            batch_size=BATCH,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(fn, runs: int) -> tuple[float, float]:
    fn()  # warm
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def page(client, url):
    def get():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    return get


def worklist(user, pair, round_):
    """One pair's households with whether this round has visited each: the rows a
    cadre's worklist shows (the page itself is the visits branch's)."""

    def run():
        return list(
            households_visible_to(user)
            .filter(pair=pair, active=True)
            .annotate(visited=Exists(Visit.objects.filter(round=round_, household=OuterRef("pk"))))
            .order_by("address_key")
        )

    return run


def record_visits(office, round_, households: list[int], blocks: int) -> dict[str, list[float]]:
    """ms per do_record_visit, with the coverage tally's part and without it, in
    alternating blocks (so that the machine's load falls on both alike)."""
    untallied = {
        "before_visit": lambda household_id, round_: coverage_tally.Earlier(None, False, False),
        "visit_recorded": lambda visit, earlier, fulfilled: None,
    }
    kept = {name: getattr(coverage_tally, name) for name in untallied}
    times: dict[str, list[float]] = {"with the tally": [], "without": []}
    skipped = []
    per_block = len(households) // (2 * blocks)
    todo = iter(Household.objects.filter(pk__in=households).order_by("pk"))
    for block in range(2 * blocks):
        mode = "with the tally" if block % 2 == 0 else "without"
        if mode == "without":
            for name, fn in untallied.items():
                setattr(coverage_tally, name, fn)
        try:
            for _ in range(per_block):
                household = next(todo)
                start = time.perf_counter()
                visit = actions.do_record_visit(
                    household,
                    actor=office,
                    round=round_,
                    visited_at=timezone.now() - dt.timedelta(hours=1),
                    method="in_person",
                    met=True,
                )
                times[mode].append((time.perf_counter() - start) * 1000)
                if mode == "without":
                    skipped.append(visit)
        finally:
            for name, fn in kept.items():
                setattr(coverage_tally, name, fn)
    # Count the untallied visits now (first visits of unvisited households, no dues), so
    # that the check below still holds the whole tally against a recount.
    for visit in skipped:
        with transaction.atomic():
            earlier = coverage_tally.before_visit(visit.household_id, round_)
            coverage_tally.visit_recorded(
                visit, coverage_tally.Earlier(earlier.cell, False, False), fulfilled=[]
            )
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--visits", type=int, default=400)
    args = parser.parse_args()
    assert connection.vendor == "postgresql", "set DATABASE_URL to a PostgreSQL database"
    call_command("migrate", verbosity=0)
    if not Household.objects.exists():
        started = time.monotonic()
        build(args.households)
        print(f"built in {time.monotonic() - started:.0f} s")
    if not CoverageTally.objects.exists():
        started = time.monotonic()
        rows = coverage_tally.rebuild()
        print(f"coverage tally rebuilt in {time.monotonic() - started:.1f} s ({rows} rows)")
    round_ = Round.objects.get(status="open")
    print(
        f"{Household.objects.count()} households, {Pair.objects.count()} pairs, "
        f"{Visit.objects.count()} visits, {VisitDue.objects.count()} dues; PostgreSQL "
        f"{connection.cursor().connection.info.server_version}"
    )
    clients = {}
    for name in ("office", "community", "dept", "cadre"):
        clients[name] = Client()
        clients[name].force_login(User.objects.get(username=f"bench-{name}"))
    cadre = User.objects.get(username="bench-cadre")
    office = User.objects.get(username="bench-office")
    pair = Pair.objects.get(memberships__cadre__user=cadre)
    base = f"/figures/coverage/?round={round_.pk}"
    listed = f"/figures/coverage/households/?round={round_.pk}&by=pair&key={pair.pk}"
    cases = [
        ("/login/ (trivial view)", page(clients["office"], "/login/")),
        (
            "coverage, office, by community (40 rows)",
            page(clients["office"], base + "&by=community"),
        ),
        ("coverage, office, by street (10)", page(clients["office"], base + "&by=street")),
        ("coverage, office, by department (20)", page(clients["office"], base + "&by=department")),
        ("coverage, office, by 片区 (40)", page(clients["office"], base + "&by=zone")),
        ("coverage, community, by pair (200)", page(clients["community"], base + "&by=pair")),
        ("coverage, department, by grid", page(clients["dept"], base + "&by=grid")),
        (
            "a pair's not-visited list, office",
            page(clients["office"], listed + "&measure=not_visited"),
        ),
        (
            "a pair's households list, its cadre (phones logged)",
            page(clients["cadre"], listed + "&measure=households"),
        ),
        ("one pair's worklist query, its cadre", worklist(cadre, pair, round_)),
        (
            "coverage.summary, office (no page)",
            lambda: coverage.summary(User.objects.get(username="bench-office"), round_),
        ),
        (
            "by community, office, from the tally (no page)",
            lambda: coverage.breakdown_and_total(office, round_, "community"),
        ),
        (
            "by community, office, counted without the tally",
            lambda: coverage.breakdown_and_total(office, round_, "community", from_tally=False),
        ),
        (
            "by pair, community, counted without the tally",
            lambda: coverage.breakdown_and_total(
                User.objects.get(username="bench-community"), round_, "pair", from_tally=False
            ),
        ),
    ]
    print(f"load average at the start: {os.getloadavg()[0]:.1f}")
    print(f"\n{'what':55s} {'median':>9s} {'p95':>9s}")
    for label, fn in cases:
        median, p95 = timed(fn, args.runs)
        print(f"{label:55s} {median:7.1f} ms {p95:7.1f} ms")
    if args.visits:
        unvisited = list(
            Household.objects.filter(active=True)
            .exclude(Exists(Visit.objects.filter(round=round_, household=OuterRef("pk"))))
            .order_by("?")
            .values_list("pk", flat=True)[: args.visits]
        )
        times = record_visits(office, round_, unvisited, blocks=4)
        for mode, found in times.items():
            found.sort()
            p95 = found[min(len(found) - 1, round(0.95 * (len(found) - 1)))]
            print(
                f"{'do_record_visit, ' + mode:55s} {statistics.median(found):7.1f} ms "
                f"{p95:7.1f} ms  ({len(found)} visits)"
            )
        started = time.monotonic()
        found_differences = coverage_tally.differences()
        print(
            f"tally check: {len(found_differences)} differences "
            f"({time.monotonic() - started:.1f} s)"
        )
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
