"""The office writes a visit round and its questionnaire on /visits/rounds/, and may change
them until the round opens."""

import datetime as dt

import time_machine
from django.urls import reverse

from lianxin.registry import actions
from lianxin.registry.models import Question, RegistryEvent, Round, Tag
from lianxin.test import LianxinTestCase, at


def form_data(**fields) -> dict:
    """A filled-in form: the round, then its question rows (a blank row is left blank)."""
    data = {
        "number": "3",
        "title": "",
        "starts_on": "2026-07-01",
        "ends_on": "2026-08-15",
        "materials": "联户连心服务卡、防汛明白纸",
        "priority_tags": [str(Tag.objects.get(code="dibao").pk)],
        "priority_working_days": "5",
        "q-TOTAL_FORMS": "3",
        "q-INITIAL_FORMS": "0",
        "q-MIN_NUM_FORMS": "0",
        "q-MAX_NUM_FORMS": "20",
        "q-0-text": "家中是否有困难？",
        "q-0-kind": "yes_no",
        "q-0-required": "on",
        "q-1-text": "对社区服务是否满意？",
        "q-1-kind": "choice",
        "q-1-choices": "满意\n基本满意\n\n不满意",
        "q-2-text": "",
        "q-2-kind": "yes_no",
    }
    data.update(fields)
    return data


class RoundFormTest(LianxinTestCase):
    def setUp(self):
        self.enterContext(time_machine.travel(at(2026, 6, 17), tick=False))
        self.client.force_login(self.dispatcher)

    def test_the_office_creates_a_round_with_its_questionnaire(self):
        response = self.client.post(reverse("visits:new_round"), form_data())
        self.assertRedirects(response, reverse("visits:rounds"), fetch_redirect_response=False)
        round_ = Round.objects.get()
        self.assertEqual(
            (round_.number, round_.title, round_.status, round_.starts_on, round_.ends_on),
            (3, "第3轮联户大走访", "draft", dt.date(2026, 7, 1), dt.date(2026, 8, 15)),
        )
        self.assertEqual(round_.materials, "联户连心服务卡、防汛明白纸")
        self.assertEqual([t.code for t in round_.priority_tags.all()], ["dibao"])
        questions = list(round_.questions.values_list("position", "text", "kind", "choices"))
        self.assertEqual(
            questions,
            [
                (1, "家中是否有困难？", "yes_no", []),
                (2, "对社区服务是否满意？", "choice", ["满意", "基本满意", "不满意"]),
            ],
        )
        self.assertTrue(round_.questions.get(position=1).required)
        event = RegistryEvent.objects.get(code="registry.round.created")
        self.assertEqual((event.actor, event.at), (self.dispatcher, at(2026, 6, 17)))
        self.assertEqual(event.data["questions"], ["家中是否有困难？", "对社区服务是否满意？"])
        page = self.client.get(reverse("visits:rounds")).content.decode()
        self.assertIn("已保存“第3轮联户大走访”。", page)
        self.assertIn(reverse("visits:edit_round", args=[round_.pk]), page)

    def test_a_round_in_preparation_is_edited_and_its_questions_replaced(self):
        self.client.post(reverse("visits:new_round"), form_data())
        round_ = Round.objects.get()
        page = self.client.get(reverse("visits:edit_round", args=[round_.pk]))
        self.assertContains(page, "对社区服务是否满意？")
        self.assertContains(page, "基本满意")
        edited = form_data(
            title="第三轮防汛走访",
            **{
                "q-TOTAL_FORMS": "2",
                "q-0-text": "房屋是否漏雨？",
                "q-1-text": "",
                "q-1-choices": "",
            },
        )
        response = self.client.post(reverse("visits:edit_round", args=[round_.pk]), edited)
        self.assertRedirects(response, reverse("visits:rounds"))
        round_.refresh_from_db()
        self.assertEqual(round_.title, "第三轮防汛走访")
        self.assertEqual(list(round_.questions.values_list("text", flat=True)), ["房屋是否漏雨？"])
        self.assertTrue(RegistryEvent.objects.filter(code="registry.round.updated").exists())

    def test_bad_input_gets_a_chinese_error_and_nothing_is_saved(self):
        Round.objects.create(
            number=2, title="第二轮", starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 4, 1)
        )
        cases = {
            "结束日期不能早于开始日期。": {"ends_on": "2026-06-30"},
            "单选题至少需要两个选项。": {"q-1-choices": "满意"},
            "第2轮已经存在。": {"number": "2"},
            "请填写轮次。": {"number": ""},
            "请填写有效的日期。": {"starts_on": "七月一日"},
        }
        for message, change in cases.items():
            with self.subTest(message):
                response = self.client.post(reverse("visits:new_round"), form_data(**change))
                self.assertContains(response, message, status_code=400)
                self.assertContains(response, "对社区服务是否满意？", status_code=400)
                self.assertEqual(Round.objects.count(), 1)
                self.assertFalse(Question.objects.exists())

    def test_an_opened_round_is_no_longer_edited(self):
        self.client.post(reverse("visits:new_round"), form_data())
        round_ = Round.objects.get()
        actions.do_open_round(round_, actor=self.dispatcher)
        url = reverse("visits:edit_round", args=[round_.pk])
        self.assertRedirects(self.client.get(url), reverse("visits:rounds"))
        response = self.client.post(url, form_data(title="改名"))
        self.assertContains(response, "只有筹备中的轮次才能修改。", status_code=400)
        round_.refresh_from_db()
        self.assertEqual(round_.title, "第3轮联户大走访")
        self.assertNotContains(self.client.get(reverse("visits:rounds")), url)

    def test_only_the_office_writes_rounds(self):
        for user in (self.community_staff, self.street_staff, self.leader, self.handler_a):
            with self.subTest(user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(reverse("visits:new_round")).status_code, 404)
                response = self.client.post(reverse("visits:new_round"), form_data())
                self.assertEqual(response.status_code, 404)
        self.assertFalse(Round.objects.exists())

    def test_the_wrong_method_is_refused(self):
        self.assertEqual(self.client.put(reverse("visits:new_round")).status_code, 405)
        self.assertEqual(self.client.delete(reverse("visits:new_round")).status_code, 405)
