"""Every workflow action, tried by every member of the cast: exactly the right ones succeed,
and a refusal changes nothing."""

from lianxin.cases import actions
from lianxin.cases.models import Case, CasePart, CasePhoto, Status
from lianxin.cases.rules import RULES, WorkflowError
from lianxin.test import LianxinTestCase

CAST = [
    "resident",
    "other_resident",
    "grid_worker",
    "community_staff",
    "street_staff",
    "other_grid_worker",
    "handler_a",
    "head_a",
    "handler_b",
    "handler_c",
    "dispatcher",
    "leader",
    "admin",
]
S = Status
# Where each action is legal, written out from the workflow (docs and DOMAIN.md) rather
# than read from cases/rules.py: the test is an oracle for the rule table, not its echo.
BEFORE_RESOLUTION = {S.REGISTERED, S.DISPATCHED, S.RETURNED, S.IN_PROGRESS, S.REPLIED}
BEFORE_RESOLUTION |= {S.CONSTRAINED}
NOT_FINAL = BEFORE_RESOLUTION | {S.RESOLVED, S.VERIFIED}
HANDLING = {S.IN_PROGRESS, S.REPLIED}
LEGAL_STATES = {
    "dispatch": {S.REGISTERED, S.RETURNED},
    "split": {S.REGISTERED, S.RETURNED},
    "offer_for_claim": {S.REGISTERED},
    "claim": {S.REGISTERED},
    "whistle": {S.REGISTERED, S.IN_PROGRESS, S.REPLIED},
    "escalate": BEFORE_RESOLUTION,
    "instruct": NOT_FINAL,
    "assign_leader": NOT_FINAL,
    "accept": NOT_FINAL,
    "check_in": NOT_FINAL,
    "return": {S.DISPATCHED, S.IN_PROGRESS, S.REPLIED},
    "approve_return": NOT_FINAL,
    "refuse_return": NOT_FINAL,
    "note": NOT_FINAL,
    "reply": HANDLING,
    "request_extension": HANDLING,
    "decide_extension": BEFORE_RESOLUTION,
    "constrain": HANDLING,
    "review_constrained": {S.CONSTRAINED},
    "resume": {S.CONSTRAINED},
    "finish_part": NOT_FINAL,
    "resolve": HANDLING | {S.CONSTRAINED},
    "verify": {S.RESOLVED},
    "return_visit": {S.VERIFIED},
    "unreached_call": {S.VERIFIED},
    "merge": BEFORE_RESOLUTION - {S.CONSTRAINED},
    "withdraw": BEFORE_RESOLUTION,
    "void": NOT_FINAL,
    "mark_exemplary": {S.CLOSED},
    "unmark_exemplary": {S.CLOSED},
    # A photo may be published while the case is worked and after it closes.
    "publish_photo": NOT_FINAL | {S.CLOSED},
}
LEAD = {"handler_a", "head_a"}
AREA = {"grid_worker", "community_staff", "street_staff"}
DEPARTMENTS = {"handler_a", "head_a", "handler_b", "handler_c"}


def part_of(case, unit):
    return case.parts.get(unit=unit, status__in=CasePart.LIVE_STATUSES + ("returned",))


class Scenarios:
    """Each scenario: how to bring a case to where the action is legal, and how to take it."""

    def __init__(self, t):
        self.t = t

    def registered(self):
        return self.t.register()

    def offered(self):
        case = self.t.register()
        return actions.do_offer_case_for_claim(case, actor=self.t.dispatcher)

    def whistled(self):
        case = self.t.register()
        return actions.do_blow_whistle(
            case, actor=self.t.grid_worker, units=[self.t.dept_b], note="路面塌陷需住建部门到场"
        )

    def escalated(self):
        case = self.t.in_progress()
        return actions.do_escalate_case(case, actor=self.t.dispatcher, note="涉及多个部门职责")

    def split_accepted(self):
        case = self.t.dispatched(co_units=[self.t.dept_b])
        actions.do_accept_part(part_of(case, self.t.dept_b), actor=self.t.handler_b)
        return self.t.reload(case)

    def with_extension(self):
        case = self.t.in_progress()
        actions.do_request_extension(
            case, actor=self.t.handler_a, working_days=5, reason="需等待配件到货后更换"
        )
        return self.t.reload(case)

    def exemplary(self):
        case = self.t.case_in(Status.CLOSED)
        return actions.do_mark_exemplary(
            case, actor=self.t.dispatcher, note="三天内修复路灯，群众送来感谢信。"
        )

    def table(self):
        t = self.t
        return {
            "dispatch": (
                self.registered,
                lambda c, u: actions.do_dispatch_case(c, actor=u, unit=t.dept_a),
                {"dispatcher"},
            ),
            "split": (
                self.registered,
                lambda c, u: actions.do_split_case(c, actor=u, unit=t.dept_a, co_units=[t.dept_b]),
                {"dispatcher"},
            ),
            "offer_for_claim": (
                self.registered,
                lambda c, u: actions.do_offer_case_for_claim(c, actor=u),
                {"dispatcher"},
            ),
            "claim": (self.offered, lambda c, u: actions.do_claim_case(c, actor=u), DEPARTMENTS),
            "whistle": (
                self.registered,
                lambda c, u: actions.do_blow_whistle(
                    c, actor=u, units=[t.dept_b], note="需要部门到场"
                ),
                AREA,
            ),
            "escalate": (
                t.in_progress,
                lambda c, u: actions.do_escalate_case(c, actor=u, note="需要区级协调"),
                AREA | {"dispatcher"},
            ),
            "instruct": (
                self.escalated,
                lambda c, u: actions.do_instruct_case(
                    c, actor=u, instruction="请城管局牵头，一周内拿出方案"
                ),
                {"leader"},
            ),
            "assign_leader": (
                t.in_progress,
                lambda c, u: actions.do_assign_leader(c, actor=u, leader=t.leader),
                {"dispatcher"},
            ),
            "accept": (
                t.dispatched,
                lambda c, u: actions.do_accept_part(part_of(c, t.dept_a), actor=u),
                LEAD,
            ),
            "check_in": (
                self.whistled,
                lambda c, u: actions.do_check_in_part(part_of(c, t.dept_b), actor=u),
                {"handler_b"},
            ),
            "return": (
                t.dispatched,
                lambda c, u: actions.do_return_part(
                    part_of(c, t.dept_a), actor=u, reason="应由住建部门办理"
                ),
                LEAD,
            ),
            "approve_return": (
                lambda: t.case_in(Status.RETURNED),
                lambda c, u: actions.do_approve_return(part_of(c, t.dept_a), actor=u),
                {"dispatcher"},
            ),
            "refuse_return": (
                lambda: t.case_in(Status.RETURNED),
                lambda c, u: actions.do_refuse_return(
                    part_of(c, t.dept_a), actor=u, note="属于本部门职责"
                ),
                {"dispatcher"},
            ),
            "note": (
                t.in_progress,
                lambda c, u: actions.do_add_note(c, actor=u, note="已电话联系群众了解情况"),
                LEAD | AREA | {"dispatcher", "leader"},
            ),
            "reply": (
                t.in_progress,
                lambda c, u: actions.do_reply_case(
                    c, actor=u, text="已安排人员三个工作日内上门维修。"
                ),
                LEAD,
            ),
            "request_extension": (
                t.in_progress,
                lambda c, u: actions.do_request_extension(
                    c, actor=u, working_days=5, reason="需等待配件到货"
                ),
                LEAD,
            ),
            "decide_extension": (
                self.with_extension,
                lambda c, u: actions.do_decide_extension(c.extensions.get(), actor=u, approve=True),
                {"dispatcher"},
            ),
            "constrain": (
                t.in_progress,
                lambda c, u: actions.do_mark_constrained(
                    c, actor=u, explanation="需纳入明年改造计划，先做临时处置。"
                ),
                LEAD,
            ),
            "review_constrained": (
                lambda: t.case_in(Status.CONSTRAINED),
                lambda c, u: actions.do_review_constrained(c, actor=u, note="资金仍未落实"),
                LEAD | {"dispatcher"},
            ),
            "resume": (
                lambda: t.case_in(Status.CONSTRAINED),
                lambda c, u: actions.do_resume_case(c, actor=u, note="资金已落实"),
                LEAD | {"dispatcher"},
            ),
            "finish_part": (
                self.split_accepted,
                lambda c, u: actions.do_finish_part(
                    part_of(c, t.dept_b), actor=u, note="已完成楼体检测"
                ),
                {"handler_b"},
            ),
            "resolve": (
                t.replied,
                lambda c, u: actions.do_resolve_case(c, actor=u, note="已更换灯具并恢复照明。"),
                LEAD,
            ),
            "verify": (
                t.resolved,
                lambda c, u: actions.do_verify_case(c, actor=u, passed=True, on_site=True),
                {"dispatcher"},
            ),
            "return_visit": (
                t.verified,
                lambda c, u: actions.do_record_return_visit(
                    c, actor=u, satisfaction="satisfied", solved=True
                ),
                {"dispatcher", "resident"},
            ),
            "unreached_call": (
                t.verified,
                lambda c, u: actions.do_record_unreached_call(c, actor=u, note="无人接听"),
                {"dispatcher"},
            ),
            "merge": (
                t.in_progress,
                lambda c, u: actions.do_merge_case(c, actor=u, into=t.register()),
                {"dispatcher"},
            ),
            "withdraw": (
                t.in_progress,
                lambda c, u: actions.do_withdraw_case(c, actor=u, reason="问题已自行解决"),
                {"resident", "dispatcher"},
            ),
            "void": (
                t.in_progress,
                lambda c, u: actions.do_void_case(c, actor=u, reason="重复录入"),
                {"dispatcher"},
            ),
            "mark_exemplary": (
                lambda: t.case_in(Status.CLOSED),
                lambda c, u: actions.do_mark_exemplary(
                    c, actor=u, note="三天内修复路灯，群众送来感谢信。"
                ),
                {"dispatcher"},
            ),
            "unmark_exemplary": (
                self.exemplary,
                lambda c, u: actions.do_unmark_exemplary(c, actor=u),
                {"dispatcher"},
            ),
            "publish_photo": (
                self.registered,
                lambda c, u: actions.do_set_photo_public(photo_of(c), actor=u, public=True),
                {"dispatcher"},
            ),
        }


def photo_of(case: Case) -> CasePhoto:
    # The action reads no pixels: a row naming a file is enough, and writes nothing to disk.
    return case.photos.first() or CasePhoto.objects.create(
        case=case, stage=CasePhoto.Stage.INTAKE, image="cases/test.jpg"
    )


def snapshot(case: Case):
    case = Case.objects.get(pk=case.pk)
    parts = sorted(case.parts.values_list("unit_id", "status", "role"))
    return case.status, case.events.count(), parts, case.lead_unit_id, case.escalated


class EveryActionByEveryRoleTest(LianxinTestCase):
    def test_the_table_covers_every_rule(self):
        self.assertEqual(set(Scenarios(self).table()), set(RULES))

    def test_only_the_right_roles_may_act(self):
        for name, (setup, act, allowed) in Scenarios(self).table().items():
            for username in CAST:
                with self.subTest(action=name, user=username):
                    case = setup()
                    before = snapshot(case)
                    user = getattr(self, username)
                    if username in allowed:
                        act(case, user)
                        self.assertNotEqual(snapshot(case), before)
                    else:
                        with self.assertRaises(WorkflowError) as refused:
                            act(case, user)
                        self.assertEqual(refused.exception.code, "forbidden")
                        self.assertEqual(snapshot(case), before)


class EveryActionInEveryStateTest(LianxinTestCase):
    # Actions about a part, or about an extension, are refused by the part's own state;
    # they are tested below.
    PART_LEVEL = {
        "accept",
        "check_in",
        "return",
        "approve_return",
        "refuse_return",
        "finish_part",
        "decide_extension",
        "claim",
    }

    def test_the_rule_table_allows_each_action_where_the_workflow_does(self):
        self.assertEqual({name: set(rule.statuses) for name, rule in RULES.items()}, LEGAL_STATES)

    def test_an_action_outside_its_states_is_refused_and_changes_nothing(self):
        table = Scenarios(self).table()
        for name, legal in LEGAL_STATES.items():
            if name in self.PART_LEVEL:
                continue
            _setup, act, allowed = table[name]
            for status in Status:
                if status in legal:
                    continue
                for username in sorted(allowed):
                    with self.subTest(action=name, status=status, user=username):
                        case = self.case_in(status)
                        before = snapshot(case)
                        with self.assertRaises(WorkflowError) as refused:
                            act(case, getattr(self, username))
                        self.assertIn(refused.exception.code, {"invalid_transition", "forbidden"})
                        self.assertEqual(snapshot(case), before)

    def test_a_refusal_says_in_chinese_what_is_wrong(self):
        case = self.case_in(Status.CLOSED)
        with self.assertRaisesMessage(
            WorkflowError, "诉求当前状态为“已办结归档”，不能执行“派单”。"
        ):
            actions.do_dispatch_case(case, actor=self.dispatcher, unit=self.dept_a)
        with self.assertRaisesMessage(WorkflowError, "您无权对该诉求执行“派单”。"):
            actions.do_dispatch_case(self.register(), actor=self.handler_a, unit=self.dept_a)


class PartStateTest(LianxinTestCase):
    def test_a_part_is_accepted_once(self):
        case = self.in_progress()
        with self.assertRaisesMessage(WorkflowError, "当前为“办理中”，不能接单"):
            actions.do_accept_part(part_of(case, self.dept_a), actor=self.handler_a)

    def test_an_accepted_part_cannot_be_returned(self):
        case = self.in_progress()
        with self.assertRaises(WorkflowError):
            actions.do_return_part(
                part_of(case, self.dept_a), actor=self.handler_a, reason="不属于本部门职责"
            )

    def test_a_co_handler_finishes_only_after_accepting(self):
        case = self.dispatched(co_units=[self.dept_b])
        with self.assertRaises(WorkflowError):
            actions.do_finish_part(part_of(case, self.dept_b), actor=self.handler_b, note="完成")

    def test_a_return_is_reviewed_once(self):
        case = self.case_in(Status.RETURNED)
        actions.do_approve_return(part_of(case, self.dept_a), actor=self.dispatcher)
        with self.assertRaisesMessage(WorkflowError, "没有待审核的退单"):
            actions.do_refuse_return(part_of(case, self.dept_a), actor=self.dispatcher, note="x")

    def test_an_extension_is_decided_once(self):
        case = self.in_progress()
        extension = actions.do_request_extension(
            case, actor=self.handler_a, working_days=3, reason="等待配件到货"
        )
        actions.do_decide_extension(extension, actor=self.dispatcher, approve=False, note="不同意")
        with self.assertRaisesMessage(WorkflowError, "已审批"):
            actions.do_decide_extension(extension, actor=self.dispatcher, approve=True)

    def test_only_a_case_offered_for_claim_can_be_claimed(self):
        with self.assertRaisesMessage(WorkflowError, "未发布认领"):
            actions.do_claim_case(self.register(), actor=self.handler_a)
