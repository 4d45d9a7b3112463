"""Who may do what to teams, activities, report-ins and partner units.

The capacities a rule may name, each about one unit (a team's, a report-in's community, a
partner's paired community):

- office: a dispatcher of the coordination office, or an administrator;
- keeper: staff of the unit itself (its community, street or department), or of the street
  above a community: they keep its teams and its report-ins;
- leader: a team's leader who has an account (he records his team's activities);
- self: the person a report-in is about, signed in with his own account.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Actor
from lianxin.cases.access import standing_of
from lianxin.errors import WorkflowError
from lianxin.orgs.models import Unit
from lianxin.text import Message


@dataclass(frozen=True)
class Rule:
    label: Message
    who: frozenset[str]


KEEPERS = frozenset({"office", "keeper"})
RULES = {
    "keep_team": Rule(_("管理志愿服务队"), KEEPERS),
    "record_activity": Rule(_("登记志愿服务活动"), KEEPERS | {"leader"}),
    "report_in": Rule(_("登记双报到"), KEEPERS | {"self"}),
    "assign": Rule(_("分派报到任务"), KEEPERS),
    "finish_assignment": Rule(_("登记任务完成"), KEEPERS | {"self"}),
    "keep_partner": Rule(_("管理共建单位"), KEEPERS),
}


def keeps(user: Actor, unit: Unit | None) -> bool:
    """Whether `user` works for `unit` (or for the street above a community)."""
    if unit is None or user is None or not user.is_authenticated:
        return False
    standing = standing_of(user)
    mine = standing.department_ids | standing.area_unit_ids
    if unit.pk in mine:
        return True
    return unit.kind == Unit.Kind.COMMUNITY and unit.parent_id in standing.street_ids


def capacities(
    user: Actor, *, unit: Unit | None, team=None, person_user_id: int | None = None
) -> set[str]:
    found: set[str] = set()
    if user is None or not user.is_authenticated:
        return found
    standing = standing_of(user)
    if standing.office or standing.admin:
        found.add("office")
    if keeps(user, unit):
        found.add("keeper")
    if team is not None and team.members.filter(user=user, leader=True, active=True).exists():
        found.add("leader")
    if person_user_id is not None and person_user_id == user.pk:
        found.add("self")
    return found


def check(
    name: str, user: Actor, *, unit: Unit | None, team=None, person_user_id: int | None = None
) -> None:
    """Raise WorkflowError unless `user` may take action `name` about `unit`."""
    rule = RULES[name]
    if not capacities(user, unit=unit, team=team, person_user_id=person_user_id) & rule.who:
        raise WorkflowError("forbidden", _("您无权进行“%(action)s”。") % {"action": rule.label})


def allowed(name: str, user: Actor, **place) -> bool:
    try:
        check(name, user, **place)
    except WorkflowError:
        return False
    return True
