"""Importing households into the registers on PostgreSQL, as the import page's job does.

Each run, on an emptied register:
1. the job: a list of N households (one row each, two members in 家庭成员, one tag) is
   stored with a `RegistryImportJob` and run by `run_import_job` (read the sheet, check
   each row, `do_save_households` a chunk at a time, refused rows and checkpoint with
   each chunk), as the Huey consumer runs it;
2. the same file again as a second job: every household there already, nothing written;
3. same-run baselines: the same households, residents, tag links and events written with
   plain `bulk_create` from values parsed in advance (no sheet, no checks, no lookups:
   what the writing alone costs), and the first S rows of a fresh list imported a
   household at a time (`HOUSEHOLD_CHUNK_ROWS = 1`: what saving each household on its own,
   as `do_save_household` does, costs).

Usage (a database of its own, created if missing; the list is built once in a temp dir):

    .venv/bin/python bench/registry_import_bench.py --households 200000 --runs 3

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/lianxin_bench_registry.
"""

import argparse
import json
import os
import resource
import statistics
import tempfile
import threading
import time
from pathlib import Path
from unittest.mock import patch

import common

common.configure("lianxin_bench_registry")
os.environ.setdefault("DATA_DIR", str(Path(tempfile.gettempdir()) / "lianxin-registry-bench"))

HEADERS = ["社区", "网格", "地址", "户主", "电话", "人口", "家庭成员"]


def setup():
    common.setup()
    import random

    from lianxin.demo.district import build_district
    from lianxin.orgs.models import Unit

    if not Unit.objects.exists():
        build_district(random.Random(1))


def places() -> list[tuple[str, str]]:
    """(community code, grid code) of every grid in the district."""
    from lianxin.orgs.models import Unit

    grids = Unit.objects.filter(kind=Unit.Kind.GRID, active=True).select_related("parent")
    return [(g.parent.code, g.code) for g in grids.order_by("code")]


def row(i: int, where: list[tuple[str, str]], prefix: str) -> list:
    community, grid = where[i % len(where)]
    head, spouse = f"户主{i}", f"配偶{i}"
    return [
        community,
        grid,
        f"{prefix}{i // 120 + 1}号楼{i % 6 + 1}单元{i}室",
        head,
        f"138{i:08d}",
        2,
        f"{head}（户主，{1940 + i % 50}，低保）；{spouse}（配偶，{1942 + i % 50}）",
    ]


def write_list(path: Path, n: int, prefix: str) -> Path:
    from openpyxl import Workbook

    if path.exists():
        return path
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("住户")
    sheet.append(HEADERS)
    where = places()
    for i in range(n):
        sheet.append(row(i, where, prefix))
    workbook.save(path)
    return path


class Analyzer(threading.Thread):
    """ANALYZE the register's tables every few seconds while a run writes them.

    The benchmark server runs with autovacuum off. In production autovacuum analyses a
    table once it grew by 10 %, and that also makes PostgreSQL re-plan the foreign-key
    checks it caches per connection. Without it the checks keep the plan made while the
    tables were empty (a sequential scan), and each chunk's commit scans the whole table:
    the import slows down as the register fills (26,000 households in 10 minutes)."""

    TABLES = "registry_household, registry_resident, registry_resident_tags"

    def __init__(self, every: float = 10.0):
        super().__init__(daemon=True)
        self.every, self.stopped = every, threading.Event()

    def run(self):
        import psycopg

        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
            while not self.stopped.wait(self.every):
                conn.execute(f"ANALYZE {self.TABLES}")

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.join()


def empty_register() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE registry_registryevent, registry_resident_tags, registry_resident, "
            "registry_household, registry_registryimportrow, registry_registryimportjob "
            "RESTART IDENTITY CASCADE"
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


class Upload:
    """A file on disk as an upload (name, size, chunks)."""

    def __init__(self, path: Path):
        self.path, self.name, self.size = path, path.name, path.stat().st_size
        self._handle = path.open("rb")

    def __getattr__(self, name):
        return getattr(self._handle, name)

    def chunks(self, size=64 * 1024):
        self._handle.seek(0)
        while block := self._handle.read(size):
            yield block


def as_job(path: Path, actor) -> tuple[float, dict]:
    from lianxin.registry.import_jobs import run_import_job, start_import_job

    job, _new = start_import_job(actor, "households", Upload(path))
    started = time.perf_counter()
    job = run_import_job(job.pk)
    took = time.perf_counter() - started
    assert job.status == "done", job.error
    return took, job.summary()


def bulk_baseline(n: int, actor) -> float:
    """The same rows written with plain bulk_create, values parsed in advance."""
    from django.db import transaction
    from django.utils import timezone

    from lianxin.orgs.models import Unit
    from lianxin.registry.addresses import address_key
    from lianxin.registry.models import Household, RegistryEvent, Resident, Tag

    units = {u.code: u.pk for u in Unit.objects.filter(kind__in=["community", "grid"])}
    dibao = Tag.objects.get(name="低保").pk
    where = places()
    rows = [row(i, where, "基线苑") for i in range(n)]
    now = timezone.now()
    Through = Resident.tags.through
    started = time.perf_counter()
    for first in range(0, n, 250):
        with transaction.atomic():
            chunk = rows[first : first + 250]
            households = [
                Household(
                    community_id=units[r[0]], grid_id=units[r[1]], address=r[2],
                    address_key=address_key(r[2]), head_name=r[3], phone=r[4], member_count=2,
                    created_at=now, updated_at=now,
                )
                for r in chunk
            ]  # fmt: skip
            Household.objects.bulk_create(households)
            residents = []
            for h in households:
                residents.append(Resident(household=h, name=h.head_name, relation="head"))
                residents.append(Resident(household=h, name="配偶", relation="spouse"))
            Resident.objects.bulk_create(residents)
            Through.objects.bulk_create(
                Through(resident_id=r.pk, tag_id=dibao) for r in residents[::2]
            )
            RegistryEvent.objects.bulk_create(
                RegistryEvent(code="registry.household.created", actor=actor, at=now, household=h)
                for h in households
            )
    return time.perf_counter() - started


def one_at_a_time(path: Path, actor) -> float:
    from lianxin.registry import imports

    with patch.object(imports, "HOUSEHOLD_CHUNK_ROWS", 1):
        return as_job(path, actor)[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=200000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sample", type=int, default=2000, help="rows saved one at a time")
    args = parser.parse_args()
    setup()
    from lianxin.accounts.models import User

    actor = User.objects.get(username="office")
    folder = Path(tempfile.gettempdir()) / "lianxin-registry-bench"
    folder.mkdir(exist_ok=True)
    n = args.households
    big = write_list(folder / f"households-{n}.xlsx", n, "测试苑")
    small = write_list(folder / f"sample-{args.sample}.xlsx", args.sample, "样本苑")
    print(common.machine())
    print(f"list: {n} households, {big.stat().st_size / 1e6:.1f} MB; sample {args.sample}")
    results: dict[str, list[float]] = {"job": [], "again": [], "bulk": [], "one": []}
    for run in range(args.runs):
        empty_register()
        with Analyzer():
            took, summary = as_job(big, actor)
            assert summary["created"] == n, summary
            results["job"].append(n / took)
            took, summary = as_job(big, actor)
            assert summary["unchanged"] == n, summary
            results["again"].append(n / took)
            empty_register()
            results["bulk"].append(n / bulk_baseline(n, actor))
            empty_register()
            results["one"].append(args.sample / one_at_a_time(small, actor))
        print(
            f"run {run + 1}: "
            + ", ".join(f"{k} {v[-1]:,.0f} rows/s" for k, v in results.items())
            + f"; load {common.load_average()}",
            flush=True,
        )
    medians = {k: round(statistics.median(v)) for k, v in results.items()}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"peak memory of the process: {peak} MB")
    print(json.dumps({"households": n, "runs": args.runs, "median_rows_per_s": medians}))


if __name__ == "__main__":
    main()
