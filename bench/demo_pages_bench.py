"""Every staff page of the demo district on the embedded default (SQLite), as each role.

The demo is what a newcomer runs first (`make demo`): SQLite, ~3,000 cases over six
months, the registers of a small district. Each page must answer within 300 ms at the
median. The script builds the demo into a SQLite file of its own (`migrate`, then
`load_demo`, which leaves the figures' tally compacted), or measures one already built
(`--reuse`). It signs in as each demo role (the logins `demo_logins` prints), opens every
staff page once to warm it and to check it answers 200, then times it `--runs` times in
one process through Django's test client (server time: no network, no browser), beside
the login page as the same-run baseline. Prints median and p95 per page, and marks the
pages over the target.

    .venv/bin/python bench/demo_pages_bench.py [--db var/bench-demo.sqlite3] [--runs 9] [--reuse]

Needs no PostgreSQL and no shared data.
"""

import argparse
import os
import statistics
import subprocess
import time
from pathlib import Path

import common

ROOT = common.ROOT
TARGET_MS = 300
# A page this slow on its first (warming) request is timed once, not `--runs` times.
SLOW_MS = 5000
# The demo's logins, one per role (lianxin/demo/management/commands/demo_logins.py).
ROLES = [
    ("dispatcher", "office"),
    ("leader", "leader"),
    ("department handler", "cgj"),
    ("department head", "cgj-head"),
    ("street staff", "st-wangchao"),
    ("community staff", "cm-wangchao-fulin"),
    ("grid worker", "cm-wangchao-fulin-g1"),
]
PAGES = [
    ("inbox", "/"),
    ("case list", "/cases/"),
    ("case list, overdue", "/cases/?deadline=overdue"),
    ("case list, search 路灯", "/cases/?q=路灯"),
    ("case page", "/cases/{case}/"),
    ("intake", "/intake/"),
    ("return visits", "/return-visits/"),
    ("figures", "/figures/"),
    ("figures, by grid", "/figures/?by=grid"),
    ("figures, drill-down", "/figures/cases/?metric=total"),
    ("visit coverage", "/figures/coverage/"),
    ("map", "/map/"),
    ("households", "/registry/"),
    ("pairs", "/registry/pairs/"),
    ("visits", "/visits/"),
    ("visit rounds", "/visits/rounds/"),
    ("topics", "/intel/topics/"),
    ("monthly brief", "/ledgers/brief/"),
    ("export jobs", "/ledgers/jobs/"),
]


def environment(db: Path) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db.resolve()}",
        "DATA_DIR": str(db.resolve().parent),
        "DEBUG": "0",
        "SECRET_KEY": "bench",
    }


def build(db: Path) -> None:
    db.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    env = environment(db)
    lianxin = str(ROOT / ".venv/bin/lianxin")
    subprocess.run([lianxin, "migrate", "-v0"], check=True, env=env)
    started = time.perf_counter()
    subprocess.run([lianxin, "load_demo"], check=True, env=env)
    print(f"built the demo in {time.perf_counter() - started:.0f} s", flush=True)


def measure(db: Path, runs: int) -> None:
    os.environ.update(environment(db))
    common.configure()
    common.setup(migrate=False)
    from django.test import Client

    from lianxin.accounts.models import User
    from lianxin.cases.models import Case
    from lianxin.figures.models import Tally

    print(common.machine())
    print(
        f"data: {Case.objects.count()} cases, {Tally.objects.count()} tally rows "
        f"({Tally.objects.filter(settled=False).count()} unsettled); load {common.load_average()}"
    )

    def timed(client: Client, url: str) -> tuple[list[float], list[float]]:
        """Wall time and this process's CPU time of each run, in ms. SQLite runs inside
        the process, so the CPU time is the page's whole work; on a machine shared with
        other jobs it is the steadier of the two (the wall time includes waiting)."""
        wall, cpu = [], []
        for _ in range(runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(url)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        return sorted(wall), sorted(cpu)

    anonymous = Client()
    anonymous.get("/login/")
    base = statistics.median(timed(anonymous, "/login/")[0])
    print(f"baseline, the login page: {base:.1f} ms")
    print("| role | page | median (ms) | p95 (ms) | CPU median (ms) | ÷ baseline | |")
    print("| --- | --- | ---: | ---: | ---: | ---: | --- |")
    slow = []
    for role, username in ROLES:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        case = Case.objects.visible_to(user).order_by("-registered_at").first()
        for label, pattern in PAGES:
            url = pattern.format(case=case.pk if case else 0)
            started, started_cpu = time.perf_counter(), time.process_time()
            status = client.get(url).status_code  # warm, and check it answers
            if status != 200:
                print(f"| {role} | {label} | — | — | — | — | answers {status} |")
                continue
            first = (time.perf_counter() - started) * 1000
            if first > SLOW_MS:  # far over: one sample says enough
                cpu_ms = (time.process_time() - started_cpu) * 1000
                slow.append((role, label, first))
                print(
                    f"| {role} | {label} | {first:.0f} (one run) | — | {cpu_ms:.0f} "
                    f"| {first / base:.0f} | **over {TARGET_MS} ms** |"
                )
                continue
            samples, cpu = timed(client, url)
            median, p95 = statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]
            over = median > TARGET_MS
            if over:
                slow.append((role, label, median))
            mark = f"**over {TARGET_MS} ms**" if over else ""
            print(
                f"| {role} | {label} | {median:.0f} | {p95:.0f} | {statistics.median(cpu):.0f} "
                f"| {median / base:.0f} | {mark} |"
            )
    print(f"load after: {common.load_average()}")
    if slow:
        print(f"{len(slow)} pages over {TARGET_MS} ms at the median:")
        for role, label, median in slow:
            print(f"  {role}: {label} {median:.0f} ms")
    else:
        print(f"every page under {TARGET_MS} ms at the median")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, default=ROOT / "var" / "bench-demo.sqlite3")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--reuse", action="store_true", help="measure the demo already built")
    args = parser.parse_args()
    if not args.reuse:
        build(args.db)
    measure(args.db, args.runs)


if __name__ == "__main__":
    main()
