"""The map's endpoints on a loaded demo district, beside a trivial view in the same run.

    DATABASE_URL=... .venv/bin/python bench/geo_bench.py [--runs 15] [--repeat 5]

Needs a database with the demo loaded (`lianxin load_demo`); signs in as the office
(whole district) and as one department, and prints the median server time of each URL
per repeat, the median of those medians, and the ratio to the trivial view (/login/).
"""

import argparse
import os
import statistics
import time

import common

common.configure()
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
common.setup(migrate=False)

from django.test import Client  # noqa: E402

from lianxin.accounts.models import User  # noqa: E402
from lianxin.cases.models import Case  # noqa: E402

URLS = [
    "/login/",
    "/map/",
    "/map/cases.geojson",
    "/map/grids.geojson",
    "/map/cases.geojson?deadline=overdue",
]


def median_ms(client: Client, url: str, runs: int) -> tuple[float, int]:
    client.get(url)  # warm
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    located = Case.objects.filter(latitude__isnull=False).count()
    print(f"{Case.objects.count()} cases, {located} with a point")
    for username in ("office", "cgj"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        results = {url: [] for url in URLS}
        sizes = {}
        for _ in range(args.repeat):
            for url in URLS:
                ms, sizes[url] = median_ms(client, url, args.runs)
                results[url].append(ms)
        base = statistics.median(results["/login/"])
        print(f"\n{username}")
        for url in URLS:
            ms = statistics.median(results[url])
            print(f"  {url:38s} {ms:7.1f} ms  ×{ms / base:5.1f}  {sizes[url] / 1024:7.1f} KiB")


if __name__ == "__main__":
    main()
