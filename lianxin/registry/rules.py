"""Who may change which part of the registers: the registry's rule table.

Shaped like `lianxin.cases.rules`: each action checks its rule before it writes, and pages
ask the same table which actions to offer. The capacities a rule may name:

- office: a dispatcher of the coordination office, or an administrator;
- street: staff of the street the household's community is in;
- community: staff of the household's community;
- grid: the grid worker of the household's grid;
- pair: a cadre currently in the household's pair;
- viewer: anyone who may see the household (for 及时访, which anyone may raise).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from lianxin.cases.access import standing_of
from lianxin.cases.rules import WorkflowError
from lianxin.orgs.models import Unit
from lianxin.text import Message


@dataclass(frozen=True)
class Rule:
    label: Message
    who: frozenset[str]


RULES = {
    "keep_household": Rule(_("维护住户信息"), frozenset({"office", "street", "community"})),
    "keep_pairs": Rule(_("维护联户组"), frozenset({"office", "street", "community"})),
    "keep_places": Rule(_("维护楼栋与商铺"), frozenset({"office", "street", "community"})),
    "attach": Rule(_("设置包联关系"), frozenset({"office"})),
    "run_rounds": Rule(_("组织走访轮次"), frozenset({"office"})),
    "record_visit": Rule(_("记录走访"), frozenset({"office", "community", "grid", "pair"})),
    "open_urgent_visit": Rule(_("发起及时访"), frozenset({"viewer"})),
    "propose_correction": Rule(
        _("提出信息更正"), frozenset({"office", "community", "grid", "pair"})
    ),
    "decide_correction": Rule(_("审核信息更正"), frozenset({"office", "community"})),
}


def capacities(
    user, *, community: Unit | None, grid_id: int | None = None, pair_id=None
) -> set[str]:
    """What `user` is in relation to a place in the registers (a household's or a pair's).
    With no community (a cadre employed by a department, say) only the office counts."""
    if user is None or not user.is_authenticated:
        return set()
    standing = standing_of(user)
    found = set()
    if standing.office or standing.admin:
        found.add("office")
    if community is not None and community.parent_id in standing.street_ids:
        found.add("street")
    if community is not None and community.pk in standing.community_ids:
        found.add("community")
    if grid_id is not None and grid_id in standing.grid_ids:
        found.add("grid")
    if pair_id is not None:
        from lianxin.registry.models import PairMember

        if PairMember.objects.filter(
            pair_id=pair_id, cadre__user=user, cadre__active=True, until__isnull=True
        ).exists():
            found.add("pair")
    return found


def check(name: str, user, *, community: Unit | None, grid_id=None, pair_id=None, viewer=False):
    """Raise WorkflowError unless `user` may take action `name` at this place."""
    rule = RULES[name]
    held = capacities(user, community=community, grid_id=grid_id, pair_id=pair_id)
    if viewer:
        held.add("viewer")
    if not held & rule.who:
        raise WorkflowError("forbidden", _("您无权进行“%(action)s”。") % {"action": rule.label})


def _held_at_household(user, household) -> set[str]:
    from lianxin.registry.access import households_visible_to

    held = capacities(
        user, community=household.community, grid_id=household.grid_id, pair_id=household.pair_id
    )
    if households_visible_to(user).filter(pk=household.pk).exists():
        held.add("viewer")
    return held


def check_household(name: str, user, household) -> None:
    rule = RULES[name]
    if not _held_at_household(user, household) & rule.who:
        raise WorkflowError("forbidden", _("您无权进行“%(action)s”。") % {"action": rule.label})


def allowed(name: str, user, household) -> bool:
    return name in permitted(user, household)


def permitted(user, household) -> set[str]:
    """The names of the actions `user` may take at this household: what a page offers,
    with one look-up for all of them."""
    held = _held_at_household(user, household)
    return {name for name, rule in RULES.items() if held & rule.who}
