"""The district's first list of tags, as the articles name them; administrators edit it."""

from django.db import migrations

TAGS = [
    ("lao_dangyuan", "老党员", "五老"),
    ("lao_ganbu", "老干部", "五老"),
    ("lao_jiaoshi", "老教师", "五老"),
    ("lao_junren", "老军人", "五老"),
    ("lao_mofan", "老模范", "五老"),
    ("dibao", "低保", ""),
    ("kunnan", "困难", ""),
    ("duju", "独居", ""),
    ("canji", "残疾", ""),
    ("gaoling", "高龄", ""),
    ("zhongbing", "重病", ""),
    ("tuiyi_junren", "退役军人", ""),
]


def seed(apps, schema_editor):
    Tag = apps.get_model("registry", "Tag")
    for order, (code, name, group) in enumerate(TAGS):
        Tag.objects.get_or_create(
            code=code, defaults={"name": name, "group": group, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_create_registers")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
