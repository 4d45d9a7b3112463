"""The bigram index behind case search on PostgreSQL (see lianxin/cases/search.py)."""

from django.db import migrations

BIGRAMS_FUNCTION = """
CREATE OR REPLACE FUNCTION lianxin_bigrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(lower(t), i, 2)), '{}')
    FROM generate_series(1, char_length(t) - 1) AS i
$$
"""

BIGRAMS_INDEX = """
CREATE INDEX IF NOT EXISTS case_text_bigrams ON cases_case
USING gin (lianxin_bigrams("title" || ' ' || "text"))
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(BIGRAMS_FUNCTION)
    schema_editor.execute(BIGRAMS_INDEX)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS case_text_bigrams")
    schema_editor.execute("DROP FUNCTION IF EXISTS lianxin_bigrams(text)")


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_case_working_day_durations")]

    operations = [migrations.RunPython(forwards, backwards)]
