"""The reply check on real replies: how many it flags, and examples of each verdict.

Reads ../shared/data/tipdm2020c/attachment4_messages_with_replies.csv (2,816 messages
to a government message board with the official reply; internal benchmarking only:
never copied into the repository) and checks each reply against its message's title
and text, as the case page does before a reply is sent.

    .venv/bin/python bench/replycheck_report.py [--output bench/results/replycheck.md]

Prints a Markdown report. Exits 0 with a message when the data are absent.
"""

import argparse
import collections
import csv
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lianxin.intel.classifier import normalize  # noqa: E402
from lianxin.intel.replycheck import check_reply  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "tipdm2020c" / "attachment4_messages_with_replies.csv"
# One competition team's own 0/1 "可解释性" label per reply: not official, a second opinion.
TEAM = DATA.with_name("attachment4_interpretability_team_annotation.csv")
SHORT = 30  # characters, after folding whitespace
EXAMPLES = 10
REPLY_CHARS = 160  # of each example reply shown


def clip(text: str, n: int) -> str:
    text = normalize(text).replace("|", "｜")
    return text if len(text) <= n else text[: n - 1] + "…"


def table(rows) -> list[str]:
    lines = ["| 留言编号 | 留言主题 | 答复意见（节选） | 理由 |", "|---|---|---|---|"]
    for row, result in rows:
        reasons = "；".join(result.reasons) or "—"
        lines.append(
            f"| {row['留言编号']} | {clip(row['留言主题'], 30)} | "
            f"{clip(row['答复意见'], REPLY_CHARS)} | {reasons} |"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, help="write the report here as well")
    parser.add_argument("--seed", type=int, default=5, help="for picking the examples")
    args = parser.parse_args()
    if not DATA.exists():
        print(f"{DATA} is absent: nothing to benchmark (the data are not in the repository).")
        return 0
    with open(DATA, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))

    check_reply("预热", title="预热")  # jieba loads its dictionary once, outside the timing
    results, times = [], []
    for row in rows:
        started = time.perf_counter()
        result = check_reply(row["答复意见"], title=row["留言主题"], text=row["留言详情"])
        times.append((time.perf_counter() - started) * 1000)
        results.append((row, result))

    short = [(r, c) for r, c in results if len(normalize(r["答复意见"])) < SHORT]
    rest = [(r, c) for r, c in results if len(normalize(r["答复意见"])) >= SHORT]
    flagged_short = sum(c.flagged for _, c in short)
    flagged_rest = sum(c.flagged for _, c in rest)
    reasons = collections.Counter(reason for _, c in results for reason in c.reasons)

    team_lines = []
    if TEAM.exists():
        with open(TEAM, encoding="utf-8", newline="") as f:
            team = {r["留言编号"]: r["可解释性"].strip() for r in csv.DictReader(f)}
        if set(team) == {r["留言编号"] for r, _ in results}:  # the IDs are unique in 附件4
            pairs = collections.Counter((team[r["留言编号"]], c.flagged) for r, c in results)
            team_lines = [
                "A second opinion: one competition team's own 0/1 label of each reply's "
                "可解释性 (`attachment4_interpretability_team_annotation.csv`; not an official "
                "label), matched by 留言编号:",
                "",
                "| team label | flagged | passed |",
                "|---|---|---|",
                f"| 0 (not explanatory) | {pairs['0', True]} | {pairs['0', False]} |",
                f"| 1 (explanatory) | {pairs['1', True]} | {pairs['1', False]} |",
                "",
            ]

    rng = random.Random(args.seed)
    flagged = [x for x in rest if x[1].flagged]
    passed = [x for x in results if not x[1].flagged]
    flagged_examples = sorted(
        rng.sample(flagged, min(EXAMPLES, len(flagged))), key=lambda x: int(x[0]["留言编号"])
    )
    passed_examples = sorted(
        rng.sample(passed, min(EXAMPLES, len(passed))), key=lambda x: int(x[0]["留言编号"])
    )

    lines = [
        "# Reply check on real replies (issue 5 §4)",
        "",
        f"Data: `{DATA.relative_to(ROOT.parent)}` ({len(rows)} messages with the official "
        "reply; internal benchmarking only, not in the repository). Each reply is checked "
        "against its message's title and text by `lianxin.intel.replycheck.check_reply`, "
        "the same check the case page runs before a reply is sent.",
        "",
        "Command: `.venv/bin/python bench/replycheck_report.py --output "
        "bench/results/replycheck.md`",
        "",
        "Caveat: the word lists were written while reading replies from this same file "
        "(there is no held-out set of judged replies), so these counts are in-sample; "
        "the team's labels below were not used to write them.",
        "",
        "| replies | count | flagged | share flagged |",
        "|---|---|---|---|",
        f"| under {SHORT} characters | {len(short)} | {flagged_short} | "
        f"{flagged_short / max(len(short), 1):.1%} |",
        f"| {SHORT} characters or more | {len(rest)} | {flagged_rest} | "
        f"{flagged_rest / max(len(rest), 1):.1%} |",
        f"| all | {len(results)} | {flagged_short + flagged_rest} | "
        f"{(flagged_short + flagged_rest) / len(results):.1%} |",
        "",
        "Reasons given (a reply may have several):",
        "",
        *[f"- {reason}: {n}" for reason, n in reasons.most_common()],
        "",
        *team_lines,
        f"Time per reply (message text included): median {statistics.median(times):.1f} ms, "
        f"95th percentile {statistics.quantiles(times, n=20)[-1]:.1f} ms.",
        "",
        f"Replies under {SHORT} characters that pass:",
        "",
        *[f"- {r['留言编号']}: {clip(r['答复意见'], 80)}" for r, c in short if not c.flagged],
        "",
        f"## Ten flagged replies of {SHORT} characters or more (random, seed {args.seed})",
        "",
        *table(flagged_examples),
        "",
        f"## Ten replies that pass (random, seed {args.seed})",
        "",
        *table(passed_examples),
        "",
    ]
    report = "\n".join(lines)
    print(report)
    if args.output:
        args.output.write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
