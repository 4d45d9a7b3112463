# The tamper-evident timeline (lianxin/cases/chain.py, docs/workflow.md): number each
# case's events and chain them with a keyed hash, existing events included.

import datetime as dt
import hashlib
import hmac
import json

from django.conf import settings
from django.db import migrations, models

# A frozen copy of the hashing as it stood when these columns were added: a migration
# runs with the historical models, never with today's code (which may have moved on).
# The chain written here must verify with lianxin/cases/chain.py; a test holds them equal.
BATCH = 2000
FIELDS = (
    "case_id",
    "seq",
    "part_id",
    "code",
    "actor_id",
    "actor_unit_id",
    "at",
    "from_status",
    "to_status",
    "note",
    "public",
    "data",
)


def link(values, previous, key):
    shaped = dict(values)
    shaped["at"] = values["at"].astimezone(dt.UTC).isoformat(timespec="microseconds")
    canonical = json.dumps(
        {name: shaped[name] for name in FIELDS},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    return hmac.new(key, canonical + b"\n" + previous.encode(), hashlib.sha256).hexdigest()


def chain_existing(apps, schema_editor):
    """Number and chain every event, per case in the order the events were written (id)."""
    CaseEvent = apps.get_model("cases", "CaseEvent")
    key = hashlib.sha256(b"lianxin.cases.chain:" + settings.AUDIT_CHAIN_KEY.encode()).digest()
    table = schema_editor.connection.ops.quote_name(CaseEvent._meta.db_table)
    sql = f"UPDATE {table} SET seq = %s, chain = %s WHERE id = %s"  # noqa: S608
    columns = [name for name in FIELDS if name != "seq"]
    rows = CaseEvent.objects.order_by("case_id", "id").values_list("id", *columns)
    current, seq, previous, batch = None, 0, "", []
    with schema_editor.connection.cursor() as cursor:
        for event_id, *fields in rows.iterator(chunk_size=BATCH):
            values = dict(zip(columns, fields))
            if values["case_id"] != current:
                current, seq, previous = values["case_id"], 0, ""
            seq += 1
            values["seq"] = seq
            previous = link(values, previous, key)
            batch.append((seq, previous, event_id))
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_add_casephoto_public"),
    ]

    operations = [
        migrations.AddField(
            model_name="caseevent",
            name="seq",
            field=models.PositiveIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="caseevent",
            name="chain",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="caseevent",
            name="seq",
            field=models.PositiveIntegerField(),
        ),
        migrations.AddConstraint(
            model_name="caseevent",
            constraint=models.UniqueConstraint(fields=("case", "seq"), name="event_case_seq"),
        ),
    ]
