"""Topics on real messages: `lianxin intel topics` on the tipdm2020c message board.

Reads ../shared/data/tipdm2020c/attachment3_messages_with_votes.csv (4,326 real
messages with their likes; internal benchmarking only: never copied into the
repository), runs the topics command on it and prints its output with the time it
took. The verdicts on each topic are a person's reading: bench/results/topics.md.

    .venv/bin/python bench/topics_report.py

Exits 0 with a message when the data are absent.
"""

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "tipdm2020c" / "attachment3_messages_with_votes.csv"
COMMAND = [
    "intel",
    "topics",
    "--input",
    str(DATA),
    "--text-columns",
    "留言主题,留言详情",
    "--time-column",
    "留言时间",
    "--votes-column",
    "点赞数",
    "--user-column",
    "留言用户",
]


def main() -> int:
    if not DATA.exists():
        print(f"{DATA} is absent: nothing to benchmark (the data are not in the repository).")
        return 0
    print(f"data: {DATA} (internal benchmarking only)")
    print("command: lianxin " + " ".join(COMMAND))
    start = time.perf_counter()
    # The project's own console script, beside this Python: no untrusted input.
    run = subprocess.run(  # noqa: S603
        [str(Path(sys.executable).with_name("lianxin")), *COMMAND],
        check=True,
        capture_output=True,
        text=True,
    )
    print(run.stdout, end="")
    print(f"took {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
