"""Public enterprises ranked apart, and timeliness in the assessment score.

A district still on the old default weights (响应 20, 解决 40, 满意 40) moves to the new
defaults; one that chose its own keeps them, with the two new weights at 0 so that they
still add up to 100 (its administrator can rebalance them in the admin).
"""

from django.db import migrations, models

OLD_DEFAULTS = (20, 40, 40)
NEW_DEFAULTS = {
    "weight_response": 10,
    "weight_reply_on_time": 15,
    "weight_resolve_on_time": 15,
    "weight_resolution": 30,
    "weight_satisfaction": 30,
}


def rebalance(apps, schema_editor):
    settings = apps.get_model("orgs", "DistrictSettings")
    for row in settings.objects.using(schema_editor.connection.alias):
        old = (row.weight_response, row.weight_resolution, row.weight_satisfaction)
        if old == OLD_DEFAULTS:
            for name, value in NEW_DEFAULTS.items():
                setattr(row, name, value)
        else:
            row.weight_reply_on_time = row.weight_resolve_on_time = 0
        row.save()


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0005_district_id_numbers'),
    ]

    operations = [
        migrations.AddField(
            model_name='districtsettings',
            name='weight_reply_on_time',
            field=models.PositiveSmallIntegerField(default=15, verbose_name='考核权重：按期答复率（%）'),
        ),
        migrations.AddField(
            model_name='districtsettings',
            name='weight_resolve_on_time',
            field=models.PositiveSmallIntegerField(default=15, verbose_name='考核权重：按期办结率（%）'),
        ),
        migrations.AddField(
            model_name='unit',
            name='public_enterprise',
            field=models.BooleanField(default=False, help_text='供水、供电、燃气、热力等公共服务企业：考核时与职能部门分开排名。', verbose_name='公共企业'),
        ),
        migrations.AlterField(
            model_name='districtsettings',
            name='weight_resolution',
            field=models.PositiveSmallIntegerField(default=30, verbose_name='考核权重：解决率（%）'),
        ),
        migrations.AlterField(
            model_name='districtsettings',
            name='weight_response',
            field=models.PositiveSmallIntegerField(default=10, verbose_name='考核权重：响应率（%）'),
        ),
        migrations.AlterField(
            model_name='districtsettings',
            name='weight_satisfaction',
            field=models.PositiveSmallIntegerField(default=30, verbose_name='考核权重：满意率（%）'),
        ),
        migrations.RunPython(rebalance, migrations.RunPython.noop),
    ]
