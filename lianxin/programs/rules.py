"""Who may do what to a micro-wish, and in which status: the wishes' rule table.

Shaped like `lianxin.cases.rules`: each action checks its rule before it writes, and pages
ask the same table which actions to offer. The capacities a rule may name:

- office: a dispatcher of the coordination office, or an administrator;
- community: staff of the wish's community (who review it and speak for the wisher);
- wisher: the resident whose wish it is, signed in with the account he posted from;
- claimer: a member of staff who works for a unit: a department's handlers and heads,
  street, community and grid staff, the office. He claims for that unit, anywhere in the
  district (the wall is public, and help may come from across the district). Leaders, who
  act for no unit, and residents do not claim; party members, volunteer teams and partner
  units (共建单位) will claim through the same rule once they are registered;
- holder: the claimer of the wish's live claim.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Actor
from lianxin.cases.access import standing_of
from lianxin.errors import WorkflowError
from lianxin.programs.models import Wish, WishClaim, WishStatus
from lianxin.text import Message

S = WishStatus
REVIEWERS = frozenset({"community", "office"})
FOR_THE_WISHER = frozenset({"wisher", "community", "office"})


@dataclass(frozen=True)
class Rule:
    label: Message
    statuses: frozenset[str]
    who: frozenset[str]


RULES = {
    "revise": Rule(
        _("修改心愿"), frozenset({S.CHANGES_REQUESTED}), frozenset({"wisher", "community"})
    ),
    "publish": Rule(_("发布"), frozenset({S.PENDING}), REVIEWERS),
    "request_change": Rule(_("退回修改"), frozenset({S.PENDING}), REVIEWERS),
    "decline": Rule(_("不予采纳"), frozenset({S.PENDING, S.CHANGES_REQUESTED}), REVIEWERS),
    "claim": Rule(_("认领"), frozenset({S.PUBLISHED}), frozenset({"claimer"})),
    "fulfil": Rule(_("登记完成"), frozenset({S.CLAIMED}), frozenset({"holder"})),
    "release": Rule(
        _("放弃认领"), frozenset({S.CLAIMED}), frozenset({"holder", "community", "office"})
    ),
    "confirm": Rule(_("确认圆梦"), frozenset({S.FULFILLED}), FOR_THE_WISHER),
    "dispute": Rule(_("反馈未实现"), frozenset({S.FULFILLED}), FOR_THE_WISHER),
}


def claim_units(user: Actor) -> list[int]:
    """The units `user` may claim a wish for, his departments first (one query, memoised
    with his standing)."""
    standing = standing_of(user)
    ids = sorted(standing.department_ids) + sorted(
        standing.community_ids | standing.street_ids | standing.grid_ids
    )
    if standing.office_unit_id is not None:
        ids.append(standing.office_unit_id)
    return ids


def capacities(user: Actor, wish: Wish, claim: WishClaim | None = None) -> dict[str, int | None]:
    """What `user` is to this wish, each capacity with the unit he acts for. `claim` is
    the wish's live claim, if the caller has it at hand."""
    found: dict[str, int | None] = {}
    if user is None or not user.is_authenticated:
        return found
    standing = standing_of(user)
    if standing.office or standing.admin:
        found["office"] = standing.office_unit_id
    if wish.community_id in standing.community_ids:
        found["community"] = wish.community_id
    if wish.wisher_id is not None and wish.wisher_id == user.pk:
        found["wisher"] = None
    units = claim_units(user)
    if units:
        found["claimer"] = units[0]
    if claim is None and wish.status in (S.CLAIMED, S.FULFILLED):
        claim = live_claim(wish)
    if claim is not None and claim.claimer_id == user.pk:
        found["holder"] = claim.unit_id
    return found


def partner_claim_unit(user: Actor, wish: Wish, partner) -> int | None:
    """The unit that records `partner`'s claim of `wish`: the wish's community (or the
    office), and only for a partner paired with that community."""
    if not partner.active or not partner.communities.filter(pk=wish.community_id).exists():
        raise WorkflowError("forbidden", _("该共建单位未与心愿所在社区结对。"))
    standing = standing_of(user)
    if wish.community_id in standing.community_ids:
        return wish.community_id
    if standing.office:
        return standing.office_unit_id
    raise WorkflowError("forbidden", _("共建单位认领心愿，须由结对社区或办公室登记。"))


def live_claim(wish: Wish) -> WishClaim | None:
    return WishClaim.objects.filter(wish=wish, released_at__isnull=True).first()


def check(name: str, user: Actor, wish: Wish, claim: WishClaim | None = None) -> int | None:
    """Raise WorkflowError unless `user` may take action `name` now; return his acting unit."""
    rule = RULES[name]
    held = capacities(user, wish, claim)
    usable = [capacity for capacity in rule.who if capacity in held]
    if not usable:
        raise WorkflowError(
            "forbidden", _("您无权对该心愿执行“%(action)s”。") % {"action": rule.label}
        )
    if wish.status not in rule.statuses:
        raise WorkflowError(
            "invalid_transition",
            _("心愿当前状态为“%(status)s”，不能执行“%(action)s”。")
            % {"status": wish.get_status_display(), "action": rule.label},
        )
    for capacity in ("holder", "community", "claimer", "office", "wisher"):
        if capacity in usable:
            return held[capacity]
    return None


def available_actions(user: Actor, wish: Wish, claim: WishClaim | None = None) -> list[str]:
    held = capacities(user, wish, claim)
    return [
        name
        for name, rule in RULES.items()
        if wish.status in rule.statuses and rule.who & held.keys()
    ]
