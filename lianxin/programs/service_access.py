"""Who sees which service order, and the menu.

Scope on the staff pages (an order outside it is a 404, like one that does not exist):
- the office, leaders and administrators: the whole district;
- the providing unit's staff: its orders (its queue);
- a street: the orders of its communities' households; a community: its own; a grid
  worker: his grid's; a pair's cadre: his pair's households'; whoever placed an order.

The menu itself is not personal data: every member of staff sees the active lines (to
offer them), and the keepers see the retired ones too. An order's household is shown with
the registry's masking: the head's phone only to those whose work needs it (its
community, its pair, the office, and the provider who has to reach it), each such view
logged.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from lianxin.accounts.models import Disclosure, record_disclosures
from lianxin.cases.access import standing_of
from lianxin.cases.models import mask_phone
from lianxin.programs.models import ServiceOrder
from lianxin.programs.service_rules import unit_ids_of
from lianxin.registry.access import _current_pair_ids


def order_scope(user) -> Q:
    if not user or not user.is_authenticated:
        return Q(pk__in=[])
    standing = standing_of(user)
    if standing.sees_whole_district:
        return Q()
    scope = Q(ordered_by=user)
    units = unit_ids_of(user)
    if units:
        scope |= Q(provider__in=units)
    if standing.street_ids:
        scope |= Q(household__community__parent__in=standing.street_ids)
    if standing.community_ids:
        scope |= Q(household__community__in=standing.community_ids)
    if standing.grid_ids:
        scope |= Q(household__grid__in=standing.grid_ids)
    pairs = _current_pair_ids(user)
    if pairs:
        scope |= Q(household__pair__in=pairs)
    return scope


def orders_visible_to(user) -> QuerySet[ServiceOrder]:
    return ServiceOrder.objects.filter(order_scope(user))


def access_order_by_id(user, pk) -> ServiceOrder:
    try:
        return orders_visible_to(user).select_related("household", "service", "provider").get(pk=pk)
    except (ServiceOrder.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def queue_of(user) -> QuerySet[ServiceOrder]:
    """The provider's queue: the open orders of the units `user` works for."""
    return ServiceOrder.objects.filter(
        provider__in=unit_ids_of(user), status__in=("ordered", "accepted")
    )


def area_orders(user) -> QuerySet[ServiceOrder]:
    """The orders the figures and the ledger count for `user`: the district for the
    office and leaders; a street's or a community's households; a provider's own."""
    standing = standing_of(user)
    if standing.sees_whole_district:
        return ServiceOrder.objects.all()
    scope = Q(pk__in=[])
    if standing.street_ids:
        scope |= Q(household__community__parent__in=standing.street_ids)
    if standing.community_ids:
        scope |= Q(household__community__in=standing.community_ids)
    units = unit_ids_of(user)
    if units:
        scope |= Q(provider__in=units)
    return ServiceOrder.objects.filter(scope)


def may_see_figures(user) -> bool:
    standing = standing_of(user)
    return standing.sees_whole_district or bool(standing.street_ids or standing.community_ids)


def sees_household(user, order: ServiceOrder) -> bool:
    """Whether `user` sees the household's head and phone unmasked on the order."""
    standing = standing_of(user)
    if standing.office or standing.admin:
        return True
    household = order.household
    if household.community_id in standing.community_ids:
        return True
    if order.provider_id in unit_ids_of(user) and order.open:
        return True
    return household.pair_id is not None and household.pair_id in _current_pair_ids(user)


def shown_household(user, order: ServiceOrder, place: str) -> tuple[str, str, bool]:
    household = order.household
    if sees_household(user, order):
        record_disclosures(user, Disclosure.Subject.HOUSEHOLD, [household.pk], "phone", place)
        return household.head_name, household.phone, True
    head = household.head_name
    return (f"{head[0]}**" if head else ""), mask_phone(household.phone), False
