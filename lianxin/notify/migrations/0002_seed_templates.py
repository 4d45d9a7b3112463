"""Seed one SMS template per kind of message; administrators edit them afterwards."""

from django.db import migrations

TEXTS = {
    "resident.registered": (
        "【连心】您反映的“{title}”已受理，受理编号{tracking_number}。"
        "可凭受理编号和手机号后四位在{follow_url}查询办理进度。"
    ),
    "resident.replied": (
        "【连心】您反映的问题（受理编号{tracking_number}）已答复：{reply}"
        "详情请在{follow_url}查询。"
    ),
    "resident.resolved": (
        "【连心】您反映的问题（受理编号{tracking_number}）已办结，"
        "我们将核查办理情况并向您回访。"
    ),
    "resident.rate": (
        "【连心】您反映的问题（受理编号{tracking_number}）已办结并经核查，"
        "请在{follow_url}对办理结果作出评价，或等候我们的电话回访。"
    ),
    "staff.assigned": (
        "【连心】{unit}有新派单（{role}）：{tracking_number}“{title}”，地址{address}。"
        "请及时接单，并于{reply_due}前答复群众。"
    ),
    "staff.reply_due": (
        "【连心】{unit}承办的诉求{tracking_number}“{title}”将于{reply_due}答复到期，"
        "请及时答复群众。"
    ),
    "staff.overdue": (
        "【连心】{unit}承办的诉求{tracking_number}“{title}”已{deadline}逾期"
        "（期限{due}），请尽快办理。"
    ),
    "staff.returned": (
        "【连心】{unit}退回了诉求{tracking_number}“{title}”，理由：{reason}。请及时审核。"
    ),
    "staff.escalated": (
        "【连心】诉求{tracking_number}“{title}”已由{unit}提级，等待区领导批示。"
        "提级理由：{note}"
    ),
}


def seed(apps, schema_editor):
    MessageTemplate = apps.get_model("notify", "MessageTemplate")
    for code, text in TEXTS.items():
        MessageTemplate.objects.get_or_create(code=code, channel="sms", defaults={"text": text})


class Migration(migrations.Migration):
    dependencies = [("notify", "0001_add_templates_and_messages")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
