"""What one enqueue costs on Huey's SQLite storage (the embedded default), by sync mode.

Each configuration gets a fresh queue file in a temporary folder under DATA_DIR (the
filesystem the real queue lives on), enqueues --jobs tasks one at a time through a real
`@huey.task` (serialisation, the INSERT and its commit, as `notify_events(...)` does
after a case commit), and reports the median enqueue. The configurations run in turn,
--runs times, and the medians of the runs are quoted.

- `FULL`: `SqliteHuey(filename=…)`, what the settings gave before: WAL, and SQLite's
  default `synchronous=FULL`, an fsync of the WAL on every commit;
- `NORMAL`: WAL with `synchronous=NORMAL`: no fsync at commit, the WAL is synced at
  checkpoints;
- `OFF`: Huey's `fsync=False`, `synchronous=OFF`: never an fsync;
- `settings`: the HUEY dict of lianxin/settings.py as it is now (without REDIS_URL),
  with the `synchronous` its connection really has.

    .venv/bin/python bench/huey_enqueue_bench.py --jobs 300 --runs 5
"""

import argparse
import os
import platform
import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import common

os.environ.pop("REDIS_URL", None)  # the SQLite branch of the settings is the one measured
common.configure()
common.setup(migrate=False)

from django.conf import settings  # noqa: E402
from huey import SqliteHuey  # noqa: E402
from huey.utils import load_class  # noqa: E402

SYNC_NAMES = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}


class NormalConnection(sqlite3.Connection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.execute("pragma synchronous=NORMAL")


def from_settings(filename: str):
    config = dict(settings.HUEY)
    config.pop("consumer", None)
    config.update(config.pop("connection", {}))
    config["filename"] = filename
    config["immediate"] = False
    return load_class(config.pop("huey_class"))(config.pop("name"), **config)


CONFIGS = {
    "FULL": lambda filename: SqliteHuey("bench", filename=filename),
    "NORMAL": lambda filename: SqliteHuey("bench", filename=filename, factory=NormalConnection),
    "OFF": lambda filename: SqliteHuey("bench", filename=filename, fsync=False),
    "settings": from_settings,
}


def measure(make, folder: Path, jobs: int) -> tuple[float, float, str]:
    """Median and mean seconds of one enqueue (the mean includes the checkpoints, where
    NORMAL syncs the WAL), and the connection's journal and synchronous modes."""
    filename = str(folder / f"huey-{time.monotonic_ns()}.sqlite3")
    huey = make(filename)

    @huey.task()
    def job(event_ids):
        return event_ids

    job([0])  # opens the connection and sets the pragmas: not counted
    times = []
    for n in range(jobs):
        start = time.perf_counter()
        job([n, n + 1])
        times.append(time.perf_counter() - start)
    assert huey.pending_count() == jobs + 1
    sync = huey.storage.conn.execute("pragma synchronous").fetchone()[0]
    journal = huey.storage.conn.execute("pragma journal_mode").fetchone()[0]
    huey.storage.close()
    return statistics.median(times), statistics.mean(times), f"{journal}/{SYNC_NAMES[sync]}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="huey-bench-", dir=settings.DATA_DIR))
    results: dict[str, list[float]] = {name: [] for name in CONFIGS}
    means: dict[str, list[float]] = {name: [] for name in CONFIGS}
    modes = {}
    try:
        for _run in range(args.runs):
            for name, make in CONFIGS.items():
                median, mean, modes[name] = measure(make, folder, args.jobs)
                results[name].append(median)
                means[name].append(mean)
    finally:
        shutil.rmtree(folder)

    print(
        f"{platform.node()} · Python {platform.python_version()} · SQLite "
        f"{sqlite3.sqlite_version} · {os.cpu_count()} CPUs · folder {settings.DATA_DIR}"
    )
    print(
        f"{args.jobs} enqueues per run, {args.runs} runs; per configuration the median of the"
        " runs' median (and mean) enqueue"
    )
    baseline = statistics.median(results["FULL"])
    for name, runs in results.items():
        median = statistics.median(runs)
        each = " ".join(f"{r * 1000:.3f}" for r in runs)
        mean = statistics.median(means[name])
        print(
            f"  {name:<9} {modes[name]:<11} median {median * 1000:7.3f} ms"
            f"  mean {mean * 1000:7.3f} ms  (FULL/this {baseline / median:5.1f})  runs: {each}"
        )


if __name__ == "__main__":
    main()
