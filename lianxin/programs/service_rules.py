"""Who may do what on the service menu (定制单), and which household may order what.

Shaped like the wishes' `rules.py`. The capacities a rule may name, for one order:

- office: a dispatcher of the coordination office, or an administrator;
- provider: staff of the unit that provides the ordered service (its task);
- community: staff of the household's community (who speak for the household);
- resident: a signed-in resident whose account phone is the phone of the household or of
  one of its active members, and who proved it with a text code: the residents' pages
  check the proof (`lianxin.notify`, a floor above) and pass it in as `phone_proved`,
  as they pass `phone_verified` to a wish (see `resident_households`);
- orderer: the member of staff who placed the order.

Ordering is asked of a household, not of an order (`check_order`): on a visit, whoever
may record a visit there (office, community, grid, pair); by phone, the same and the
street; on the residents' pages, the household's own resident. Scheduled orders are the
scheduler's alone.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Actor
from lianxin.cases.access import standing_of
from lianxin.errors import WorkflowError
from lianxin.orgs.models import Unit
from lianxin.programs.models import (
    OrderChannel,
    OrderStatus,
    Service,
    ServiceOrder,
)
from lianxin.registry import rules as registry_rules
from lianxin.registry.models import Household, Resident
from lianxin.text import Message

S = OrderStatus
OPEN = frozenset({S.ORDERED, S.ACCEPTED})


@dataclass(frozen=True)
class Rule:
    label: Message
    statuses: frozenset[str]
    who: frozenset[str]


RULES = {
    "accept": Rule(_("受理"), frozenset({S.ORDERED}), frozenset({"provider"})),
    "complete": Rule(_("办结"), OPEN, frozenset({"provider"})),
    "cancel": Rule(
        _("取消订单"),
        OPEN,
        frozenset({"office", "community", "provider", "resident", "orderer"}),
    ),
    "rate": Rule(_("评价"), frozenset({S.DONE}), frozenset({"resident", "community", "office"})),
}

# Who may place an order for a household, by channel (the registry's capacities).
ORDER_CAPACITIES: dict[str, frozenset[str]] = {
    OrderChannel.VISIT: frozenset({"office", "community", "grid", "pair"}),
    OrderChannel.PHONE: frozenset({"office", "street", "community", "grid", "pair"}),
}


def unit_ids_of(user: Actor) -> set[int]:
    """Every unit `user` works for: his tasks are the orders these units provide."""
    standing = standing_of(user)
    ids = set(standing.department_ids | standing.area_unit_ids)
    if standing.office_unit_id is not None:
        ids.add(standing.office_unit_id)
    return ids


def resident_households(user: Actor, *, phone_proved: bool) -> QuerySet[Household]:
    """The households a signed-in resident speaks for on /m/: those whose phone, or an
    active member's phone, is his account's phone, once he proved that phone with a text
    code (`phone_proved`, which the residents' pages establish: a phone typed at sign-up
    proves nothing, and a household's services reveal its tags)."""
    if user is None or not user.is_authenticated or not user.phone or not phone_proved:
        return Household.objects.none()
    if standing_of(user).staff:
        return Household.objects.none()
    members = Resident.objects.filter(phone=user.phone, active=True).values("household")
    return Household.objects.filter(Q(phone=user.phone) | Q(pk__in=members), active=True)


def speaks_for(user: Actor, household: Household, *, phone_proved: bool) -> bool:
    return resident_households(user, phone_proved=phone_proved).filter(pk=household.pk).exists()


def capacities(
    user: Actor, order: ServiceOrder, *, phone_proved: bool = False
) -> dict[str, int | None]:
    """What `user` is to this order, each capacity with the unit he acts for
    (`phone_proved`: see `resident_households`)."""
    found: dict[str, int | None] = {}
    if user is None or not user.is_authenticated:
        return found
    standing = standing_of(user)
    if standing.office or standing.admin:
        found["office"] = standing.office_unit_id
    if order.provider_id in unit_ids_of(user):
        found["provider"] = order.provider_id
    household = order.household
    if household.community_id in standing.community_ids:
        found["community"] = household.community_id
    if order.ordered_by_id is not None and order.ordered_by_id == user.pk:
        found["orderer"] = None
    if phone_proved and speaks_for(user, household, phone_proved=True):
        found["resident"] = None
    return found


def check(name: str, user: Actor, order: ServiceOrder, *, phone_proved: bool = False) -> int | None:
    """Raise WorkflowError unless `user` may take action `name` now; return his unit."""
    rule = RULES[name]
    held = capacities(user, order, phone_proved=phone_proved)
    usable = [capacity for capacity in rule.who if capacity in held]
    if not usable:
        raise WorkflowError(
            "forbidden", _("您无权对该服务订单执行“%(action)s”。") % {"action": rule.label}
        )
    if order.status not in rule.statuses:
        raise WorkflowError(
            "invalid_transition",
            _("订单当前状态为“%(status)s”，不能执行“%(action)s”。")
            % {"status": order.get_status_display(), "action": rule.label},
        )
    for capacity in ("provider", "community", "office", "orderer", "resident"):
        if capacity in usable:
            return held[capacity]
    return None


def available_actions(user: Actor, order: ServiceOrder, *, phone_proved: bool = False) -> list[str]:
    held = capacities(user, order, phone_proved=phone_proved)
    names = [
        name
        for name, rule in RULES.items()
        if order.status in rule.statuses and rule.who & held.keys()
    ]
    if "rate" in names and order.rating:
        names.remove("rate")
    return names


def check_order(
    user: Actor, household: Household, channel: str, *, phone_proved: bool = False
) -> int | None:
    """Raise WorkflowError unless `user` may order for `household` through `channel`;
    return the unit he acts for (his community, grid or street; none for a pair cadre)."""
    if channel == OrderChannel.PORTAL:
        if speaks_for(user, household, phone_proved=phone_proved):
            return None
        raise WorkflowError("forbidden", _("您的手机号未与该户关联，不能为该户点单。"))
    allowed = ORDER_CAPACITIES.get(channel)
    if allowed is None:
        raise WorkflowError("invalid_channel", _("点单方式无效。"))
    held = registry_rules.capacities(
        user, community=household.community, grid_id=household.grid_id, pair_id=household.pair_id
    )
    if not held & allowed:
        raise WorkflowError("forbidden", _("您无权为该户点单。"))
    standing = standing_of(user)
    if "community" in held:
        return household.community_id
    if "grid" in held:
        return household.grid_id
    if "street" in held:
        return household.community.parent_id
    if "office" in held:
        return standing.office_unit_id
    return None


# The menu itself: the office keeps the district's lines, a community its own.


def keeps(user: Actor, community: Unit | None) -> bool:
    """Whether `user` keeps the menu lines of `community` (None: the district's)."""
    if user is None or not user.is_authenticated:
        return False
    standing = standing_of(user)
    if standing.office or standing.admin:
        return True
    return community is not None and community.pk in standing.community_ids


def kept_communities(user: Actor) -> list[int]:
    return sorted(standing_of(user).community_ids)


def may_keep_menu(user: Actor) -> bool:
    standing = standing_of(user)
    return standing.office or standing.admin or bool(standing.community_ids)


def providers_for(user: Actor, community: Unit | None) -> QuerySet[Unit]:
    """The units `user` may name as a service's provider: the office any unit; a
    community its own community and grids (it cannot set a department tasks)."""
    standing = standing_of(user)
    units = Unit.objects.filter(active=True)
    if standing.office or standing.admin:
        return units.exclude(kind__in=(Unit.Kind.DISTRICT, Unit.Kind.LEADERSHIP))
    if community is None:
        return units.none()
    return units.filter(Q(pk=community.pk) | Q(parent=community, kind=Unit.Kind.GRID))


# Eligibility: a tagged service only for households with one of its tags.


def household_tag_ids(household: Household) -> set[int]:
    return set(
        Resident.objects.filter(household=household, active=True)
        .values_list("tags", flat=True)
        .exclude(tags=None)
    )


def on_menu_of(service: Service, household: Household) -> bool:
    return service.community_id is None or service.community_id == household.community_id


def eligibility_error(service: Service, household: Household) -> WorkflowError | None:
    """Why `household` may not order `service` (None: it may)."""
    if not on_menu_of(service, household):
        return WorkflowError(
            "not_on_menu",
            _("“%(service)s”是%(community)s的服务事项，该户不在本社区。")
            % {"service": service.name, "community": service.community},
        )
    tags = list(service.tags.all())
    if tags and not household_tag_ids(household) & {tag.pk for tag in tags}:
        return WorkflowError(
            "not_eligible",
            _("“%(service)s”仅面向%(tags)s人员家庭，该户没有相关人员标签，不能点单。")
            % {"service": service.name, "tags": "、".join(tag.name for tag in tags)},
        )
    return None


def eligible_households(service: Service, households: QuerySet[Household]) -> QuerySet[Household]:
    """Of `households`, those that may order `service` (a filter, no query per row)."""
    households = households.filter(active=True)
    if service.community_id is not None:
        households = households.filter(community_id=service.community_id)
    tag_ids = list(service.tags.values_list("pk", flat=True))
    if tag_ids:
        tagged = Resident.objects.filter(active=True, tags__in=tag_ids).values("household")
        households = households.filter(pk__in=tagged)
    return households


def menu_for(household: Household) -> list[tuple[Service, WorkflowError | None]]:
    """The active services on `household`'s menu, each with why it may not order it."""
    services = (
        Service.objects.filter(active=True)
        .filter(Q(community=None) | Q(community=household.community_id))
        .prefetch_related("tags")
        .select_related("provider")
    )
    own = household_tag_ids(household)
    found = []
    for service in services:
        tags = list(service.tags.all())
        error = None
        if tags and not own & {tag.pk for tag in tags}:
            error = eligibility_error(service, household)
        found.append((service, error))
    return found
