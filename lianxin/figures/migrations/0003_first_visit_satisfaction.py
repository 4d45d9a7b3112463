"""Add the new fact `content_first` (一次满意率) to the tally for the cases already counted.

A case counts for it when it is valid, its latest verdict is content (satisfied or basically
satisfied) and it was never reopened. The tally only ever takes inserted rows, so this adds
one unsettled day row per group holding the new fact; the compaction job folds them in.
The rule and the dimensions are frozen here as they were written (figures/tally.py).
"""

import datetime as dt
from collections import Counter

from django.db import migrations
from django.utils import timezone

NOT_HANDLED = ("merged", "withdrawn", "voided")
CONTENT = ("satisfied", "basically")
# dimension -> case attribute holding its key (None: the district as a whole)
DIMENSIONS = {
    "district": None,
    "lead_unit": "lead_unit_id",
    "street": "street_id",
    "community": "community_id",
    "grid": "grid_id",
    "category": "category_id",
    "channel": "channel",
    "leader": "leader_id",
}


def add_first_content(apps, schema_editor):
    using = schema_editor.connection.alias
    case_model = apps.get_model("cases", "Case")
    tally_model = apps.get_model("figures", "Tally")
    zone = timezone.get_default_timezone()
    fields = [name for name in DIMENSIONS.values() if name]
    groups: Counter = Counter()
    cases = (
        case_model._base_manager.using(using)
        .exclude(status__in=NOT_HANDLED)
        .filter(satisfaction__in=CONTENT, reopen_count=0)
        .values("registered_at", *fields)
    )
    for values in cases.iterator(chunk_size=5000):
        day: dt.date = values["registered_at"].astimezone(zone).date()
        for dimension, name in DIMENSIONS.items():
            key = "" if name is None or values[name] is None else str(values[name])
            groups[(day, dimension, key)] += 1
    tally_model._base_manager.using(using).bulk_create(
        (
            tally_model(
                span="d",
                day=day,
                dimension=dimension,
                key=key,
                counts={"content_first": n},
                cases=0,
                settled=False,
            )
            for (day, dimension, key), n in groups.items()
        ),
        batch_size=2000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("figures", "0002_count_existing_cases"),
        ("cases", "0009_add_casephoto_public"),
    ]

    operations = [migrations.RunPython(add_first_content, migrations.RunPython.noop)]
