"""Category suggestion on real messages: `lianxin intel eval` on the tipdm2020c titles.

Reads ../shared/data/tipdm2020c/attachment2_topics_labels_9210.csv (internal
benchmarking only: never copied into the repository), writes the split's rows to
a temporary directory, runs the eval command and writes its JSON.

    .venv/bin/python bench/intel_eval.py            # train on train+dev, score on the 921 test rows
    .venv/bin/python bench/intel_eval.py --choose   # train on train, score on dev (for choosing)

Exits 0 with a message when the data are absent.
"""

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "tipdm2020c" / "attachment2_topics_labels_9210.csv"


def write_split(rows: list[dict], splits: set[str], path: Path) -> int:
    chosen = [r for r in rows if r["split"] in splits]
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(chosen)
    return len(chosen)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--choose", action="store_true", help="train on train, score on dev")
    parser.add_argument("--output", type=Path, help="write the JSON here as well")
    args = parser.parse_args()
    if not DATA.exists():
        print(f"{DATA} is absent: nothing to benchmark (the data are not in the repository).")
        return 0
    print(f"data: {DATA} (internal benchmarking only)")
    with open(DATA, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    train_splits, test_splits = (
        ({"train"}, {"dev"}) if args.choose else ({"train", "dev"}, {"test"})
    )
    with tempfile.TemporaryDirectory() as tmp:
        train, test = Path(tmp) / "train.csv", Path(tmp) / "test.csv"
        n_train = write_split(rows, train_splits, train)
        n_test = write_split(rows, test_splits, test)
        print(f"train: {'+'.join(sorted(train_splits))} ({n_train}); test: {n_test} rows")
        command = [
            str(Path(sys.executable).with_name("lianxin")),
            "intel",
            "eval",
            "--train",
            str(train),
            "--test",
            str(test),
            "--text-columns",
            "留言主题",
            "--label-column",
            "一级标签",
        ]
        # The project's own console script, beside this Python: no untrusted input.
        run = subprocess.run(command, check=True, capture_output=True, text=True)  # noqa: S603
        out = run.stdout
    result = json.loads(out.strip().splitlines()[-1])
    print(json.dumps(result))
    if args.output:
        args.output.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
