"""Tracking numbers a resident can read over the phone: LX-2026-000123.

On PostgreSQL each year has a sequence, so concurrent registrations never queue
for a number (a counter row would stay locked until each one commits); a number
taken by a registration that then rolls back is not given again. The sequences
for 2020–2050 come with the migrations, and the daily job makes sure this year's
and next year's exist. SQLite serialises its writers anyway and keeps a counter
row per year, without gaps.
"""

from collections.abc import Iterable

from django.db import connection, transaction

from lianxin.cases.models import TrackingCounter


def sequence_name(year: int) -> str:
    return f"cases_tracking_{year:d}"


def next_tracking_number(year: int) -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [sequence_name(year)])
            (last,) = cursor.fetchone()
    else:
        last = _next_from_counter(year)
    return f"LX-{year}-{last:06d}"


def _next_from_counter(year: int) -> int:
    table = TrackingCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, last) VALUES (%s, 1) "  # noqa: S608  (no user input)
            f"ON CONFLICT (year) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [year],
        )
        row = cursor.fetchone()
        return int(row[0])


def ensure_year_sequences(years: Iterable[int]) -> None:
    """Create the years' sequences where missing (PostgreSQL; nothing to do on SQLite)."""
    if connection.vendor != "postgresql":
        return
    with transaction.atomic(), connection.cursor() as cursor:
        for year in years:
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {sequence_name(int(year))}")
