"""Count the cases already in the database into the new tally."""

from django.db import migrations


def count_cases(apps, schema_editor):
    from lianxin.figures.tally import rebuild

    rebuild(
        apps.get_model("cases", "Case"),
        tally_model=apps.get_model("figures", "Tally"),
        using=schema_editor.connection.alias,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("figures", "0001_tally"),
        ("cases", "0006_inbox_and_nearby_indexes"),
    ]

    operations = [migrations.RunPython(count_cases, migrations.RunPython.noop)]
