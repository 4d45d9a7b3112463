"""Who may do what to a campaign, an inspection or a hazard, and in which state.

Shaped like `lianxin.cases.rules`: each action checks its rule before it writes, and the
pages ask the same table which actions to offer. The capacities a rule may name:

- office: a dispatcher of the coordination office, or an administrator: runs campaigns;
- inspector: staff of one of the campaign's inspection-group units (a department, a
  street's 安全监管中心 as the street, a community): inspects, issues notices, re-inspects;
- responsible: staff of the place's responsible unit: reports the fix on the party's behalf;
- party: whoever holds the signed link of the place (self-check) or of the notice (fix
  report); the view proves it, the action is told so (`via_link`).

Everyone else in scope reads (`access.py`).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Actor
from lianxin.cases.access import standing_of
from lianxin.errors import WorkflowError
from lianxin.hazards.models import Campaign, Hazard, HazardStatus, Inspection, Place
from lianxin.text import Message

H = HazardStatus
OPEN_INSPECTION = frozenset({Inspection.Status.OPEN})


@dataclass(frozen=True)
class Rule:
    label: Message
    statuses: frozenset[str]
    who: frozenset[str]


HAZARD_RULES = {
    "issue_notice": Rule(_("下发整改通知单"), frozenset({H.OPEN}), frozenset({"inspector"})),
    "report_fix": Rule(
        _("报告整改完成"), frozenset({H.RECTIFYING}), frozenset({"responsible", "party"})
    ),
    "reinspect": Rule(_("复查（回头看）"), frozenset({H.REPORTED}), frozenset({"inspector"})),
    "refer": Rule(
        _("转为诉求"),
        frozenset({H.OPEN, H.RECTIFYING, H.REPORTED}),
        frozenset({"inspector", "office"}),
    ),
}
INSPECTION_RULES = {
    "score": Rule(_("打分"), OPEN_INSPECTION, frozenset({"inspector"})),
    "add_hazard": Rule(_("登记隐患"), OPEN_INSPECTION, frozenset({"inspector"})),
    "submit": Rule(_("提交检查"), OPEN_INSPECTION, frozenset({"inspector"})),
}


def unit_ids(user: Actor) -> frozenset[int]:
    """Every unit `user` works for (one query, memoised with his standing)."""
    standing = standing_of(user)
    ids = set(standing.handling_unit_ids)
    if standing.office_unit_id is not None:
        ids.add(standing.office_unit_id)
    return frozenset(ids)


def group_unit_ids(campaign: Campaign) -> set[int]:
    cached = getattr(campaign, "_group_unit_ids", None)
    if cached is None:
        cached = set(campaign.group_units.values_list("pk", flat=True))
        campaign._group_unit_ids = cached  # type: ignore[attr-defined]  # a memo
    return cached


def is_office(user: Actor) -> bool:
    standing = standing_of(user)
    return standing.office or standing.admin


def inspecting_unit(user: Actor, campaign: Campaign) -> int | None:
    """The group unit `user` inspects for in `campaign`, or None if he is not in the group."""
    mine = unit_ids(user) & group_unit_ids(campaign)
    return min(mine) if mine else None


def capacities(
    user: Actor, campaign: Campaign, place: Place, *, via_link: bool = False
) -> dict[str, int | None]:
    """What `user` is to this campaign's place, each capacity with the unit he acts for."""
    found: dict[str, int | None] = {}
    if via_link:
        found["party"] = None
    if user is None or not user.is_authenticated:
        return found
    standing = standing_of(user)
    if standing.office or standing.admin:
        found["office"] = standing.office_unit_id
    unit = inspecting_unit(user, campaign)
    if unit is not None:
        found["inspector"] = unit
    if place.responsible_unit_id in unit_ids(user):
        found["responsible"] = place.responsible_unit_id
    return found


def _check(
    rule: Rule, held: dict[str, int | None], status: str, what: Message, label
) -> int | None:
    usable = [
        capacity
        for capacity in ("inspector", "responsible", "office", "party")
        if capacity in held and capacity in rule.who
    ]
    if not usable:
        raise WorkflowError(
            "forbidden",
            _("您无权对该%(what)s执行“%(action)s”。") % {"what": what, "action": rule.label},
        )
    if status not in rule.statuses:
        raise WorkflowError(
            "invalid_transition",
            _("当前状态为“%(status)s”，不能执行“%(action)s”。")
            % {"status": label, "action": rule.label},
        )
    return held[usable[0]]


def check_hazard(name: str, user: Actor, hazard: Hazard, *, via_link: bool = False) -> int | None:
    """Raise WorkflowError unless `user` may take action `name` on the hazard now; return
    his acting unit."""
    held = capacities(user, hazard.campaign, hazard.place, via_link=via_link)
    rule = HAZARD_RULES[name]
    if name == "refer" and hazard.case_id is not None:
        raise WorkflowError("already_referred", _("该隐患已转为诉求。"))
    return _check(rule, held, hazard.status, _("隐患"), hazard.get_status_display())


def check_inspection(name: str, user: Actor, inspection: Inspection) -> int | None:
    held = capacities(user, inspection.campaign, inspection.place)
    return _check(
        INSPECTION_RULES[name], held, inspection.status, _("检查"), inspection.get_status_display()
    )


def hazard_actions(user: Actor, hazard: Hazard) -> list[str]:
    held = capacities(user, hazard.campaign, hazard.place)
    return [
        name
        for name, rule in HAZARD_RULES.items()
        if hazard.status in rule.statuses
        and rule.who & held.keys()
        and not (name == "refer" and hazard.case_id is not None)
    ]


def may_inspect(user: Actor, campaign: Campaign) -> bool:
    return inspecting_unit(user, campaign) is not None
