"""The handling loop's rules, one behaviour at a time."""

import datetime as dt

from django.utils import timezone

from lianxin.cases import actions
from lianxin.cases.models import Case, CaseEvent, CasePart, ReturnVisit, Status
from lianxin.cases.rules import WorkflowError
from lianxin.test import LianxinTestCase, at

P = CasePart.PartStatus


class ReturnTest(LianxinTestCase):
    def test_a_returned_case_goes_back_to_the_office_with_the_reason(self):
        case = self.dispatched()
        actions.do_return_part(case.parts.get(), actor=self.handler_a, reason="属于住建部门职责")
        case = self.reload(case)
        self.assertEqual(case.status, Status.RETURNED)
        self.assertIsNone(case.lead_unit)
        self.assertEqual(case.parts.get().return_reason, "属于住建部门职责")
        event = case.events.last()
        self.assertEqual((event.code, event.public), ("cases.part.returned", False))

    def test_the_office_redispatches_a_returned_case_to_another_department(self):
        case = self.case_in(Status.RETURNED)
        actions.do_dispatch_case(case, actor=self.dispatcher, unit=self.dept_b)
        case = self.reload(case)
        self.assertEqual((case.status, case.lead_unit), (Status.DISPATCHED, self.dept_b))
        returned = case.parts.get(unit=self.dept_a)
        self.assertEqual(returned.status, P.RETURNED)
        self.assertIsNotNone(returned.return_reviewed_at)
        self.assertEqual(case.parts.get(unit=self.dept_b).status, P.ASSIGNED)

    def test_a_refused_return_puts_the_case_back_with_the_same_department(self):
        case = self.case_in(Status.RETURNED)
        actions.do_refuse_return(case.parts.get(), actor=self.dispatcher, note="路灯属城管职责")
        case = self.reload(case)
        self.assertEqual((case.status, case.lead_unit), (Status.DISPATCHED, self.dept_a))
        actions.do_accept_part(case.parts.get(), actor=self.handler_a)
        self.assertEqual(self.reload(case).status, Status.IN_PROGRESS)

    def test_an_approved_return_waits_for_dispatch(self):
        case = self.case_in(Status.RETURNED)
        actions.do_approve_return(case.parts.get(), actor=self.dispatcher)
        self.assertEqual(self.reload(case).status, Status.REGISTERED)

    def test_a_return_needs_a_reason(self):
        case = self.dispatched()
        with self.assertRaisesMessage(WorkflowError, "请填写退单理由"):
            actions.do_return_part(case.parts.get(), actor=self.handler_a, reason="  ")


class SplitTest(LianxinTestCase):
    def test_a_split_case_has_a_lead_and_co_handlers(self):
        case = self.dispatched(co_units=[self.dept_b, self.dept_c])
        parts = {p.unit: p.role for p in case.parts.all()}
        self.assertEqual(parts, {self.dept_a: "lead", self.dept_b: "co", self.dept_c: "co"})
        self.assertEqual(case.events.last().code, "cases.case.split")

    def test_the_lead_cannot_resolve_while_a_co_handler_is_still_working(self):
        case = self.dispatched(co_units=[self.dept_b])
        actions.do_accept_part(case.parts.get(unit=self.dept_a), actor=self.handler_a)
        actions.do_accept_part(case.parts.get(unit=self.dept_b), actor=self.handler_b)
        with self.assertRaisesMessage(WorkflowError, "协办单位尚未完成：区住房和城乡建设局"):
            actions.do_resolve_case(case, actor=self.handler_a, note="已完成路灯更换和线路检修")
        actions.do_finish_part(
            case.parts.get(unit=self.dept_b), actor=self.handler_b, note="已完成楼体外墙线路检修"
        )
        actions.do_resolve_case(case, actor=self.handler_a, note="已完成路灯更换和线路检修")
        self.assertEqual(self.reload(case).status, Status.RESOLVED)

    def test_a_co_handler_made_lead_after_a_return_keeps_its_acceptance(self):
        case = self.dispatched(co_units=[self.dept_b])
        actions.do_accept_part(case.parts.get(unit=self.dept_b), actor=self.handler_b)
        actions.do_return_part(
            case.parts.get(unit=self.dept_a), actor=self.handler_a, reason="应由住建部门牵头"
        )
        actions.do_dispatch_case(case, actor=self.dispatcher, unit=self.dept_b)
        case = self.reload(case)
        self.assertEqual((case.status, case.lead_unit), (Status.IN_PROGRESS, self.dept_b))
        # The case was taken up when the new lead accepted its part, and counts as answered.
        self.assertEqual(case.accepted_at, case.parts.get(unit=self.dept_b).accepted_at)
        self.assertIsNotNone(case.response_working_days)
        actions.do_reply_case(case, actor=self.handler_b, text="已安排住建部门牵头现场勘查。")

    def test_lead_and_co_units_must_differ(self):
        with self.assertRaisesMessage(WorkflowError, "不能重复"):
            self.dispatched(co_units=[self.dept_a])


class PlaceAtDispatchTest(LianxinTestCase):
    def test_the_office_settles_the_grid_of_a_residents_own_report(self):
        case = self.register(actor=self.resident, channel="web", grid=None)
        self.assertIsNone(case.street)
        actions.do_dispatch_case(case, actor=self.dispatcher, unit=self.dept_a, grid=self.grid)
        case = self.reload(case)
        self.assertEqual(
            (case.grid, case.community, case.street), (self.grid, self.community, self.street)
        )
        self.assertIn(case, Case.objects.visible_to(self.street_staff))


class ClaimAndWhistleTest(LianxinTestCase):
    def test_a_claimed_case_is_accepted_by_the_claiming_department(self):
        case = self.register(open_for_claim=True, actor=self.dispatcher)
        actions.do_claim_case(case, actor=self.handler_b)
        case = self.reload(case)
        self.assertEqual((case.status, case.lead_unit), (Status.IN_PROGRESS, self.dept_b))
        self.assertEqual(case.parts.get().status, P.ACCEPTED)
        self.assertFalse(case.open_for_claim)

    def test_a_whistle_makes_the_grid_lead_and_summons_departments_to_check_in(self):
        case = self.register()
        actions.do_blow_whistle(
            case,
            actor=self.grid_worker,
            units=[self.dept_a, self.dept_b],
            note="小区地下管网破裂，需城管、住建到场",
        )
        case = self.reload(case)
        self.assertEqual((case.status, case.lead_unit), (Status.IN_PROGRESS, self.grid))
        summoned = case.parts.filter(role="summoned")
        self.assertEqual(summoned.count(), 2)
        actions.do_check_in_part(summoned.get(unit=self.dept_b), actor=self.handler_b)
        self.assertEqual(case.parts.get(unit=self.dept_b).status, P.ACCEPTED)
        self.assertEqual(case.events.last().code, "cases.part.checked_in")
        # The grid, as lead, answers the resident once the departments have done their part.
        with self.assertRaises(WorkflowError):
            actions.do_resolve_case(case, actor=self.grid_worker, note="管网已修复并恢复供水")

    def test_check_in_is_only_for_summoned_parts(self):
        case = self.dispatched()
        with self.assertRaisesMessage(WorkflowError, "不是吹哨报到任务"):
            actions.do_check_in_part(case.parts.get(), actor=self.handler_a)


class DeadlineMovesTest(LianxinTestCase):
    def test_an_approved_extension_moves_the_resolution_deadline_by_working_days(self):
        case = self.in_progress(when=at(2026, 9, 30))
        # 5 working days would be 13 October, before the reply: due with it on the 15th.
        self.assertEqual(case.resolve_due_at.date(), dt.date(2026, 10, 15))
        extension = actions.do_request_extension(
            case, actor=self.handler_a, working_days=5, reason="需等待灯杆配件到货"
        )
        actions.do_decide_extension(extension, actor=self.dispatcher, approve=True)
        case = self.reload(case)
        self.assertEqual(case.resolve_due_at.date(), dt.date(2026, 10, 22))
        self.assertEqual(case.reply_due_at.date(), dt.date(2026, 10, 15))  # the reply does not move
        self.assertTrue(case.events.filter(code="cases.case.extension_approved", public=True))

    def test_a_refused_extension_changes_no_deadline(self):
        case = self.in_progress()
        due = case.resolve_due_at
        extension = actions.do_request_extension(
            case, actor=self.handler_a, working_days=5, reason="需等待配件"
        )
        actions.do_decide_extension(
            extension, actor=self.dispatcher, approve=False, note="配件可就近采购"
        )
        self.assertEqual(self.reload(case).resolve_due_at, due)

    def test_one_extension_request_at_a_time(self):
        case = self.in_progress()
        actions.do_request_extension(case, actor=self.handler_a, working_days=5, reason="等待配件")
        with self.assertRaisesMessage(WorkflowError, "已有一份延期申请待审批"):
            actions.do_request_extension(
                case, actor=self.handler_a, working_days=3, reason="再等几天"
            )

    def test_an_extension_is_between_one_and_sixty_working_days(self):
        case = self.in_progress()
        for days in (0, 61):
            with self.assertRaisesMessage(WorkflowError, "延期天数须在1到60个工作日之间"):
                actions.do_request_extension(
                    case, actor=self.handler_a, working_days=days, reason="等待配件到货"
                )


class ConstrainedTest(LianxinTestCase):
    def test_constrained_counts_as_the_reply_and_is_reviewed_later(self):
        case = self.case_in(Status.CONSTRAINED)
        self.assertIsNotNone(case.replied_at)
        self.assertIn("明年市政计划", case.reply_text)
        self.assertGreater(case.constrained_review_at, case.replied_at + dt.timedelta(days=30))
        actions.do_resume_case(case, actor=self.handler_a, note="改造资金已到位")
        self.assertEqual(self.reload(case).status, Status.REPLIED)


class VerificationAndReturnVisitTest(LianxinTestCase):
    def test_a_failed_verification_sends_the_case_back(self):
        case = self.resolved()
        actions.do_verify_case(
            case, actor=self.dispatcher, passed=False, on_site=True, note="现场查看路灯仍不亮"
        )
        case = self.reload(case)
        self.assertEqual(case.status, Status.IN_PROGRESS)
        self.assertIsNone(case.resolved_at)

    def test_not_satisfied_reopens_the_case_with_the_same_department_and_counts_it(self):
        case = self.verified()
        actions.do_record_return_visit(
            case,
            actor=self.resident,
            satisfaction="unsatisfied",
            solved=False,
            comment="灯修好两天又坏了",
        )
        case = self.reload(case)
        self.assertEqual((case.status, case.lead_unit), (Status.IN_PROGRESS, self.dept_a))
        self.assertEqual(case.reopen_count, 1)
        self.assertEqual(case.events.last().code, "cases.case.reopened")
        self.assertEqual(case.events.last().note, "灯修好两天又坏了")
        # It goes round again, and the second verdict closes it.
        actions.do_resolve_case(case, actor=self.handler_a, note="更换整套灯具及线路，已复查")
        actions.do_verify_case(case, actor=self.dispatcher, passed=True, on_site=True)
        actions.do_record_return_visit(
            case, actor=self.dispatcher, satisfaction="basically", solved=True, method="phone"
        )
        case = self.reload(case)
        self.assertEqual((case.status, case.reopen_count), (Status.CLOSED, 1))
        self.assertEqual(
            list(ReturnVisit.objects.filter(case=case).values_list("method", flat=True)),
            ["phone", "self"],
        )

    def test_not_satisfied_needs_the_residents_reason(self):
        with self.assertRaisesMessage(WorkflowError, "请填写不满意的原因"):
            actions.do_record_return_visit(
                self.verified(), actor=self.dispatcher, satisfaction="unsatisfied", solved=False
            )

    def test_a_reopened_case_gets_a_fresh_resolution_deadline(self):
        case = self.verified(when=at(2026, 9, 1))
        actions.do_record_return_visit(
            case,
            actor=self.dispatcher,
            satisfaction="unsatisfied",
            solved=False,
            comment="没修好",
            when=at(2026, 10, 12),
        )
        self.assertEqual(self.reload(case).resolve_due_at.date(), dt.date(2026, 10, 19))


class EndingEarlyTest(LianxinTestCase):
    def test_a_merged_duplicate_points_to_the_case_that_goes_on(self):
        original = self.in_progress()
        duplicate = self.dispatched()
        actions.do_merge_case(duplicate, actor=self.dispatcher, into=original)
        duplicate = self.reload(duplicate)
        self.assertEqual((duplicate.status, duplicate.merged_into), (Status.MERGED, original))
        self.assertFalse(duplicate.parts.filter(status__in=CasePart.LIVE_STATUSES))
        self.assertTrue(original.events.filter(code="cases.case.duplicate_merged"))

    def test_a_case_cannot_be_merged_into_itself_or_a_closed_case(self):
        case = self.register()
        with self.assertRaisesMessage(WorkflowError, "不能把诉求合并到它自己"):
            actions.do_merge_case(case, actor=self.dispatcher, into=case)
        with self.assertRaisesMessage(WorkflowError, "目标诉求已结束"):
            actions.do_merge_case(case, actor=self.dispatcher, into=self.case_in(Status.CLOSED))

    def test_withdrawing_cancels_the_units_work(self):
        case = self.in_progress()
        actions.do_withdraw_case(case, actor=self.resident, reason="邻居已帮忙修好")
        case = self.reload(case)
        self.assertEqual(case.status, Status.WITHDRAWN)
        self.assertEqual(case.parts.get().status, P.CANCELLED)


class TimelineTest(LianxinTestCase):
    def test_events_are_append_only(self):
        event = self.register().events.get()
        event.note = "篡改"
        with self.assertRaises(ValueError):
            event.save()
        with self.assertRaises(ValueError):
            event.delete()

    def test_every_event_records_actor_unit_and_the_status_change(self):
        case = self.in_progress()
        event = CaseEvent.objects.get(case=case, code="cases.part.accepted")
        self.assertEqual(event.actor, self.handler_a)
        self.assertEqual(event.actor_unit, self.dept_a)
        self.assertEqual((event.from_status, event.to_status), ("dispatched", "in_progress"))

    def test_the_leaders_instruction_answers_an_escalation(self):
        case = self.in_progress()
        actions.do_escalate_case(
            case, actor=self.street_staff, note="涉及多部门", leader=self.leader
        )
        case = self.reload(case)
        self.assertTrue(case.escalated)
        self.assertEqual(case.leader, self.leader)
        actions.do_instruct_case(case, actor=self.leader, instruction="请城管局牵头办理")
        self.assertFalse(Case.objects.get(pk=case.pk).escalated)

    def test_only_a_leader_can_be_the_responsible_leader(self):
        with self.assertRaisesMessage(WorkflowError, "包案领导必须是区领导"):
            actions.do_assign_leader(
                self.in_progress(), actor=self.dispatcher, leader=self.handler_a
            )


class UnreachedCallTest(LianxinTestCase):
    """回访未接通: no verdict is invented; the next try is the next working day."""

    def test_the_office_records_it_and_the_case_waits_for_the_next_working_day(self):
        case = self.verified()
        # Friday 2026-10-09 at 16:30: Saturday 10-10 is a working day (made up for
        # National Day), so the next try is that Saturday at the same hour.
        friday = at(2026, 10, 9, 16, 30)
        case = actions.do_record_unreached_call(
            case, actor=self.dispatcher, note="关机", when=friday
        )
        self.assertEqual(case.unreached_calls, 1)
        self.assertEqual(timezone.localtime(case.call_again_at), at(2026, 10, 10, 16, 30))
        event = case.events.get(code="cases.case.call_unreached")
        self.assertEqual((event.note, event.data["attempt"], event.public), ("关机", 1, False))
        case = actions.do_record_unreached_call(case, actor=self.dispatcher, when=at(2026, 10, 10))
        self.assertEqual(case.unreached_calls, 2)
        self.assertEqual(case.status, Status.VERIFIED)

    def test_a_weekend_call_tries_again_on_monday(self):
        case = actions.do_record_unreached_call(
            self.verified(),
            actor=self.dispatcher,
            when=at(2026, 11, 14, 9, 0),  # Saturday
        )
        self.assertEqual(timezone.localtime(case.call_again_at), at(2026, 11, 16, 9, 0))

    def test_only_the_office_and_only_a_verified_case(self):
        case = self.verified()
        for user in (self.handler_a, self.grid_worker, self.resident, self.leader):
            with self.subTest(user=user.username), self.assertRaises(WorkflowError):
                actions.do_record_unreached_call(case, actor=user)
        with self.assertRaises(WorkflowError):
            actions.do_record_unreached_call(self.resolved(), actor=self.dispatcher)
        self.assertEqual(self.reload(case).unreached_calls, 0)

    def test_the_verdict_at_last_clears_the_next_try(self):
        case = actions.do_record_unreached_call(self.verified(), actor=self.dispatcher)
        self.visit(case, at(2026, 10, 20))
        self.assertIsNone(self.reload(case).call_again_at)
