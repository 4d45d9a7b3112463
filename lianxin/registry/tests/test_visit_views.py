"""The cadre's pages: his households in the order they are due, and the visit form."""

import datetime as dt

import time_machine
from django.urls import reverse

from lianxin.cases.models import Case
from lianxin.registry import actions
from lianxin.registry.models import Question, Round, Tag, Visit, VisitDue
from lianxin.test import LianxinTestCase, at


class VisitPagesTest(LianxinTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build_registers(cls)
        cls.round = Round.objects.create(
            number=3,
            title="第三轮大走访",
            starts_on=dt.date(2025, 10, 9),
            ends_on=dt.date(2025, 11, 30),
        )
        cls.round.priority_tags.set(Tag.objects.filter(code="dibao"))
        Question.objects.create(
            round=cls.round, position=1, text="家中是否有困难？", kind="yes_no", required=True
        )
        actions.do_open_round(cls.round, actor=cls.dispatcher, when=at(2025, 10, 8))

    def setUp(self):
        self.enterContext(time_machine.travel(at(2025, 10, 10, 16), tick=False))
        self.form_url = reverse("visits:form", args=[self.household.pk])

    def post(self, user, url=None, json=False, **fields):
        self.client.force_login(user)
        data = {
            "client_key": "k-1",
            "visited_at": "2025-10-10T15:00",
            "method": "in_person",
            "met": "yes",
            "q_1": "no",
            "note": "家中一切正常",
            "opinion_title": ["楼道灯坏了"],
            "opinion_text": ["3号楼2单元楼道灯坏了一个月"],
            "opinion_category": [""],
            **fields,
        }
        headers = {"X-Requested-With": "fetch"} if json else {}
        return self.client.post(url or self.form_url, data, headers=headers)

    def test_the_cadre_sees_his_pairs_households_the_due_one_first(self):
        actions.do_open_urgent_visit(
            self.neighbour, actor=self.community_staff, reason="老人住院", when=at(2025, 10, 10)
        )
        self.client.force_login(self.cadre_user)
        response = self.client.get(reverse("visits:mine"))
        self.assertEqual(response.status_code, 200)
        shown = [h.pk for h in response.context["page"].object_list]
        # The neighbour's 及时访 before 王秀兰's 重点访; the other community not at all.
        self.assertEqual(shown, [self.neighbour.pk, self.household.pk])
        self.assertContains(response, "及时访")
        self.assertContains(response, "13812341234")  # his own pair: unmasked

    def test_an_overdue_household_comes_first(self):
        with time_machine.travel(at(2025, 10, 20, 9), tick=False):
            actions.do_open_urgent_visit(self.neighbour, actor=self.community_staff, reason="x事由")
            self.client.force_login(self.cadre_user)
            response = self.client.get(reverse("visits:mine"))
        # 王秀兰's 重点访 (due 15 October) is overdue; the neighbour's 及时访 is not yet.
        shown = [h.pk for h in response.context["page"].object_list]
        self.assertEqual(shown, [self.household.pk, self.neighbour.pk])
        self.assertContains(response, "已超期")

    def test_the_grid_worker_sees_his_grid_with_phones_masked(self):
        self.client.force_login(self.grid_worker)
        response = self.client.get(reverse("visits:mine"))
        self.assertEqual(len(response.context["page"].object_list), 2)
        self.assertContains(response, "138****1234")
        self.assertNotContains(response, "13812341234")

    def test_the_form_shows_the_questionnaire_and_the_due(self):
        self.client.force_login(self.cadre_user)
        response = self.client.get(self.form_url)
        self.assertContains(response, "家中是否有困难？")
        self.assertContains(response, "重点访")
        self.assertContains(response, 'name="client_key"')

    def test_a_cadre_records_a_visit_with_an_opinion(self):
        response = self.post(self.cadre_user)
        self.assertRedirects(response, reverse("visits:mine"))
        visit = Visit.objects.get()
        self.assertEqual(
            (visit.household, visit.round, visit.answers), (self.household, self.round, {"1": "no"})
        )
        case = Case.objects.get()
        self.assertEqual((case.channel, case.registered_at), ("visit", at(2025, 10, 10, 15)))
        self.assertEqual(visit.heard_cases.get().case, case)

    def test_sent_twice_by_the_phone_it_is_recorded_once(self):
        for _ in range(2):
            response = self.post(self.cadre_user, json=True)
            self.assertEqual(response.status_code, 200)
            self.assertTrue(response.json()["ok"])
        self.assertEqual(Visit.objects.count(), 1)
        self.assertEqual(Case.objects.count(), 1)

    def test_a_missing_answer_is_refused_in_chinese_and_what_was_typed_stays(self):
        response = self.post(self.cadre_user, q_1="")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "请回答第1题", status_code=400)
        self.assertContains(response, "3号楼2单元楼道灯坏了一个月", status_code=400)
        self.assertContains(response, "家中一切正常", status_code=400)
        response = self.post(self.cadre_user, json=True, method="")
        self.assertEqual(response.json(), {"ok": False, "error": "请选择走访方式。"})
        self.assertFalse(Visit.objects.exists())

    def test_an_opinion_keeps_its_category_and_a_bad_one_is_refused(self):
        response = self.post(self.cadre_user, opinion_category=["x1"])
        self.assertContains(response, "所选分类无效", status_code=400)
        self.assertFalse(Visit.objects.exists())
        self.post(self.cadre_user, opinion_category=[str(self.category.pk)])
        self.assertEqual(Case.objects.get().category, self.category)

    def test_community_staff_and_the_grid_worker_may_record(self):
        self.assertEqual(self.post(self.community_staff, client_key="a").status_code, 302)
        self.assertEqual(self.post(self.grid_worker, client_key="b").status_code, 302)
        self.assertEqual(Visit.objects.count(), 2)

    def test_who_may_only_see_the_household_is_turned_away_and_others_get_404(self):
        # The department attached to the 片区 sees the household but does not visit it.
        self.assertEqual(self.post(self.handler_a).status_code, 403)
        for outsider in (self.handler_b, self.other_grid_worker):
            with self.subTest(outsider=outsider):
                self.assertEqual(self.post(outsider).status_code, 404)
        self.assertFalse(Visit.objects.exists())

    def test_signed_out_goes_to_the_phone_login_and_a_put_is_refused(self):
        response = self.client.get(reverse("visits:mine"))
        self.assertRedirects(response, "/m/login/?next=/visits/", fetch_redirect_response=False)
        self.client.force_login(self.cadre_user)
        self.assertEqual(self.client.put(self.form_url).status_code, 405)
        self.assertEqual(self.client.post(reverse("visits:mine")).status_code, 405)


class VisitQueuesTest(LianxinTestCase):
    """The staff inbox shows the visits due among the households one visits."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build_registers(cls)
        round_ = Round.objects.create(
            number=1, title="第一轮", starts_on=dt.date(2025, 10, 9), ends_on=dt.date(2025, 11, 30)
        )
        round_.priority_tags.set(Tag.objects.filter(code="dibao"))
        actions.do_open_round(round_, actor=cls.dispatcher, when=at(2025, 10, 8))
        actions.do_open_urgent_visit(
            cls.neighbour, actor=cls.community_staff, reason="老人住院", when=at(2025, 10, 20)
        )

    def setUp(self):
        # 王秀兰's 重点访 was due on 15 October: overdue; the neighbour's 及时访 is not yet.
        self.enterContext(time_machine.travel(at(2025, 10, 20, 16), tick=False))

    def queues(self, user):
        self.client.force_login(user)
        response = self.client.get(reverse("workbench:home"))
        self.assertEqual(response.status_code, 200)
        return {q.code: q.count for q in response.context["visit_queues"]}

    def test_the_community_and_the_cadre_see_what_is_due(self):
        expected = {"overdue": 1, "urgent": 1, "priority": 1}
        self.assertEqual(self.queues(self.community_staff), expected)
        self.assertEqual(self.queues(self.cadre_user), expected)
        response = self.client.get(reverse("workbench:home"))
        self.assertContains(response, "走访已超期")
        self.assertContains(response, reverse("visits:mine") + "?due=overdue")

    def test_each_count_opens_exactly_those_households(self):
        self.client.force_login(self.community_staff)
        for code, household in (
            ("overdue", self.household),
            ("urgent", self.neighbour),
            ("priority", self.household),
        ):
            with self.subTest(code=code):
                response = self.client.get(reverse("visits:mine"), {"due": code})
                self.assertEqual(list(response.context["page"].object_list), [household])

    def test_other_units_see_no_visit_queues(self):
        self.assertEqual(
            self.queues(self.other_grid_worker), {"overdue": 0, "urgent": 0, "priority": 0}
        )
        self.assertEqual(self.queues(self.handler_a), {})

    def test_a_cadre_without_a_staff_role_is_sent_to_his_households(self):
        self.client.force_login(self.outside_cadre_user)
        response = self.client.get(reverse("workbench:home"))
        self.assertRedirects(response, reverse("visits:mine"))
        self.client.force_login(self.resident)
        response = self.client.get(reverse("workbench:home"))
        self.assertRedirects(response, reverse("portal:mine"))


class UrgentVisitPageTest(LianxinTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build_registers(cls)

    def setUp(self):
        self.enterContext(time_machine.travel(at(2025, 10, 10, 16), tick=False))
        self.url = reverse("visits:urgent", args=[self.household.pk])

    def test_the_department_attached_to_the_zone_raises_one(self):
        self.client.force_login(self.handler_a)
        self.assertContains(self.client.get(self.url), "2个工作日内")
        response = self.client.post(self.url, {"reason": "老人摔伤住院"})
        self.assertRedirects(response, self.url, fetch_redirect_response=False)
        due = VisitDue.objects.get()
        self.assertEqual(
            (due.kind, due.reason, due.opened_by), ("urgent", "老人摔伤住院", self.handler_a)
        )
        self.assertContains(self.client.get(self.url), "已发起及时访，请于2025-10-13前走访")

    def test_the_community_lands_on_the_visit_form(self):
        self.client.force_login(self.community_staff)
        response = self.client.post(self.url, {"reason": "邻里纠纷"})
        self.assertRedirects(response, reverse("visits:form", args=[self.household.pk]))

    def test_no_reason_is_refused_in_chinese(self):
        self.client.force_login(self.community_staff)
        response = self.client.post(self.url, {"reason": "  "})
        self.assertContains(response, "请写明发起及时访的事由", status_code=400)
        self.assertFalse(VisitDue.objects.exists())

    def test_who_cannot_see_the_household_gets_404_and_a_put_is_refused(self):
        for outsider in (self.handler_b, self.other_grid_worker, self.resident):
            with self.subTest(outsider=outsider):
                self.client.force_login(outsider)
                response = self.client.post(self.url, {"reason": "邻里纠纷"})
                self.assertEqual(response.status_code, 404)
        self.client.force_login(self.community_staff)
        self.assertEqual(self.client.put(self.url).status_code, 405)
        self.assertFalse(VisitDue.objects.exists())


class RoundsPageTest(LianxinTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build_registers(cls)
        cls.round = Round.objects.create(
            number=1,
            title="第一轮大走访",
            starts_on=dt.date(2025, 10, 9),
            ends_on=dt.date(2025, 11, 30),
        )
        cls.round.priority_tags.set(Tag.objects.filter(code="dibao"))

    def test_the_office_opens_and_closes_a_round(self):
        self.client.force_login(self.dispatcher)
        self.assertContains(self.client.get(reverse("workbench:home")), reverse("visits:rounds"))
        self.assertContains(self.client.get(reverse("visits:rounds")), "第一轮大走访")
        response = self.client.post(reverse("visits:open", args=[self.round.pk]), follow=True)
        self.assertContains(response, "“第一轮大走访”已启动，重点访1户。")
        self.assertContains(response, "0 / 1")
        response = self.client.post(reverse("visits:open", args=[self.round.pk]), follow=True)
        self.assertContains(response, "只有筹备中的轮次才能启动。")
        self.client.post(reverse("visits:close", args=[self.round.pk]))
        self.round.refresh_from_db()
        self.assertEqual(self.round.status, Round.Status.CLOSED)
        self.assertEqual(VisitDue.objects.count(), 1)

    def test_each_round_counts_its_own_dues_and_households_visited(self):
        actions.do_open_round(self.round, actor=self.dispatcher, when=at(2025, 10, 9, 9))
        self.round.refresh_from_db()
        for household, met in (
            (self.household, False),
            (self.household, True),
            (self.neighbour, True),
        ):
            actions.do_record_visit(
                household,
                actor=self.cadre_user,
                round=self.round,
                visited_at=at(2025, 10, 10, 10),
                method="in_person",
                met=met,
                when=at(2025, 10, 10, 10),
            )
        Round.objects.create(
            number=2,
            title="第二轮大走访",
            starts_on=dt.date(2026, 3, 1),
            ends_on=dt.date(2026, 4, 30),
        )
        self.client.force_login(self.dispatcher)
        rows = {r.number: r for r in self.client.get(reverse("visits:rounds")).context["rounds"]}
        # Two visits to 王秀兰 are one household; her 重点访 was done by the first.
        self.assertEqual((rows[1].dues_done, rows[1].dues, rows[1].visited), (1, 1, 2))
        self.assertEqual((rows[2].dues_done, rows[2].dues, rows[2].visited), (0, 0, 0))

    def test_no_one_else_finds_the_page_and_a_get_changes_nothing(self):
        for user in (self.community_staff, self.cadre_user, self.handler_a):
            with self.subTest(user=user):
                self.client.force_login(user)
                self.assertEqual(self.client.get(reverse("visits:rounds")).status_code, 404)
                response = self.client.post(reverse("visits:open", args=[self.round.pk]))
                self.assertEqual(response.status_code, 404)
        self.client.force_login(self.dispatcher)
        self.assertEqual(
            self.client.get(reverse("visits:open", args=[self.round.pk])).status_code, 405
        )
        self.round.refresh_from_db()
        self.assertEqual(self.round.status, Round.Status.DRAFT)
