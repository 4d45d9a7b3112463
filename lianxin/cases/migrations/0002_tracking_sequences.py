from django.db import migrations


def create_sequences(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for year in range(2020, 2051):
        schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS cases_tracking_{year}")


def drop_sequences(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for year in range(2020, 2051):
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS cases_tracking_{year}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(create_sequences, drop_sequences)]
