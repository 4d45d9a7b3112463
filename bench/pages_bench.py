"""The pages staff open all day, against a million cases on PostgreSQL.

Builds a database of its own, `lianxin_bench_pages`: the demo district (units,
categories, people) from `load_demo --cases 0`, then N cases written by SQL in
one statement, two years of them, most closed, the last month's spread over the
open states, each with its lead part and its registration event. Then it times,
in one process through Django's test client, the office inbox, a department
inbox, the first page of the case list (plain and searched) and a case page,
beside the login page (the framework rendering a form, no case query) as the
same-run baseline. Reports median and p95 of each, and the ratio of medians.

    .venv/bin/python bench/pages_bench.py [--cases 1000000] [--runs 30] [--reuse]

Needs PostgreSQL at 127.0.0.1:5432 (trust auth) and no shared data.
"""

import argparse
import os
import statistics
import subprocess
import time

import common

ROOT = common.ROOT
BENCH_DB = "lianxin_bench_pages"
BENCH_URL = f"{common.PG_SERVER}/{BENCH_DB}"

# Thirty days of open work across the states it can be in; everything older is done.
CASES_SQL = """
WITH grids AS (
    SELECT row_number() OVER (ORDER BY g.id) - 1 AS n, g.id AS grid_id,
           c.id AS community_id, c.parent_id AS street_id
    FROM orgs_unit g JOIN orgs_unit c ON c.id = g.parent_id WHERE g.kind = 'grid'
), depts AS (
    SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM orgs_unit WHERE kind = 'department'
), cats AS (
    SELECT row_number() OVER (ORDER BY id) - 1 AS n, id
    FROM cases_category WHERE parent_id IS NOT NULL
), counts AS (
    SELECT (SELECT count(*) FROM grids) AS grids, (SELECT count(*) FROM depts) AS depts,
           (SELECT count(*) FROM cats) AS cats
), numbered AS (
    SELECT i, now() - (i * interval '63 seconds') AS at,
           (ARRAY['registered','dispatched','in_progress','in_progress','replied',
                  'replied','resolved','verified','constrained','returned'])[1 + i %% 10] AS open_status
    FROM generate_series(1, %(cases)s) AS i
)
INSERT INTO cases_case (
    tracking_number, channel, resident_name, resident_phone, anonymous, address, building,
    title, text, urgency, status, open_for_claim, escalated, reopen_count, registered_at,
    dispatched_at, accepted_at, replied_at, resolved_at, verified_at, closed_at,
    reply_due_at, resolve_due_at, reply_text, resolution_note, constrained_explanation,
    satisfaction, solved, community_id, grid_id, street_id, lead_unit_id, category_id,
    exemplary, exemplary_note, support_count)
SELECT
    'LX-B-' || lpad(i::text, 7, '0'), (ARRAY['visit','patrol','phone','web','miniprogram'])[1 + i %% 5],
    '', '138' || lpad((i %% 100000000)::text, 8, '0'), false, '某小区' || (i %% 40) || '号楼', '',
    (ARRAY['路灯不亮','楼道堆物','污水外溢','噪音扰民','占道经营','违章停车','垃圾清运不及时'])[1 + i %% 7]
        || '（' || i || '）',
    '居民反映：' || (ARRAY['小区门口路灯坏了一周','楼道里堆满杂物','下水道堵塞污水外溢',
        '夜间施工噪音很大','早市摊贩占道经营','消防通道被车辆占用'])[1 + i %% 6] || '，希望尽快处理。',
    'normal',
    CASE WHEN at > now() - interval '30 days' THEN open_status
         WHEN i %% 100 = 0 THEN 'voided' ELSE 'closed' END,
    false, i %% 500 = 0, 0, at,
    CASE WHEN at > now() - interval '30 days' AND open_status = 'registered' THEN NULL
         ELSE at + interval '2 hours' END,
    CASE WHEN at > now() - interval '30 days' AND open_status IN ('registered','dispatched','returned')
         THEN NULL ELSE at + interval '5 hours' END,
    CASE WHEN at > now() - interval '30 days' AND open_status NOT IN ('replied','resolved','verified')
         THEN NULL ELSE at + interval '3 days' END,
    CASE WHEN at > now() - interval '30 days' AND open_status NOT IN ('resolved','verified')
         THEN NULL ELSE at + interval '6 days' END,
    CASE WHEN at > now() - interval '30 days' AND open_status <> 'verified'
         THEN NULL ELSE at + interval '7 days' END,
    CASE WHEN at > now() - interval '30 days' THEN NULL ELSE at + interval '8 days' END,
    at + interval '9 days', at + interval '21 days', '', '', '',
    CASE WHEN at > now() - interval '30 days' THEN '' ELSE 'satisfied' END,
    CASE WHEN at > now() - interval '30 days' THEN NULL ELSE true END,
    g.community_id, g.grid_id, g.street_id, d.id, c.id, false, '', 0
FROM numbered
CROSS JOIN counts
JOIN grids g ON g.n = i %% counts.grids
JOIN depts d ON d.n = i %% counts.depts
JOIN cats c ON c.n = i %% counts.cats
"""

PARTS_SQL = """
INSERT INTO cases_casepart (case_id, unit_id, role, status, instruction, assigned_at,
                            accepted_at, finished_at, return_reason)
SELECT id, lead_unit_id, 'lead',
       CASE status WHEN 'dispatched' THEN 'assigned' WHEN 'returned' THEN 'returned'
                   WHEN 'in_progress' THEN 'accepted' WHEN 'replied' THEN 'accepted'
                   WHEN 'constrained' THEN 'accepted' ELSE 'finished' END,
       '', dispatched_at, accepted_at, resolved_at, ''
FROM cases_case WHERE dispatched_at IS NOT NULL
"""

EVENTS_SQL = """
INSERT INTO cases_caseevent (case_id, code, at, from_status, to_status, note, public, data)
SELECT id, 'registered', registered_at, '', 'registered', '', true, '{}' FROM cases_case
"""


def lianxin(*args: str) -> None:
    env = {**os.environ, "DATABASE_URL": BENCH_URL, "DEBUG": "0", "SECRET_KEY": "bench"}
    subprocess.run([str(ROOT / ".venv/bin/lianxin"), *args], check=True, env=env)


def build(cases: int) -> None:
    import psycopg

    common.recreate_database(BENCH_URL)
    lianxin("migrate", "-v0")
    lianxin("load_demo", "--cases", "0")
    with psycopg.connect(BENCH_URL.replace("postgres://", "postgresql://")) as conn:
        for name, sql in (("cases", CASES_SQL), ("parts", PARTS_SQL), ("events", EVENTS_SQL)):
            started = time.perf_counter()
            conn.execute(sql % {"cases": cases} if name == "cases" else sql)
            conn.commit()
            print(f"  {name}: {time.perf_counter() - started:.0f} s", flush=True)
        conn.execute("ANALYZE")
        conn.commit()


def measure(runs: int) -> None:
    os.environ.update(DATABASE_URL=BENCH_URL, DEBUG="0", SECRET_KEY="bench")
    common.configure()
    common.setup(migrate=False)
    from django.test import Client

    from lianxin.accounts.models import Membership, Role
    from lianxin.cases.models import Case, CasePart

    office = Membership.objects.filter(role=Role.DISPATCHER).first().user
    handler_part = CasePart.objects.filter(status="accepted").select_related("unit").first()
    handler = Membership.objects.filter(role=Role.DEPT_HANDLER, unit=handler_part.unit).first().user
    case = Case.objects.filter(status="in_progress", lead_unit=handler_part.unit).first()
    print(f"cases: {Case.objects.count()}; open: {Case.objects.exclude(status='closed').count()}")

    def client(user=None) -> Client:
        c = Client()
        if user is not None:
            c.force_login(user)
        return c

    pages = [
        ("login page (baseline)", client(), "/login/"),
        ("office inbox", client(office), "/"),
        ("department inbox", client(handler), "/"),
        ("office case list, first page", client(office), "/cases/"),
        ("office case list, overdue", client(office), "/cases/?deadline=overdue"),
        ("office case list, search 路灯", client(office), "/cases/?q=路灯"),
        ("office case list, search 消防通道", client(office), "/cases/?q=消防通道"),
        ("department case list", client(handler), "/cases/"),
        ("case page (office)", client(office), f"/cases/{case.pk}/"),
        ("case page (department)", client(handler), f"/cases/{case.pk}/"),
    ]
    results = []
    for label, c, url in pages:
        assert c.get(url).status_code == 200, (label, url)  # warm, and check it works
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            c.get(url)
            samples.append((time.perf_counter() - started) * 1000)
        samples.sort()
        results.append((label, statistics.median(samples), samples[int(0.95 * (runs - 1))]))
    base = results[0][1]
    print("| page | median (ms) | p95 (ms) | median ÷ baseline |")
    print("|---|---:|---:|---:|")
    for label, median, p95 in results:
        print(f"| {label} | {median:.1f} | {p95:.1f} | {median / base:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--reuse", action="store_true", help="measure the database already built")
    args = parser.parse_args()
    if not args.reuse:
        started = time.perf_counter()
        build(args.cases)
        print(f"built {args.cases} cases in {time.perf_counter() - started:.0f} s", flush=True)
    measure(args.runs)


if __name__ == "__main__":
    main()
