# Residents' texts carry a signed link to their case (lianxin/cases/follow_links.py), so
# that following and rating it no longer rests on four digits (issue 12, issue 13).

from django.db import migrations

# The seeded sentences, and what each becomes; a text an administrator reworded is left
# as he wrote it (he can add {case_url} himself).
CHANGES = {
    "resident.registered": (
        "可凭受理编号和手机号后四位在{follow_url}查询办理进度。",
        "查询办理进度：{case_url}",
    ),
    "resident.replied": ("详情请在{follow_url}查询。", "详情：{case_url}"),
    "resident.rate": (
        "请在{follow_url}对办理结果作出评价",
        "请在{case_url}对办理结果作出评价",
    ),
}


def link_texts(apps, schema_editor):
    MessageTemplate = apps.get_model("notify", "MessageTemplate")
    for template in MessageTemplate.objects.filter(code__in=CHANGES):
        old, new = CHANGES[template.code]
        if old in template.text:
            template.text = template.text.replace(old, new)
            template.save(update_fields=["text"])


def unlink_texts(apps, schema_editor):
    MessageTemplate = apps.get_model("notify", "MessageTemplate")
    for template in MessageTemplate.objects.filter(code__in=CHANGES):
        old, new = CHANGES[template.code]
        if new in template.text:
            template.text = template.text.replace(new, old)
            template.save(update_fields=["text"])


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0003_add_phone_codes"),
    ]

    operations = [
        migrations.RunPython(link_texts, unlink_texts),
    ]
