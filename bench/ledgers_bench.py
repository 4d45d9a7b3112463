"""Benchmarks of the ledgers on PostgreSQL: exporting cases and importing a forwarded list.

1. Exporting N cases (the whole case list, as the office sees it) to .xlsx and to CSV,
   each in a fresh process so that its peak memory (ru_maxrss) is its own; beside the
   same queryset walked in the same chunks with nothing written (the database and ORM's
   share of the time and memory).
2. Importing a forwarded list of M rows as the page's job does (`inspect_list`, then
   `run_import_job`: each row checked and registered by `do_register_case`, a chunk of
   rows per transaction), beside M plain `do_register_case` calls of the same rows, one
   transaction each (the workflow's own cost, as the intake page pays it); and importing
   the same file again (every row already imported, nothing registered).

Usage (a database of its own, created if missing):

    .venv/bin/python bench/ledgers_bench.py --cases 100000 --runs 3 --import-runs 0
    .venv/bin/python bench/ledgers_bench.py --skip-export --rows 10000 --import-runs 3

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/lianxin_bench_ledgers.
"""

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common

ROOT = common.ROOT
common.configure("lianxin_bench_ledgers")
# A private DATA_DIR: the jobs that case events queue (notifications, webhooks) go to a Huey
# SQLite file of this run's own, not the one a demo or another run is writing to.
os.environ.setdefault("DATA_DIR", str(Path(tempfile.gettempdir()) / "lianxin-ledgers-bench"))


def setup(migrate: bool = True):
    common.setup(migrate=migrate)
    if not migrate:  # a child process: the parent migrated the database already
        return
    import random

    from lianxin.demo.district import build_district
    from lianxin.orgs.models import Unit

    if not Unit.objects.exists():
        build_district(random.Random(1))


def office():
    from lianxin.accounts.models import User

    return User.objects.get(username="office")


def clear_cases() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE cases_caseevent, cases_casepart, cases_extensionrequest, cases_returnvisit,"
            " cases_casephoto, cases_casesupport, cases_case, cases_trackingcounter CASCADE"
        )


def fill_cases(n: int) -> None:
    """Benchmark fixture: n cases written with bulk_create (real cases only ever come from
    the actions; this is the export's input, nothing more). Model defaults apply, so the
    fixture follows the schema as it grows."""
    import datetime as dt

    from django.utils import timezone

    from lianxin.cases.models import Case, Category, Status
    from lianxin.orgs.models import Unit

    grids = list(Unit.objects.filter(kind="grid").select_related("parent"))
    units = list(Unit.objects.handling().filter(kind="department"))
    categories = list(Category.objects.filter(parent__isnull=False))
    statuses = [Status.REGISTERED, Status.IN_PROGRESS, Status.REPLIED, Status.CLOSED]
    start = timezone.now() - dt.timedelta(days=365)
    batch = []
    for i in range(n):
        grid = grids[i % len(grids)]
        at = start + dt.timedelta(minutes=5 * i)
        status = statuses[i % len(statuses)]
        batch.append(
            Case(
                tracking_number=f"B-{i:08d}",
                channel="phone",
                resident_name="王秀兰",
                resident_phone="13812341234",
                address=f"福临苑小区{i % 40}号楼",
                grid=grid,
                community_id=grid.parent_id,
                street_id=grid.parent.parent_id,
                title=f"小区路灯不亮 {i}",
                text="福临苑小区3号楼门口的路灯坏了一个多星期，晚上出门看不清路。",
                category=categories[i % len(categories)],
                status=status,
                lead_unit=None if status == Status.REGISTERED else units[i % len(units)],
                registered_at=at,
                reply_due_at=at + dt.timedelta(days=9),
                resolve_due_at=at + dt.timedelta(days=21),
                replied_at=None if status == Status.REGISTERED else at + dt.timedelta(days=3),
                closed_at=at + dt.timedelta(days=12) if status == Status.CLOSED else None,
                satisfaction="satisfied" if status == Status.CLOSED else "",
            )
        )
        if len(batch) == 5000:
            Case.objects.bulk_create(batch)
            batch = []
    Case.objects.bulk_create(batch)


def child_export(mode: str) -> None:
    """Run one export in this (fresh) process; print seconds, rows and peak RSS as JSON."""
    setup(migrate=False)
    from django.http import QueryDict

    from lianxin.ledgers.catalog import case_ledger
    from lianxin.ledgers.export import csv_lines, write_xlsx

    ledger = case_ledger(office(), QueryDict())
    started = time.perf_counter()
    with tempfile.TemporaryFile() as target:
        if mode == "xlsx":
            rows = write_xlsx(ledger, target)
        elif mode == "csv":
            rows = -1
            for line in csv_lines(ledger):
                target.write(line)
                rows += 1
        else:  # the baseline: the same rows and columns read, nothing written
            rows = 0
            for _values in ledger.values():
                rows += 1
        size = target.tell()
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "rows": rows, "peak_mb": peak_mb, "bytes": size}))


def run_child(mode: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def forwarded_list(rows: int, run: int) -> bytes:
    from openpyxl import Workbook

    from lianxin.ledgers.imports import COLUMNS
    from lianxin.orgs.models import Unit

    grids = list(Unit.objects.filter(kind="grid").values_list("code", flat=True))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append([column.header for column in COLUMNS])
    for i in range(rows):
        sheet.append(
            [
                f"ZB-{run}-{i:06d}",
                f"小区路灯不亮 {i}",
                "福临苑小区3号楼门口的路灯坏了一个多星期，晚上出门看不清路。",
                f"福临苑小区{i % 40}号楼",
                grids[i % len(grids)],
                "",
                "王秀兰",
                "13812341234",
                None,
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def time_import(rows: int, run: int) -> tuple[float, float]:
    """Rows per second of an import job over the list (the path the page takes for a list
    over the synchronous threshold: check the upload, store it, run the job), then of a
    second job over the same file, where every row is already imported."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from lianxin.ledgers.import_jobs import run_import_job, start_import_job
    from lianxin.ledgers.imports import inspect_list

    data = forwarded_list(rows, run)
    actor = office()
    rates = []
    for expected in ("created_count", "duplicate_count"):
        upload = SimpleUploadedFile("清单.xlsx", data)
        started = time.perf_counter()
        job, _new = start_import_job(actor, upload, total=inspect_list(upload))
        job = run_import_job(job.pk)
        rates.append(rows / (time.perf_counter() - started))
        assert job.status == "done" and getattr(job, expected) == rows, (job.status, job.error)
        job.file.delete(save=False)
    return rates[0], rates[1]


def time_plain_registrations(rows: int) -> float:
    from lianxin.cases.actions import do_register_case
    from lianxin.orgs.models import Unit

    grids = list(Unit.objects.filter(kind="grid"))
    actor = office()
    started = time.perf_counter()
    for i in range(rows):
        do_register_case(
            actor=actor,
            channel="forwarded",
            title=f"小区路灯不亮 {i}",
            text="福临苑小区3号楼门口的路灯坏了一个多星期，晚上出门看不清路。",
            address=f"福临苑小区{i % 40}号楼",
            grid=grids[i % len(grids)],
            resident_name="王秀兰",
            resident_phone="13812341234",
        )
    return rows / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child")
    parser.add_argument("--import-runs", type=int, default=3)
    parser.add_argument("--skip-export", action="store_true")
    args = parser.parse_args()
    if args.child:
        child_export(args.child)
        return

    setup()

    from lianxin.cases.models import Case

    print(common.machine())
    if args.skip_export:
        args.runs = 0
    elif Case.objects.count() != args.cases:
        clear_cases()
        fill_cases(args.cases)
    results: dict[str, list[dict]] = {"xlsx": [], "csv": [], "read": []}
    for run in range(args.runs):
        for mode in results:
            results[mode].append(run_child(mode))
        print(
            f"run {run + 1}: "
            + ", ".join(
                f"{mode} {r[-1]['seconds']:.1f}s {r[-1]['peak_mb']:.0f}MB"
                for mode, r in results.items()
            )
        )
    for mode, runs in results.items():
        if not runs:
            continue
        seconds = statistics.median(r["seconds"] for r in runs)
        peak = statistics.median(r["peak_mb"] for r in runs)
        print(
            f"export {mode}: {runs[0]['rows']} rows, median {seconds:.1f} s, peak RSS {peak:.0f} MB"
            f" ({runs[0]['bytes'] / 1e6:.1f} MB file); runs "
            + ", ".join(f"{r['seconds']:.1f}" for r in runs)
        )
    if not args.import_runs:
        return
    imports, reimports, plains = [], [], []
    from lianxin.ledgers.models import ImportJob

    ImportJob.objects.all().delete()
    for run in range(args.import_runs):
        clear_cases()
        first, second = time_import(args.rows, run)
        imports.append(first)
        reimports.append(second)
        clear_cases()
        plains.append(time_plain_registrations(args.rows))
        print(
            f"run {run + 1}: import {first:.0f} rows/s, again {second:.0f} rows/s,"
            f" plain do_register_case {plains[-1]:.0f}/s"
        )
    print(
        f"import {args.rows} rows: median {statistics.median(imports):.0f} rows/s; "
        f"again (all duplicates) {statistics.median(reimports):.0f} rows/s; "
        f"plain do_register_case {statistics.median(plains):.0f}/s "
        f"(ratio {statistics.median(imports) / statistics.median(plains):.2f})"
    )
    clear_cases()  # the next export run refills the table


if __name__ == "__main__":
    main()
