"""Searching cases by words of their title and text, in Chinese.

Chinese has no spaces between words, so neither PostgreSQL's text search nor
pg_trgm's trigrams fit it: most queries are two characters (路灯, 噪音), which
yield no trigram. On PostgreSQL a GIN index holds each case's distinct
character bigrams (the function `lianxin_bigrams`, created by migration); a
query's bigrams must all be present, which narrows a million cases to a few
candidates, and a plain substring test on those keeps the answer exact. A
one-character query, and SQLite (the embedded default, a district's worth of
cases), use the substring test alone.
"""

import re
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

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


def matching(cases: "QuerySet[Case]", query: str) -> "QuerySet[Case]":
    """The cases whose title or text contains `query`, or whose tracking number is it."""
    query = query.strip()
    if not query:
        return cases
    if TRACKING_NUMBER.fullmatch(query):
        return cases.filter(tracking_number=query.upper())
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
