"""Searching cases by words of their title and text, in Chinese.

Chinese has no spaces between words, so neither PostgreSQL's text search nor
pg_trgm's trigrams fit it: most queries are two characters (路灯, 噪音), which
yield no trigram. On PostgreSQL a GIN index holds each case's distinct
character bigrams (the function `lianxin_bigrams`, created by migration); a
query's bigrams must all be present, which narrows a million cases to a few
candidates, and a plain substring test on those keeps the answer exact. A
one-character query, and SQLite (the embedded default, a district's worth of
cases), use the substring test alone.

A seat types several words ("福临 路灯"): every word must match. A word may also
be what the caller gave rather than what he said: a tracking number or its
serial tail (2993 for LX-2026-002993), a phone number, a full name. Such a word
is tried first against the indexed column it looks like; only when no case has
it there is it searched for in the words of the cases, so that "2993" finds the
case a resident reads out, and "王秀兰" finds her cases rather than every text
that mentions her.
"""

import re
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

if TYPE_CHECKING:
    from lianxin.cases.models import Case

# The indexed expression; a query must spell it the same way for the planner
# to use the index (see the migration that creates both).
BIGRAMS_OF_CASE = 'lianxin_bigrams("cases_case"."title" || \' \' || "cases_case"."text")'


# LX-2026-000123: a query of this shape is a tracking number, never words.
TRACKING_NUMBER = re.compile(r"[A-Za-z]{2}-\d{4}-\d{6}")


def bigrams(text: str) -> list[str]:
    """The distinct two-character pieces of `text`, lower-cased, as the index holds them."""
    text = text.lower()
    return sorted({text[i : i + 2] for i in range(len(text) - 1)})


# 13912345678, 0532-88886666: a phone number as a caller gives it.
PHONE = re.compile(r"\+?\d[\d-]{6,18}\d")
# The serial part of a tracking number, as a resident reads out its tail.
SERIAL = re.compile(r"\d{1,6}")
# A full name: two to four Chinese characters (a longer one is rare enough to type whole).
NAME = re.compile(r"[\u4e00-\u9fff·]{2,6}")
SERIAL_YEARS = 12  # how far back a serial tail reaches


def matching(cases: "QuerySet[Case]", query: str) -> "QuerySet[Case]":
    """The cases that match every word of `query` (see the module's docstring)."""
    for term in query.split()[:8]:  # a pasted paragraph must not become 500 conditions
        cases = _matching_term(cases, term)
    return cases


def _matching_term(cases: "QuerySet[Case]", term: str) -> "QuerySet[Case]":
    if TRACKING_NUMBER.fullmatch(term):
        return cases.filter(tracking_number=term.upper())
    for looks_like, condition in _what_it_may_name(term):
        if looks_like.fullmatch(term):
            named = cases.filter(condition)
            if named.exists():  # an indexed probe: these columns are indexed
                return named
    return _words(cases, term)


def _what_it_may_name(term: str) -> list[tuple[re.Pattern[str], Q]]:
    this_year = timezone.localdate().year
    serial = f"{int(term):06d}" if SERIAL.fullmatch(term) else ""
    numbers = [f"LX-{year}-{serial}" for year in range(this_year - SERIAL_YEARS, this_year + 2)]
    return [
        (SERIAL, Q(tracking_number__in=numbers)),
        (PHONE, Q(resident_phone=term.replace("-", "")) | Q(resident_phone=term)),
        (NAME, Q(resident_name=term) & ~Q(resident_name="")),
    ]


def _words(cases: "QuerySet[Case]", query: str) -> "QuerySet[Case]":
    words = Q(title__icontains=query) | Q(text__icontains=query)
    if connection.vendor == "postgresql" and len(query) >= 2:
        # Kept apart from any OR, so that the index alone answers this condition and
        # PostgreSQL never recomputes a row's bigrams (a slow SQL function) to filter it.
        # The SQL is a constant; the words travel as a bound parameter.
        indexed = RawSQL(  # noqa: S611
            f"{BIGRAMS_OF_CASE} @> %s::text[]", (bigrams(query),), output_field=BooleanField()
        )
        return cases.filter(indexed).filter(words)
    return cases.filter(words)
