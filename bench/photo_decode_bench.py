"""What one photo costs to check: CPU seconds and peak memory of `clean_photo` by size.

Each measure runs in a fresh process (peak RSS is per process), on the worst case the
probe used: a PNG of one flat colour, a few hundred KB however many pixels, and on a
noisy JPEG as a phone makes them. Prints one line per format and size: the median CPU
seconds of `--runs` processes and the largest peak RSS growth.

    .venv/bin/python bench/photo_decode_bench.py --megapixels 12 24 40 60 --runs 3
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


def make(fmt: str, megapixels: float) -> bytes:
    from PIL import Image

    width = int((megapixels * 1_000_000 * 4 / 3) ** 0.5)
    height = int(width * 3 / 4)
    if fmt == "PNG":
        image = Image.new("RGB", (width, height), (200, 30, 30))
    else:  # noise, tiled: a JPEG that does not compress to nothing
        tile = Image.effect_noise((512, 512), 64).convert("RGB")
        image = Image.new("RGB", (width, height))
        for x in range(0, width, 512):
            for y in range(0, height, 512):
                image.paste(tile, (x, y))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return buffer.getvalue()


def child(path: str) -> None:
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from lianxin.cases import photos

    photos.MAX_PIXELS = 10**9  # measure the decoding, not the refusal
    with open(path, "rb") as file:
        data = file.read()
    fmt = path.rpartition(".")[2]
    before = resource.getrusage(resource.RUSAGE_SELF)
    rss_before = before.ru_maxrss
    start = time.process_time()
    try:
        photos.clean_photo(SimpleUploadedFile(f"x.{fmt.lower()}", data))
        outcome = "ok"
    except Exception as error:  # noqa: BLE001  (report, do not crash the bench)
        outcome = type(error).__name__
    cpu = time.process_time() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    print(json.dumps({"cpu": cpu, "rss_mib": rss / 1024, "bytes": len(data), "outcome": outcome}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megapixels", type=float, nargs="+", default=[12, 24, 40, 60])
    parser.add_argument("--formats", nargs="+", default=["PNG", "JPEG"])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    for fmt in args.formats:
        for mp in args.megapixels:
            path = os.path.join(folder, f"{mp}.{fmt.lower()}")
            with open(path, "wb") as file:
                file.write(make(fmt, mp))
            rows = []
            for _ in range(args.runs):
                out = subprocess.run(
                    [sys.executable, __file__, "--child", path],
                    capture_output=True,
                    text=True,
                    check=True,
                    env={"DJANGO_SETTINGS_MODULE": "lianxin.settings", "PATH": "/usr/bin"},
                )
                rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
            os.remove(path)
            cpu = statistics.median(r["cpu"] for r in rows)
            rss = max(r["rss_mib"] for r in rows)
            size = rows[0]["bytes"] / 1024
            print(
                f"{fmt:4} {mp:5.0f} MP  file {size:8.0f} KiB  cpu {cpu:5.2f} s  "
                f"peak +{rss:6.0f} MiB  {rows[0]['outcome']}"
            )
    os.rmdir(folder)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
