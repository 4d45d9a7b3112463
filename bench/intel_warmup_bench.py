"""The first duplicate check in a fresh web process: with and without the warm-up.

jieba (the word cutter that reads place names) loads its dictionary on first use.
Each trial is a fresh Python process that sets Django up and serves, through the
test client, the residents' "similar reports nearby" fragment (`intel:similar`:
`lianxin.intel.nearby.find` by address, which reads place names):

- before: the process first serves the login page (its first request: middleware and
  URLs loaded), the resident takes --pause seconds to type, then the similar-reports
  request; with the warm-up turned off (INTEL_WARM_UP = False), as before it existed;
- after: the same with the warm-up on (the login request started it, `lianxin.intel.apps`);
- steady: the same request again in a process that has served it once (the floor).

Also the load itself: jieba's dictionary from its text file (the first run on a
machine) and from the cache file it writes (/tmp/jieba.cache), in fresh processes.

    .venv/bin/python bench/intel_warmup_bench.py --trials 5

DATABASE_URL defaults to the topics bench's database (bench/topics_live_bench.py builds
it): postgres://postgres@127.0.0.1:5432/lianxin_bench_topics.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time

import common

ROOT = common.ROOT
common.configure("lianxin_bench_topics")
QUERY = {"title": "小区门口路灯不亮", "text": "晚上出门看不清路，希望尽快修好。"}


def child(mode: str, pause: float) -> dict:
    """One fresh process: set up, then time what `mode` says."""
    started = time.perf_counter()
    if mode.startswith("jieba"):
        import jieba

        jieba.setLogLevel(40)
        if mode == "jieba-build":
            jieba.dt.tmp_dir = tempfile.mkdtemp()  # no cache file: built from the dictionary
        start = time.perf_counter()
        jieba.initialize()
        return {"ms": (time.perf_counter() - start) * 1000}
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from lianxin.cases.models import Case

    address = Case.objects.filter(grid__isnull=False).values_list("address", flat=True).first()
    params = {**QUERY, "address": address}
    settings.INTEL_WARM_UP = mode != "before"
    client = Client()
    setup_ms = (time.perf_counter() - started) * 1000
    client.get(reverse("login"))
    url = reverse("intel:similar")
    if mode == "steady":
        client.get(url, params)
    time.sleep(pause)
    start = time.perf_counter()
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return {"ms": (time.perf_counter() - start) * 1000, "setup_ms": setup_ms}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--pause", type=float, default=3.0)
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.pause)))
        return
    modes = ["before", "after", "steady", "jieba-build", "jieba-cache"]
    results: dict[str, list[float]] = {m: [] for m in modes}
    for _ in range(args.trials):
        for mode in modes:  # interleaved, so that the machine's load falls on all alike
            out = subprocess.run(  # noqa: S603  (this script, this Python)
                [sys.executable, __file__, "--child", mode, "--pause", str(args.pause)],
                check=True,
                capture_output=True,
                text=True,
            )
            results[mode].append(json.loads(out.stdout.strip().splitlines()[-1])["ms"])
    print(f"{args.trials} fresh processes each, interleaved; median (min-max) ms")
    labels = {
        "before": "first similar-reports request, no warm-up",
        "after": f"first similar-reports request, warm-up started {args.pause:g} s before",
        "steady": "second similar-reports request (the floor)",
        "jieba-build": "jieba.initialize(), dictionary built from its text file",
        "jieba-cache": "jieba.initialize(), from its cache file",
    }
    for mode in modes:
        values = results[mode]
        print(
            f"  {labels[mode]:72s} {statistics.median(values):7.0f}"
            f"  ({min(values):.0f}-{max(values):.0f})"
        )


if __name__ == "__main__":
    main()
