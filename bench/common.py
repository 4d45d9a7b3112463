"""What the benchmark scripts share: running Django from a script, a PostgreSQL database
of the script's own, and the facts about the machine that every result is printed with.

A script imports it first, as `import common` (the script's folder is on `sys.path`), and
names its database before Django starts:

    import common

    common.configure("lianxin_bench_x")    # DATABASE_URL, when set, wins
    ...
    def main():
        common.setup()                     # create the database if missing, migrate
"""

import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"


def configure(database: str | None = None) -> None:
    """Make `lianxin` importable and point Django at its settings; `database` is the
    PostgreSQL database the script uses unless DATABASE_URL names another."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    if database is not None:
        os.environ.setdefault("DATABASE_URL", f"{PG_SERVER}/{database}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianxin.settings")


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database `url` names, unless it exists."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def recreate_database(url: str) -> None:
    """Drop the PostgreSQL database `url` names (if any) and create it empty."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup(*, migrate: bool = True) -> None:
    """Start Django on the script's database: created if missing, then migrated (a child
    process whose parent migrated already passes migrate=False)."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        ensure_database(url)
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def load_average() -> str:
    """The 1, 5 and 15 minute load averages: on a shared machine, part of every result."""
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def machine() -> str:
    """One line about where the numbers come from."""
    line = (
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cpus, "
        f"Python {platform.python_version()}"
    )
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            line += f", PostgreSQL {cursor.connection.info.server_version}"
    return f"{line}, load average {load_average()}"
