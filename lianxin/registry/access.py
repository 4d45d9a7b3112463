"""Who may see which household, and who sees its personal data unmasked.

Scope (a household outside it is a 404, exactly like one that does not exist):
- the office, leaders and administrators: the whole district;
- a street: the households of its communities; a community: its own; a grid worker: the
  households of his grid;
- a department: the households in the grids of the 片区 it is attached to (包联);
- a cadre: the households of the pair he is a current member of.

Phones, tags and identity numbers are shown unmasked only to the household's own pair, its
community and the office (the people who call and visit); everyone else sees them masked.
Every unmasked view is logged (`accounts.Disclosure`).
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from lianxin.accounts.models import Disclosure, record_disclosures
from lianxin.cases.access import standing_of
from lianxin.cases.models import mask_phone
from lianxin.registry.models import Attachment, Household, Pair, PairMember


def _current_pair_ids(user) -> set[int]:
    return set(
        PairMember.objects.filter(
            cadre__user=user, cadre__active=True, until__isnull=True
        ).values_list("pair_id", flat=True)
    )


def _attached_zone_grid_ids(department_ids) -> set[int]:
    return set(
        Attachment.objects.filter(
            kind=Attachment.Kind.DEPARTMENT_ZONE, department__in=department_ids
        ).values_list("zone__grids", flat=True)
    ) - {None}


def household_scope(user) -> Q:
    """A filter on Household for what `user` may see (a few queries, none per row)."""
    if not user or not user.is_authenticated:
        return Q(pk__in=[])
    standing = standing_of(user)
    if standing.sees_whole_district:
        return Q()
    scope = Q(pk__in=[])
    if standing.street_ids:
        scope |= Q(community__parent__in=standing.street_ids)
    if standing.community_ids:
        scope |= Q(community__in=standing.community_ids)
    if standing.grid_ids:
        scope |= Q(grid__in=standing.grid_ids)
    if standing.department_ids:
        grid_ids = _attached_zone_grid_ids(standing.department_ids)
        if grid_ids:
            scope |= Q(grid__in=grid_ids)
    pair_ids = _current_pair_ids(user)
    if pair_ids:
        scope |= Q(pair__in=pair_ids)
    return scope


def households_visible_to(user) -> QuerySet[Household]:
    return Household.objects.filter(household_scope(user))


def access_household_by_id(user, pk, *, for_update: bool = False) -> Household:
    """The household if `user` may see it; 404 for missing and for not yours alike."""
    households = households_visible_to(user)
    if for_update:
        households = households.select_for_update()
    try:
        return households.get(pk=pk)
    except (Household.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def personal_data_scope(user) -> Q:
    """A filter on Household for those whose personal data `user` sees unmasked: a list
    filtered by a tag (低保, 残疾) must not tell anyone else who carries it."""
    standing = standing_of(user)
    if standing.office or standing.admin:
        return Q()
    return Q(community__in=standing.community_ids) | Q(pair__in=_current_pair_ids(user))


def pairs_visible_to(user) -> QuerySet[Pair]:
    """The pairs `user` may see: those of the communities in his scope, his own, and
    those of the households he may see."""
    standing = standing_of(user)
    if standing.sees_whole_district:
        return Pair.objects.all()
    if not user or not user.is_authenticated:
        return Pair.objects.none()
    visible_pairs = households_visible_to(user).exclude(pair=None).values("pair")
    return Pair.objects.filter(
        Q(community__in=standing.community_ids)
        | Q(community__parent__in=standing.street_ids)
        | Q(pk__in=_current_pair_ids(user))
        | Q(pk__in=visible_pairs)
    )


def sees_personal_data(user, household: Household) -> bool:
    """Whether `user` may see the household's phones and tags unmasked."""
    standing = standing_of(user)
    if standing.office or standing.admin:
        return True
    if household.community_id in standing.community_ids:
        return True
    return household.pair_id is not None and household.pair_id in _current_pair_ids(user)


def personal_data_household_ids(user, households) -> set[int]:
    """Of these households, those whose personal data `user` sees unmasked (for lists)."""
    standing = standing_of(user)
    ids = {h.pk for h in households}
    if standing.office or standing.admin:
        return ids
    pair_ids = _current_pair_ids(user)
    return {
        h.pk
        for h in households
        if h.community_id in standing.community_ids or (h.pair_id and h.pair_id in pair_ids)
    }


def shown_phone(phone: str, unmasked: bool) -> str:
    return phone if unmasked else mask_phone(phone)


def log_unmasked(user, household_ids, fields: str, place: str = "") -> None:
    """Record that `user` saw these households' `fields` unmasked."""
    if household_ids:
        record_disclosures(user, Disclosure.Subject.HOUSEHOLD, sorted(household_ids), fields, place)
