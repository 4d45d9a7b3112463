"""Exemplary cases (选树典型案例): the office marks a closed case with a short write-up."""

from django.urls import reverse

from lianxin.cases import actions
from lianxin.cases.models import CaseEvent, Status
from lianxin.cases.rules import WorkflowError
from lianxin.test import LianxinTestCase

NOTE = "网格员当天上报，城管局三天内更换灯具，群众送来感谢信。"


class MarkExemplaryActionTest(LianxinTestCase):
    def test_the_office_marks_a_closed_case_and_an_event_records_it(self):
        case = self.case_in(Status.CLOSED)
        case = actions.do_mark_exemplary(case, actor=self.dispatcher, note=NOTE)
        case.refresh_from_db()
        self.assertTrue(case.exemplary)
        self.assertEqual(case.exemplary_note, NOTE)
        event = case.events.last()
        self.assertEqual(event.code, "cases.case.marked_exemplary")
        self.assertEqual((event.actor, event.actor_unit), (self.dispatcher, self.office))
        self.assertEqual((event.from_status, event.to_status), (Status.CLOSED, Status.CLOSED))
        self.assertEqual(event.note, NOTE)
        self.assertFalse(event.public)

    def test_marking_again_edits_the_write_up(self):
        case = actions.do_mark_exemplary(
            self.case_in(Status.CLOSED), actor=self.dispatcher, note=NOTE
        )
        case = actions.do_mark_exemplary(case, actor=self.dispatcher, note=NOTE + "已推广。")
        self.assertEqual(case.exemplary_note, NOTE + "已推广。")
        self.assertEqual(case.events.filter(code="cases.case.marked_exemplary").count(), 2)

    def test_unmarking_clears_the_flag_and_keeps_the_write_up_in_the_timeline(self):
        case = actions.do_mark_exemplary(
            self.case_in(Status.CLOSED), actor=self.dispatcher, note=NOTE
        )
        case = actions.do_unmark_exemplary(case, actor=self.dispatcher)
        case.refresh_from_db()
        self.assertEqual((case.exemplary, case.exemplary_note), (False, ""))
        codes = list(case.events.values_list("code", flat=True))[-2:]
        self.assertEqual(codes, ["cases.case.marked_exemplary", "cases.case.unmarked_exemplary"])
        with self.assertRaisesMessage(WorkflowError, "不是典型案例"):
            actions.do_unmark_exemplary(case, actor=self.dispatcher)

    def test_an_open_case_cannot_be_exemplary(self):
        case = self.verified()
        with self.assertRaisesMessage(WorkflowError, "不能执行“选树典型案例”"):
            actions.do_mark_exemplary(case, actor=self.dispatcher, note=NOTE)
        case.refresh_from_db()
        self.assertFalse(case.exemplary)

    def test_the_write_up_is_required_and_short(self):
        case = self.case_in(Status.CLOSED)
        events = case.events.count()
        for note in ("", "很好", "好" * 501):
            with self.subTest(length=len(note)), self.assertRaises(WorkflowError):
                actions.do_mark_exemplary(case, actor=self.dispatcher, note=note)
        case.refresh_from_db()
        self.assertFalse(case.exemplary)
        self.assertEqual(case.events.count(), events)

    def test_only_the_office_marks(self):
        case = self.case_in(Status.CLOSED)
        for user in (self.handler_a, self.leader, self.street_staff, self.resident, self.admin):
            with self.subTest(user=user.username):
                with self.assertRaises(WorkflowError) as refused:
                    actions.do_mark_exemplary(case, actor=user, note=NOTE)
                self.assertEqual(refused.exception.code, "forbidden")


class ExemplaryOnTheCasePageTest(LianxinTestCase):
    def url(self, case, action="mark_exemplary"):
        return reverse("workbench:case_action", args=[case.pk, action])

    def test_the_office_sees_the_form_on_a_closed_case(self):
        case = self.case_in(Status.CLOSED)
        self.client.force_login(self.dispatcher)
        page = self.client.get(reverse("workbench:case", args=[case.pk]))
        self.assertContains(page, "选树典型案例")
        self.assertContains(page, self.url(case))
        self.assertNotContains(page, self.url(case, "unmark_exemplary"))
        self.client.force_login(self.handler_a)
        page = self.client.get(reverse("workbench:case", args=[case.pk]))
        self.assertNotContains(page, self.url(case))

    def test_marking_through_htmx_returns_the_case_with_the_write_up(self):
        case = self.case_in(Status.CLOSED)
        self.client.force_login(self.dispatcher)
        response = self.client.post(self.url(case), {"note": NOTE}, HTTP_HX_REQUEST="true")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "已完成：选树典型案例")
        self.assertContains(response, NOTE)
        self.assertContains(response, self.url(case, "unmark_exemplary"))  # now offered
        case.refresh_from_db()
        self.assertTrue(case.exemplary)

    def test_unmarking_through_the_page(self):
        case = actions.do_mark_exemplary(
            self.case_in(Status.CLOSED), actor=self.dispatcher, note=NOTE
        )
        self.client.force_login(self.dispatcher)
        response = self.client.post(self.url(case, "unmark_exemplary"), {"note": NOTE})
        self.assertRedirects(response, reverse("workbench:case", args=[case.pk]))
        case.refresh_from_db()
        self.assertFalse(case.exemplary)

    def test_the_wrong_method_and_the_wrong_actor(self):
        case = self.case_in(Status.CLOSED)
        self.client.force_login(self.dispatcher)
        self.assertEqual(self.client.get(self.url(case)).status_code, 405)
        self.client.force_login(self.leader)
        response = self.client.post(self.url(case), {"note": NOTE})
        self.assertContains(response, "您无权对该诉求执行“选树典型案例”", status_code=400)
        case.refresh_from_db()
        self.assertFalse(case.exemplary)
        self.assertFalse(CaseEvent.objects.filter(code="cases.case.marked_exemplary").exists())

    def test_a_short_write_up_is_refused_in_chinese(self):
        case = self.case_in(Status.CLOSED)
        self.client.force_login(self.dispatcher)
        response = self.client.post(self.url(case), {"note": "好"}, HTTP_HX_REQUEST="true")
        self.assertContains(response, "请填写典型案例简介（至少10个字）")
