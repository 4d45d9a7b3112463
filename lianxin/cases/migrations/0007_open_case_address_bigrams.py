"""A bigram index on open cases' addresses, for duplicates found by address alone.

A resident who neither pins the map nor is in a grid gives only an address; the
duplicate check (lianxin/intel/nearby.py) then looks for open cases whose address
names the same estate or road. Without this index that is a LIKE over every open
case of the last month. The index holds the character bigrams of the address
(`lianxin_bigrams`, created by 0005), only for open cases: the duplicate check
never looks at a handled one, and a few percent of the rows cost little on
writes. PostgreSQL only; SQLite (a district's worth of cases) keeps the LIKE.

The status list is the one `nearby.OPEN_STATUSES` filters by, spelled out here so
that this migration never changes when the code does; a query must repeat it for
the planner to use the index.
"""

from django.db import migrations

ADDRESS_INDEX = """
CREATE INDEX IF NOT EXISTS case_open_address_bigrams ON cases_case
USING gin (lianxin_bigrams("address"))
WHERE status IN ('registered', 'dispatched', 'returned', 'in_progress', 'replied', 'constrained')
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(ADDRESS_INDEX)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS case_open_address_bigrams")


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_inbox_and_nearby_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
