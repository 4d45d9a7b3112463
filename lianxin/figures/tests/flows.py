"""Bringing cases through the real workflow actions at chosen moments (`when=`)."""

from lianxin.cases import actions
from lianxin.cases.models import Case, CasePart, Channel
from lianxin.test import LianxinTestCase

REPLY = "已安排维修人员本周五前更换灯具，请您耐心等待。"
RESOLUTION = "已更换3号楼门口路灯灯具，恢复照明。"
EXPLANATION = "该路段路灯改造需纳入明年市政计划，已登记并将逐步推进。"


class Flows:
    """Builders for a class that has the test district's cast (District.build)."""

    def handler_of(self, unit):
        return {
            self.dept_a.pk: self.handler_a,
            self.dept_b.pk: self.handler_b,
            self.dept_c.pk: self.handler_c,
        }[unit.pk if hasattr(unit, "pk") else unit]

    def new(self, when, **fields) -> Case:
        values = {
            "actor": self.grid_worker,
            "channel": Channel.PATROL,
            "title": "福临苑3号楼门口路灯不亮",
            "text": "福临苑小区3号楼门口的路灯坏了一个多星期，晚上老人出门看不清路。",
            "address": "福临苑小区3号楼",
            "grid": self.grid,
            "category": self.category,
            "resident": self.resident,
            "resident_name": "王秀兰",
            "resident_phone": "13812341234",
        }
        return actions.do_register_case(when=when, **(values | fields))

    def reload(self, case: Case) -> Case:
        return Case.objects.get(pk=case.pk)

    def dispatch(self, case, when, unit=None, **kwargs) -> Case:
        return actions.do_dispatch_case(
            case, actor=self.dispatcher, unit=unit or self.dept_a, when=when, **kwargs
        )

    def accept(self, case, when) -> Case:
        part = CasePart.objects.get(case=case, role="lead", status="assigned")
        actions.do_accept_part(part, actor=self.handler_of(part.unit_id), when=when)
        return self.reload(case)

    def lead_handler(self, case):
        return self.handler_of(self.reload(case).lead_unit_id)

    def reply(self, case, when) -> Case:
        return actions.do_reply_case(case, actor=self.lead_handler(case), text=REPLY, when=when)

    def constrain(self, case, when) -> Case:
        return actions.do_mark_constrained(
            case, actor=self.lead_handler(case), explanation=EXPLANATION, when=when
        )

    def resolve(self, case, when) -> Case:
        return actions.do_resolve_case(
            case, actor=self.lead_handler(case), note=RESOLUTION, when=when
        )

    def verify(self, case, when, passed=True) -> Case:
        return actions.do_verify_case(
            case,
            actor=self.dispatcher,
            passed=passed,
            on_site=False,
            note="" if passed else "现场查看路灯仍不亮",
            when=when,
        )

    def visit(self, case, when, satisfaction="satisfied", solved=True) -> Case:
        actions.do_record_return_visit(
            case,
            actor=self.dispatcher,
            satisfaction=satisfaction,
            solved=solved,
            comment="" if satisfaction != "unsatisfied" else "路灯又坏了",
            when=when,
        )
        return self.reload(case)

    def through(self, when_list, unit=None, until="closed", leader=None, **fields) -> Case:
        """Register, dispatch, accept, reply, resolve, verify, visit: one moment each, as far
        as `until`."""
        steps = ["registered", "dispatched", "in_progress", "replied", "resolved", "verified"]
        steps.append("closed")
        case = self.new(when_list[0], **fields)
        do = {
            "dispatched": lambda c, w: self.dispatch(c, w, unit=unit, leader=leader),
            "in_progress": self.accept,
            "replied": self.reply,
            "resolved": self.resolve,
            "verified": self.verify,
            "closed": self.visit,
        }
        for step, when in zip(steps[1:], when_list[1:], strict=False):
            case = do[step](case, when)
            if step == until:
                break
        return self.reload(case)


class FlowTestCase(Flows, LianxinTestCase):
    pass
