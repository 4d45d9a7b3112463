"""Message templates: seeded by a migration, edited in the admin, held to their placeholders."""

import importlib
import json

from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from lianxin.notify.kinds import KINDS, RESIDENT, placeholders_in, render, validate_text
from lianxin.notify.models import Message, MessageTemplate
from lianxin.notify.tests.jobs import queued, run_queued
from lianxin.notify.tests.test_notifications import JOBS, RESIDENT_PHONE, NotifyTestCase


class SeededTemplatesTest(NotifyTestCase):
    def test_the_migration_seeds_one_valid_template_per_kind(self):
        templates = {t.code: t for t in MessageTemplate.objects.all()}
        self.assertEqual(set(templates), set(KINDS))
        for code, template in templates.items():
            validate_text(code, template.text)  # raises if a seeded text is wrong
            values = dict.fromkeys(KINDS[code].placeholders, "X")
            self.assertNotIn("{", render(template.text, values), code)
            self.assertTrue(template.text.startswith("【连心】"), code)

    def test_the_seeded_residents_texts_carry_the_signed_link_not_the_four_digits(self):
        for code in ("resident.registered", "resident.replied", "resident.rate"):
            text = MessageTemplate.objects.get(code=code).text
            self.assertIn("{case_url}", text, code)
            self.assertNotIn("后四位", text, code)

    def test_the_link_migration_leaves_a_reworded_text_alone(self):
        linking = importlib.import_module("lianxin.notify.migrations.0004_link_residents_texts")
        reworded = "【连心】受理编号{tracking_number}，请到{follow_url}查询。"
        MessageTemplate.objects.filter(code="resident.registered").update(text=reworded)
        linking.unlink_texts(django_apps, None)
        self.assertIn("{follow_url}", MessageTemplate.objects.get(code="resident.rate").text)
        linking.link_texts(django_apps, None)
        self.assertEqual(MessageTemplate.objects.get(code="resident.registered").text, reworded)
        self.assertIn("{case_url}", MessageTemplate.objects.get(code="resident.rate").text)

    def test_residents_messages_cannot_carry_a_staff_note(self):
        for kind in KINDS.values():
            if kind.audience == RESIDENT:
                self.assertFalse({"note", "reason"} & set(kind.placeholders), kind.code)
        with self.assertRaises(ValidationError) as raised:
            validate_text("resident.replied", "您的问题：{note}")
        self.assertIn("{note} 不能用于此类通知", str(raised.exception))

    def test_residents_messages_cannot_carry_the_title_a_visitor_wrote(self):
        for kind in KINDS.values():
            if kind.audience == RESIDENT:
                self.assertNotIn("title", kind.placeholders, kind.code)
                template = MessageTemplate.objects.get(code=kind.code)
                self.assertNotIn("{title}", template.text, kind.code)
        with self.assertRaises(ValidationError) as raised:
            validate_text("resident.registered", "您反映的“{title}”已受理")
        self.assertIn("{title} 不能用于此类通知", str(raised.exception))

    def test_fancy_fields_are_refused(self):
        for text in ("{0}", "{title.upper}", "{title[0]}", "{title!r}", "{title:>40}", "{title"):
            with self.assertRaises(ValidationError, msg=text):
                validate_text("resident.registered", text)
        self.assertEqual(
            placeholders_in("受理编号{tracking_number}，{{不是占位符}}"), ["tracking_number"]
        )


class TemplateAdminTest(NotifyTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.admin)
        self.template = MessageTemplate.objects.get(code="resident.registered")
        self.url = reverse("admin:notify_messagetemplate_change", args=[self.template.pk])

    def post(self, text, active=True):
        data = {"code": self.template.code, "channel": "sms", "text": text}
        if active:
            data["active"] = "on"
        return self.client.post(self.url, data)

    def test_the_change_page_lists_the_kinds_placeholders(self):
        response = self.client.get(self.url)
        self.assertContains(response, "{tracking_number}")
        self.assertContains(response, "查询进度的网址")

    def test_an_unknown_placeholder_is_refused_in_chinese_and_nothing_is_saved(self):
        original = self.template.text
        response = self.post("您的诉求{tracking_number}，处理人电话{handler_phone}")
        self.assertContains(response, "模板中的占位符 {handler_phone} 不能用于此类通知")
        self.template.refresh_from_db()
        self.assertEqual(self.template.text, original)

    def test_an_edited_template_shapes_the_next_message(self):
        response = self.post("【连心】已受理，编号{tracking_number}。")
        self.assertEqual(response.status_code, 302)
        case = self.committed(self.register)
        run_queued(JOBS)
        [line] = [json.loads(x) for x in self.sms_file.read_text("utf-8").splitlines()]
        self.assertEqual(
            line,
            {**line, "to": RESIDENT_PHONE, "text": f"【连心】已受理，编号{case.tracking_number}。"},
        )

    def test_a_switched_off_template_sends_nothing(self):
        self.post(self.template.text, active=False)
        self.committed(self.register)
        run_queued(JOBS)
        self.assertFalse(Message.objects.exists())
        self.assertFalse(self.sms_file.exists())


class MessageLogAdminTest(NotifyTestCase):
    def test_the_log_lists_messages_and_resends_failed_ones(self):
        case = self.committed(self.register)
        run_queued(JOBS)
        message = Message.objects.get()
        Message.objects.filter(pk=message.pk).update(
            status=Message.Status.FAILED, attempts=5, last_error="HTTP 503"
        )
        self.client.force_login(self.admin)
        changelist = reverse("admin:notify_message_changelist")
        response = self.client.get(changelist)
        self.assertContains(response, case.tracking_number)
        self.assertContains(response, "138****1234")
        self.assertNotContains(response, RESIDENT_PHONE)

        response = self.client.post(
            changelist, {"action": "resend", "_selected_action": [message.pk]}, follow=True
        )
        self.assertContains(response, "已将1条短信重新加入发送队列")
        self.assertEqual([job.name for job in queued(JOBS)], ["send_messages"])
        run_queued(JOBS)
        message.refresh_from_db()
        self.assertEqual((message.status, message.attempts), (Message.Status.SENT, 1))
        self.assertEqual(len(self.sms_file.read_text("utf-8").splitlines()), 2)

    def test_only_administrators_see_the_log(self):
        self.client.force_login(self.dispatcher)
        response = self.client.get(reverse("admin:notify_message_changelist"))
        self.assertEqual(response.status_code, 302)  # to the admin's login
