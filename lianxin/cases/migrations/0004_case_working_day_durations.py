# Stored working-day durations for the figures (lianxin/figures, docs/metrics.md).

from django.db import migrations, models


def backfill(apps, schema_editor):
    from lianxin.figures.durations import backfill_durations

    backfill_durations(apps.get_model("cases", "Case"))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_support_exemplary_partner_channel"),
        ("workdays", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="response_working_days",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="响应用时（工作日）"
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="reply_working_days",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="答复用时（工作日）"
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="resolve_working_days",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="办结用时（工作日）"
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
