"""Chinese case search on PostgreSQL: the bigram index against a plain substring scan.

Builds a table of N cases' titles and texts (written by the demo's concern
generator) in a database of its own, `lianxin_bench_search`, with the same
function and GIN index that migration cases/0005_case_text_search creates, then times the query
that `lianxin.cases.search.matching` sends, for short and long, common and rare
words, against the same query without the index (`ILIKE` over every row).

    .venv/bin/python bench/search_bench.py [--cases 1000000] [--runs 7]

Needs PostgreSQL at 127.0.0.1:5432 (trust auth) and no shared data.
"""

import argparse
import io
import random
import statistics
import time
from pathlib import Path

import common
import psycopg

common.configure()

from lianxin.cases.search import bigrams  # noqa: E402
from lianxin.demo import concerns, places  # noqa: E402

BENCH_DB = "lianxin_bench_search"
BENCH_URL = f"postgresql://postgres@127.0.0.1:5432/{BENCH_DB}"
MIGRATION = Path(__file__).resolve().parents[1] / "lianxin/cases/migrations"

# Common and rare words of the demo's texts, short and long, and one that is absent.
QUERIES = ["路灯", "楼道", "物业", "漏水", "装修垃圾", "偷倒装修垃圾", "苍蝇乱飞", "彩虹桥"]


def index_sql() -> tuple[str, str]:
    """The function and the index, read from the migration so the bench cannot drift."""
    namespace: dict = {}
    source = next(MIGRATION.glob("*_case_text_search.py*")).read_text()
    exec(compile(source, "migration", "exec"), namespace)  # noqa: S102
    return namespace["BIGRAMS_FUNCTION"], namespace["BIGRAMS_INDEX"]


def generate(n: int, seed: int = 7) -> io.StringIO:
    rng = random.Random(seed)
    codes = list(concerns.TEXTS)
    names = places.all_places()
    out = io.StringIO()
    for i in range(n):
        place = rng.choice(names)
        title, text = concerns.write_concern(
            rng, rng.choice(codes), place, places.address(rng, place)
        )
        out.write(f"{i + 1}\t{title}\t{text}\n".replace("\\", ""))
    out.seek(0)
    return out


def build(n: int) -> None:
    common.recreate_database(BENCH_URL)
    function_sql, index = index_sql()
    with psycopg.connect(BENCH_URL) as conn:
        conn.execute(
            "CREATE TABLE cases_case "
            "(id bigint PRIMARY KEY, title text NOT NULL, text text NOT NULL)"
        )
        started = time.perf_counter()
        data = generate(n)
        with conn.cursor().copy("COPY cases_case (id, title, text) FROM STDIN") as copy:
            while chunk := data.read(1 << 20):
                copy.write(chunk)
        conn.execute(function_sql)
        loaded = time.perf_counter()
        conn.execute(index)
        conn.execute("ANALYZE cases_case")
        conn.commit()
        print(
            f"built {n} rows: generate+copy {loaded - started:.1f} s, "
            f"index {time.perf_counter() - loaded:.1f} s"
        )


def timed(conn, sql: str, params: tuple, runs: int) -> tuple[float, int]:
    samples, count = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        count = conn.execute(sql, params).fetchone()[0]
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="keep the table already built")
    args = parser.parse_args()
    if not args.reuse:
        build(args.cases)
    indexed = (
        "SELECT count(*) FROM (SELECT id FROM cases_case "
        "WHERE lianxin_bigrams(title || ' ' || text) @> %s::text[] "
        "AND (title ILIKE %s OR text ILIKE %s) ORDER BY id DESC LIMIT 25) page"
    )
    scanned = (
        "SELECT count(*) FROM (SELECT id FROM cases_case "
        "WHERE (title ILIKE %s OR text ILIKE %s) ORDER BY id DESC LIMIT 25) page"
    )
    total = (
        "SELECT count(*) FROM cases_case "
        "WHERE lianxin_bigrams(title || ' ' || text) @> %s::text[] "
        "AND (title ILIKE %s OR text ILIKE %s)"
    )
    print(
        "| query | matches | first page, bigram index (ms) "
        "| first page, substring scan (ms) | all matches counted, index (ms) |"
    )
    print("|---|---:|---:|---:|---:|")
    with psycopg.connect(BENCH_URL) as conn:
        for query in QUERIES:
            like = f"%{query}%"
            fast, _ = timed(conn, indexed, (bigrams(query), like, like), args.runs)
            slow, _ = timed(conn, scanned, (like, like), max(3, args.runs // 2))
            counted, matches = timed(conn, total, (bigrams(query), like, like), args.runs)
            print(f"| {query} | {matches} | {fast:.1f} | {slow:.1f} | {counted:.1f} |")


if __name__ == "__main__":
    main()
