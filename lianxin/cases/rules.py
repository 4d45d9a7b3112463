"""Who may do what to a case, and in which state: the workflow's rule table.

Each action checks its rule before it writes anything; pages ask the same
table which actions to offer. A rule names the capacities that may take it:

- office: a dispatcher of the coordination office;
- leader: a district leader;
- lead: a member of the unit holding the case's live lead part;
- part: a member of the unit holding the part the action is about;
- area: staff of the street, community or grid the case lies in;
- department: staff of any functional department (for claiming);
- owner: the resident whose case it is;
- recorder: the user who recorded the case (staff at intake, an Open311 partner).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Actor
from lianxin.cases.access import standing_of
from lianxin.cases.models import Case, CasePart, Status
from lianxin.errors import WorkflowError as WorkflowError  # raised by check(); re-exported
from lianxin.text import Message

S = Status
BEFORE_RESOLUTION = frozenset(
    {S.REGISTERED, S.DISPATCHED, S.RETURNED, S.IN_PROGRESS, S.REPLIED, S.CONSTRAINED}
)
HANDLING = frozenset({S.IN_PROGRESS, S.REPLIED})
NOT_FINAL = BEFORE_RESOLUTION | {S.RESOLVED, S.VERIFIED}


@dataclass(frozen=True)
class Rule:
    label: Message
    statuses: frozenset[str]
    who: frozenset[str]


RULES = {
    "dispatch": Rule(_("派单"), frozenset({S.REGISTERED, S.RETURNED}), frozenset({"office"})),
    "split": Rule(_("分派多部门"), frozenset({S.REGISTERED, S.RETURNED}), frozenset({"office"})),
    "offer_for_claim": Rule(_("发布认领"), frozenset({S.REGISTERED}), frozenset({"office"})),
    "claim": Rule(_("认领"), frozenset({S.REGISTERED}), frozenset({"department"})),
    "whistle": Rule(
        _("吹哨"), frozenset({S.REGISTERED, S.IN_PROGRESS, S.REPLIED}), frozenset({"area"})
    ),
    "escalate": Rule(_("提级至区领导"), BEFORE_RESOLUTION, frozenset({"office", "area"})),
    "instruct": Rule(_("领导批示"), NOT_FINAL, frozenset({"leader"})),
    "assign_leader": Rule(_("指定包案领导"), NOT_FINAL, frozenset({"office"})),
    "accept": Rule(_("接单"), NOT_FINAL, frozenset({"part"})),
    "check_in": Rule(_("报到"), NOT_FINAL, frozenset({"part"})),
    "return": Rule(
        _("退单"), frozenset({S.DISPATCHED, S.IN_PROGRESS, S.REPLIED}), frozenset({"part"})
    ),
    "approve_return": Rule(_("同意退单"), NOT_FINAL, frozenset({"office"})),
    "refuse_return": Rule(_("驳回退单"), NOT_FINAL, frozenset({"office"})),
    "note": Rule(
        _("办理记录"),
        NOT_FINAL,
        frozenset({"office", "leader", "lead", "part", "area", "recorder"}),
    ),
    "reply": Rule(_("答复群众"), HANDLING, frozenset({"lead"})),
    "request_extension": Rule(_("申请延期"), HANDLING, frozenset({"lead"})),
    "decide_extension": Rule(_("审批延期"), BEFORE_RESOLUTION, frozenset({"office"})),
    "constrain": Rule(_("标记疑难受限"), HANDLING, frozenset({"lead"})),
    "review_constrained": Rule(
        _("疑难受限复查"), frozenset({S.CONSTRAINED}), frozenset({"lead", "office"})
    ),
    "resume": Rule(_("恢复办理"), frozenset({S.CONSTRAINED}), frozenset({"lead", "office"})),
    "finish_part": Rule(_("协办完成"), NOT_FINAL, frozenset({"part"})),
    "resolve": Rule(
        _("办结"), frozenset({S.IN_PROGRESS, S.REPLIED, S.CONSTRAINED}), frozenset({"lead"})
    ),
    "verify": Rule(_("核查"), frozenset({S.RESOLVED}), frozenset({"office"})),
    # "proved": a visitor who proved the case on /m/ (a signed link from the resident's
    # text, or the tracking number and the phone's last four digits), signed in or not.
    "return_visit": Rule(
        _("回访评价"), frozenset({S.VERIFIED}), frozenset({"office", "owner", "proved"})
    ),
    "unreached_call": Rule(_("回访未接通"), frozenset({S.VERIFIED}), frozenset({"office"})),
    "merge": Rule(
        _("合并重复诉求"),
        frozenset({S.REGISTERED, S.DISPATCHED, S.RETURNED, S.IN_PROGRESS, S.REPLIED}),
        frozenset({"office"}),
    ),
    "withdraw": Rule(_("撤回"), BEFORE_RESOLUTION, frozenset({"owner", "office"})),
    "void": Rule(_("作废"), NOT_FINAL, frozenset({"office"})),
    "mark_exemplary": Rule(_("选树典型案例"), frozenset({S.CLOSED}), frozenset({"office"})),
    "unmark_exemplary": Rule(_("取消典型案例"), frozenset({S.CLOSED}), frozenset({"office"})),
    "publish_photo": Rule(_("公开照片"), NOT_FINAL | {S.CLOSED}, frozenset({"office"})),
}


def capacities(
    user: Actor, case: Case, part: CasePart | None = None, *, proved: bool = False
) -> dict[str, int | None]:
    """What `user` is to this case, each capacity with the unit he acts for; `proved` says
    the residents' pages checked the visitor's proof of the case."""
    standing = standing_of(user)
    found: dict[str, int | None] = {"proved": None} if proved else {}
    if user is None or not user.is_authenticated:
        return found
    if standing.office:
        found["office"] = standing.office_unit_id
    if standing.leader:
        found["leader"] = None
    if case.resident_id is not None and case.resident_id == user.pk:
        found["owner"] = None
    # Whoever recorded the case may add to it (an Open311 partner's system user, too).
    if case.recorded_by_id is not None and case.recorded_by_id == user.pk:
        found["recorder"] = None
    for unit_id, area_ids in (
        (case.street_id, standing.street_ids),
        (case.community_id, standing.community_ids),
        (case.grid_id, standing.grid_ids),
    ):
        if unit_id is not None and unit_id in area_ids:
            found.setdefault("area", unit_id)
    if standing.department_ids:
        found["department"] = min(standing.department_ids)
    if case.lead_unit_id in standing.handling_unit_ids and case.status not in (
        S.DISPATCHED,
        S.RETURNED,
    ):
        found["lead"] = case.lead_unit_id
    if part is not None and part.unit_id in standing.handling_unit_ids:
        found["part"] = part.unit_id
    return found


def check(
    name: str, user: Actor, case: Case, part: CasePart | None = None, *, proved: bool = False
) -> int | None:
    """Raise WorkflowError unless `user` may take action `name` now; return his acting unit."""
    rule = RULES[name]
    held = capacities(user, case, part, proved=proved)
    usable = [capacity for capacity in rule.who if capacity in held]
    if not usable:
        raise WorkflowError(
            "forbidden", _("您无权对该诉求执行“%(action)s”。") % {"action": rule.label}
        )
    if case.status not in rule.statuses:
        raise WorkflowError(
            "invalid_transition",
            _("诉求当前状态为“%(status)s”，不能执行“%(action)s”。")
            % {"status": case.get_status_display(), "action": rule.label},
        )
    # Prefer the most specific capacity for the event's acting unit.
    for capacity in ("part", "lead", "area", "department", "office", "leader", "owner"):
        if capacity in usable:
            return held[capacity]
    return None


def available_actions(user: Actor, case: Case) -> list[str]:
    """Case-level actions `user` may take now (part-level ones are asked per part)."""
    held = capacities(user, case)
    return [
        name
        for name, rule in RULES.items()
        if case.status in rule.statuses and rule.who & held.keys()
    ]
