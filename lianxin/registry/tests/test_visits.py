"""Rounds, visits and the visits households are due: deadlines on the official calendar,
opinions that become cases, a form sent twice, refusals with a reason."""

import datetime as dt

import time_machine

from lianxin.cases.models import Case
from lianxin.cases.rules import WorkflowError
from lianxin.orgs.models import DistrictSettings
from lianxin.registry import actions
from lianxin.registry.models import (
    HeardCase,
    Question,
    RegistryEvent,
    Round,
    Tag,
    Visit,
    VisitDue,
)
from lianxin.test import LianxinTestCase, at
from lianxin.workdays.days import end_of_day


class VisitsTestCase(LianxinTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build_registers(cls)

    def make_round(self, starts_on=dt.date(2025, 9, 30), days=5, number=1, tags=("dibao",)):
        round_ = Round.objects.create(
            number=number,
            title=f"第{number}轮大走访",
            starts_on=starts_on,
            ends_on=starts_on + dt.timedelta(days=60),
            priority_working_days=days,
        )
        round_.priority_tags.set(Tag.objects.filter(code__in=tags))
        return round_


class RoundDeadlineTest(VisitsTestCase):
    def test_a_round_starting_the_day_before_national_day_is_due_after_the_holiday(self):
        # 2025: 1–8 October off, Saturday 11 October worked (调休). Five working days
        # after Tuesday 30 September: 9, 10, 11 (Sat), 13, 14 October.
        round_ = self.make_round(starts_on=dt.date(2025, 9, 30), days=5)
        opened = actions.do_open_round(round_, actor=self.dispatcher, when=at(2025, 9, 29))
        self.assertEqual(opened, 1)
        due = VisitDue.objects.get()
        self.assertEqual(due.household, self.household)  # 王秀兰 has 低保; her neighbour none
        self.assertEqual(due.kind, VisitDue.Kind.PRIORITY)
        self.assertEqual(due.due_at, end_of_day(dt.date(2025, 10, 14)))
        round_.refresh_from_db()
        self.assertEqual(round_.status, Round.Status.OPEN)
        event = RegistryEvent.objects.get(code="registry.round.opened")
        self.assertEqual(event.data["priority_dues"], 1)

    def test_a_round_starting_on_new_years_eve_counts_the_sunday_worked_in_january(self):
        # 2026: 1–3 January off, Sunday 4 January worked. Three working days after
        # Wednesday 31 December 2025: 4, 5, 6 January.
        round_ = self.make_round(starts_on=dt.date(2025, 12, 31), days=3)
        actions.do_open_round(round_, actor=self.dispatcher, when=at(2025, 12, 30))
        self.assertEqual(VisitDue.objects.get().due_at, end_of_day(dt.date(2026, 1, 6)))

    def test_a_moved_out_resident_no_longer_makes_his_household_a_priority(self):
        actions.do_save_household(
            actor=self.dispatcher,
            community=self.community,
            grid=self.grid,
            address=self.household.address,
            head_name="王秀兰",
            phone="13812341234",
            member_count=1,
            residents=[{"name": "赵国强", "relation": "spouse", "tags": ["lao_junren"]}],
        )
        round_ = self.make_round()
        self.assertEqual(actions.do_open_round(round_, actor=self.dispatcher), 0)

    def test_only_the_office_opens_a_round_and_only_once(self):
        round_ = self.make_round()
        with self.assertRaises(WorkflowError) as raised:
            actions.do_open_round(round_, actor=self.community_staff)
        self.assertIn("组织走访轮次", str(raised.exception.message))
        self.assertFalse(VisitDue.objects.exists())
        actions.do_open_round(round_, actor=self.dispatcher)
        with self.assertRaises(WorkflowError):
            actions.do_open_round(round_, actor=self.dispatcher)
        self.assertEqual(VisitDue.objects.count(), 1)
        actions.do_close_round(round_, actor=self.dispatcher)
        round_.refresh_from_db()
        self.assertEqual(round_.status, Round.Status.CLOSED)


class UrgentVisitTest(VisitsTestCase):
    def test_raised_on_the_friday_before_a_worked_saturday_it_is_due_on_monday(self):
        # 2025: Saturday 11 October is a working day (调休). Two working days after
        # Friday 10 October: 11 (Sat) and 13 October; not the 14th.
        due = actions.do_open_urgent_visit(
            self.household, actor=self.grid_worker, reason="老人住院", when=at(2025, 10, 10)
        )
        self.assertEqual(due.kind, VisitDue.Kind.URGENT)
        self.assertEqual(due.due_at, end_of_day(dt.date(2025, 10, 13)))
        self.assertEqual(
            RegistryEvent.objects.get(code="registry.visit_due.opened").household, self.household
        )

    def test_raised_the_day_before_a_holiday_it_waits_for_the_holiday_to_end(self):
        # Tuesday 30 September 2025, then 1–8 October off: due Friday 10 October.
        due = actions.do_open_urgent_visit(
            self.household, actor=self.community_staff, reason="家中失火", when=at(2025, 9, 30)
        )
        self.assertEqual(due.due_at, end_of_day(dt.date(2025, 10, 10)))

    def test_raised_on_new_years_eve_it_is_due_on_the_first_monday_of_the_year(self):
        # 1–3 January 2026 off, Sunday the 4th worked: the 4th, then Monday the 5th.
        due = actions.do_open_urgent_visit(
            self.household, actor=self.community_staff, reason="独居老人摔伤", when=at(2025, 12, 31)
        )
        self.assertEqual(due.due_at, end_of_day(dt.date(2026, 1, 5)))

    def test_the_district_sets_the_limit(self):
        policy = DistrictSettings.load()
        policy.urgent_visit_working_days = 4
        policy.save()
        due = actions.do_open_urgent_visit(
            self.household, actor=self.community_staff, reason="老人住院", when=at(2025, 10, 10)
        )
        # 11 (Sat), 13, 14, 15 October.
        self.assertEqual(due.due_at, end_of_day(dt.date(2025, 10, 15)))

    def test_anyone_who_sees_the_household_may_raise_it_and_no_one_else(self):
        # The department attached to the household's 片区 sees it.
        actions.do_open_urgent_visit(self.household, actor=self.handler_a, reason="邻里纠纷")
        for outsider in (self.handler_b, self.other_grid_worker, self.resident):
            with self.subTest(outsider=outsider), self.assertRaises(WorkflowError):
                actions.do_open_urgent_visit(self.household, actor=outsider, reason="邻里纠纷")
        self.assertEqual(VisitDue.objects.count(), 1)

    def test_a_reason_is_required(self):
        with self.assertRaises(WorkflowError) as raised:
            actions.do_open_urgent_visit(self.household, actor=self.community_staff, reason=" ")
        self.assertIn("事由", str(raised.exception.message))


class RecordVisitTest(VisitsTestCase):
    def setUp(self):
        self.round = self.make_round(starts_on=dt.date(2025, 9, 30))
        Question.objects.create(
            round=self.round, position=1, text="家中是否有困难？", kind="yes_no", required=True
        )
        Question.objects.create(
            round=self.round,
            position=2,
            text="对社区服务是否满意？",
            kind="choice",
            choices=["满意", "基本满意", "不满意"],
        )
        actions.do_open_round(self.round, actor=self.dispatcher, when=at(2025, 9, 29))

    def record(self, **fields):
        values = {
            "actor": self.cadre_user,
            "visited_at": at(2025, 10, 9, 15, 30),
            "method": Visit.Method.IN_PERSON,
            "met": True,
            "answers": {"1": "yes", "2": "满意"},
            "note": "老人腿脚不便，楼道灯坏了",
            "when": at(2025, 10, 10, 9, 0),
        }
        return actions.do_record_visit(self.household, **{**values, **fields})

    def test_an_opinion_becomes_a_case_heard_from_the_household_when_it_was_said(self):
        visit = self.record(
            opinions=[{"title": "楼道灯坏了", "text": "3号楼2单元楼道灯坏了一个月"}]
        )
        self.assertEqual(visit.round, self.round)
        self.assertEqual(visit.pair, self.pair)
        self.assertEqual(visit.answers, {"1": "yes", "2": "满意"})
        heard = HeardCase.objects.get()
        self.assertEqual((heard.household, heard.visit), (self.household, visit))
        case = heard.case
        self.assertEqual(case.channel, "visit")
        self.assertEqual(case.registered_at, at(2025, 10, 9, 15, 30))
        self.assertEqual(case.address, self.household.address)
        self.assertEqual(case.grid, self.grid)
        self.assertEqual((case.resident_name, case.resident_phone), ("王秀兰", "13812341234"))
        self.assertEqual(case.recorded_by, self.cadre_user)
        event = RegistryEvent.objects.get(code="registry.visit.recorded")
        self.assertEqual(event.data["cases"], [case.tracking_number])

    def test_the_visit_fulfils_every_due_the_household_has_open_and_says_if_on_time(self):
        urgent = actions.do_open_urgent_visit(
            self.household, actor=self.community_staff, reason="老人住院", when=at(2025, 10, 9)
        )
        visit = self.record()
        dues = VisitDue.objects.filter(household=self.household)
        self.assertEqual({d.visit for d in dues}, {visit})
        event = RegistryEvent.objects.get(code="registry.visit.recorded")
        self.assertEqual(
            {(f["kind"], f["on_time"]) for f in event.data["fulfilled"]},
            {("priority", True), ("urgent", True)},
        )
        self.assertIn(urgent.pk, {f["due"] for f in event.data["fulfilled"]})

    def test_a_visit_after_the_deadline_is_done_late(self):
        self.record(visited_at=at(2025, 10, 15, 10), when=at(2025, 10, 15, 11))
        due = VisitDue.objects.get()
        self.assertIsNotNone(due.visit)
        fulfilled = RegistryEvent.objects.get(code="registry.visit.recorded").data["fulfilled"]
        self.assertEqual(fulfilled, [{"due": due.pk, "kind": "priority", "on_time": False}])

    def test_a_form_sent_twice_records_one_visit_and_one_set_of_cases(self):
        opinions = [
            {"title": "楼道灯坏了", "text": "3号楼2单元楼道灯坏了一个月"},
            {"title": "", "text": "希望小区增设休息座椅"},
        ]
        first = self.record(opinions=opinions, client_key="phone-7f3a")
        again = self.record(opinions=opinions, client_key="phone-7f3a")
        self.assertEqual(first, again)
        self.assertEqual(Visit.objects.count(), 1)
        self.assertEqual(Case.objects.count(), 2)
        self.assertEqual(
            set(Case.objects.values_list("title", flat=True)),
            {"楼道灯坏了", "希望小区增设休息座椅"},
        )

    def test_answers_are_checked_against_the_questionnaire(self):
        bad = [
            ({"2": "满意"}, "请回答第1题"),
            ({"1": "也许"}, "是"),
            ({"1": "no", "2": "还行"}, "选项"),
            ({"1": "no", "9": "x"}, "没有第9题"),
        ]
        for answers, reason in bad:
            with self.subTest(answers=answers):
                with self.assertRaises(WorkflowError) as raised:
                    self.record(answers=answers)
                self.assertIn(reason, str(raised.exception.message))
        self.assertFalse(Visit.objects.exists())
        self.assertEqual(self.record(answers={"1": False}).answers, {"1": "no"})

    def test_a_bad_opinion_loses_the_whole_visit_and_says_why(self):
        with self.assertRaises(WorkflowError) as raised:
            self.record(opinions=[{"title": "路灯", "text": ""}])
        self.assertIn("缺少具体内容", str(raised.exception.message))
        self.assertFalse(Visit.objects.exists())
        self.assertFalse(Case.objects.exists())

    def test_community_staff_and_the_grid_worker_may_record_and_others_may_not(self):
        for recorder in (self.community_staff, self.grid_worker):
            with self.subTest(recorder=recorder):
                self.assertEqual(self.record(actor=recorder).recorded_by, recorder)
        for outsider in (self.handler_a, self.other_grid_worker, self.resident):
            with self.subTest(outsider=outsider):
                with self.assertRaises(WorkflowError) as raised:
                    self.record(actor=outsider)
                self.assertIn("记录走访", str(raised.exception.message))
        self.assertEqual(Visit.objects.count(), 2)

    def test_a_cadre_with_no_staff_role_records_visits_but_not_opinions(self):
        # 李娜 is in the pair through a department that gave her no account role: the case
        # workflow would not know which unit registered the opinion.
        visit = self.record(actor=self.outside_cadre_user)
        self.assertEqual(visit.recorded_by, self.outside_cadre_user)
        with self.assertRaises(WorkflowError) as raised:
            self.record(
                actor=self.outside_cadre_user, opinions=[{"title": "路灯", "text": "路灯坏了很久"}]
            )
        self.assertIn("请社区代为登记", str(raised.exception.message))
        self.assertFalse(Case.objects.exists())

    def test_a_visit_in_the_future_or_with_no_method_is_refused(self):
        for fields, reason in (
            ({"visited_at": at(2025, 10, 11)}, "晚于现在"),
            ({"method": "letter"}, "走访方式"),
        ):
            with self.subTest(fields=fields):
                with self.assertRaises(WorkflowError) as raised:
                    self.record(**fields)
                self.assertIn(reason, str(raised.exception.message))


class OverdueVisitTest(VisitsTestCase):
    def test_a_missed_due_is_marked_once_with_an_event(self):
        due = actions.do_open_urgent_visit(
            self.household, actor=self.community_staff, reason="老人住院", when=at(2025, 10, 10)
        )
        self.assertEqual(actions.do_record_overdue_visits(when=at(2025, 10, 13, 23)), 0)
        self.assertEqual(actions.do_record_overdue_visits(when=at(2025, 10, 14, 8)), 1)
        self.assertEqual(actions.do_record_overdue_visits(when=at(2025, 10, 15, 8)), 0)
        due.refresh_from_db()
        self.assertEqual(due.overdue_at, at(2025, 10, 14, 8))
        event = RegistryEvent.objects.get(code="registry.visit_due.overdue")
        self.assertEqual((event.household, event.pair), (self.household, self.pair))

    def test_the_periodic_task_runs_the_scan(self):
        from lianxin.registry.tasks import record_overdue_visits

        actions.do_open_urgent_visit(
            self.household, actor=self.community_staff, reason="老人住院", when=at(2025, 10, 10)
        )
        with time_machine.travel(at(2025, 10, 20), tick=False):
            record_overdue_visits.call_local()
        self.assertIsNotNone(VisitDue.objects.get().overdue_at)
