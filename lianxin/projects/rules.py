"""Who may do what to a plan or a project: the projects' rule table.

Shaped like `lianxin.cases.rules`: each action checks its rule before it writes, and pages
ask the same table which actions to offer. The capacities a rule may name:

- office: a dispatcher of the coordination office, or an administrator;
- lead: staff of the project's lead unit (牵头单位);
- co: staff of one of its co-units (配合单位);
- owner: staff of the unit that owns the milestone in question.

Leaders and everyone else in a project's scope read it (`access.py`); they act on none.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Actor
from lianxin.cases.access import standing_of
from lianxin.errors import WorkflowError
from lianxin.projects.models import Milestone, Project
from lianxin.text import Message

OPEN = "open"
CLOSED = "closed"


@dataclass(frozen=True)
class Rule:
    label: Message
    states: frozenset[str]
    who: frozenset[str]


RULES = {
    "edit": Rule(_("编辑项目"), frozenset({OPEN}), frozenset({"office"})),
    "report": Rule(_("报送进度"), frozenset({OPEN}), frozenset({"lead", "co"})),
    "complete_milestone": Rule(
        _("节点完成"), frozenset({OPEN}), frozenset({"lead", "owner", "office"})
    ),
    "link_case": Rule(_("关联诉求"), frozenset({OPEN}), frozenset({"office"})),
    "close": Rule(_("项目办结"), frozenset({OPEN}), frozenset({"lead", "office"})),
}


def capacities(
    user: Actor, project: Project, milestone: Milestone | None = None
) -> dict[str, int | None]:
    """What `user` is to this project, each capacity with the unit he acts for."""
    found: dict[str, int | None] = {}
    if user is None or not user.is_authenticated:
        return found
    standing = standing_of(user)
    if standing.office or standing.admin:
        found["office"] = standing.office_unit_id
    units = standing.handling_unit_ids
    if not units:
        return found
    if project.lead_unit_id in units:
        found["lead"] = project.lead_unit_id
    co = [pk for pk in co_unit_ids(project) if pk in units]
    if co:
        found["co"] = min(co)
    if milestone is not None and milestone.owner_unit_id in units:
        found["owner"] = milestone.owner_unit_id
    return found


def co_unit_ids(project: Project) -> list[int]:
    cache = getattr(project, "_prefetched_objects_cache", {})
    if "co_units" in cache:
        return [unit.pk for unit in cache["co_units"]]
    return list(project.co_units.values_list("pk", flat=True))


def check(
    name: str, user: Actor, project: Project, milestone: Milestone | None = None
) -> int | None:
    """Raise WorkflowError unless `user` may take action `name` now; return his acting unit."""
    rule = RULES[name]
    held = capacities(user, project, milestone)
    usable = [
        capacity
        for capacity in ("lead", "owner", "co", "office")
        if capacity in rule.who & held.keys()
    ]
    if not usable:
        raise WorkflowError(
            "forbidden", _("您无权对该项目执行“%(action)s”。") % {"action": rule.label}
        )
    state = CLOSED if project.closed_at is not None else OPEN
    if state not in rule.states:
        raise WorkflowError(
            "closed", _("项目已办结，不能执行“%(action)s”。") % {"action": rule.label}
        )
    return held[usable[0]]


def available_actions(user: Actor, project: Project) -> list[str]:
    held = capacities(user, project)
    state = CLOSED if project.closed_at is not None else OPEN
    return [name for name, rule in RULES.items() if state in rule.states and rule.who & held.keys()]


def check_office(user: Actor, label: Message) -> int | None:
    """Plans are the office's: create, edit, import, promote."""
    standing = standing_of(user)
    if not (standing.office or standing.admin):
        raise WorkflowError(
            "forbidden", _("只有连心服务办公室可以%(action)s。") % {"action": label}
        )
    return standing.office_unit_id
