"""Who sees which campaign, place, inspection and hazard; who sees a place's contact.

Scope (anything outside it is a 404, exactly like something that does not exist):
- the office, leaders and administrators: the whole district;
- the staff of a campaign's inspection-group units: that campaign, its places, inspections
  and hazards;
- a street, community or grid: the places in its area, with their inspections and hazards,
  and the campaigns that inspect them;
- the staff of a place's responsible unit: that place, with its inspections and hazards.

A place's contact (name and phone) is personal data: shown whole to the office, the
campaign's inspectors and the responsible unit, who have to call him, and every such view
is logged (`accounts.Disclosure`); everyone else sees 王** and 138****5678.
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from lianxin.accounts.models import Actor, Disclosure, User, record_disclosures
from lianxin.cases.access import standing_of
from lianxin.cases.models import mask_phone
from lianxin.hazards import rules
from lianxin.hazards.models import Campaign, Hazard, HazardStatus, Inspection, Notice, Place
from lianxin.programs.models import mask_name
from lianxin.workdays.days import local_date


def _group_campaigns(user: Actor) -> QuerySet[Campaign]:
    return Campaign.objects.filter(group_units__in=rules.unit_ids(user))


def place_scope(user: Actor, prefix: str = "") -> Q:
    """A filter for the places `user` may see (`prefix`: the path to the place, e.g.
    "place__" on Hazard), without the campaigns he inspects."""
    standing = standing_of(user)
    if not user or not user.is_authenticated:
        return Q(pk__in=[])
    if standing.sees_whole_district:
        return Q()
    scope = Q(**{f"{prefix}responsible_unit__in": rules.unit_ids(user)})
    if standing.street_ids:
        scope |= Q(**{f"{prefix}street__in": standing.street_ids})
    if standing.community_ids:
        scope |= Q(**{f"{prefix}community__in": standing.community_ids})
    if standing.grid_ids:
        scope |= Q(**{f"{prefix}grid__in": standing.grid_ids})
    return scope


def sees_hazards(user: Actor) -> bool:
    """Whether `user` has the hazards' pages at all (the top bar's link)."""
    standing = standing_of(user)
    return standing.sees_whole_district or bool(rules.unit_ids(user))


def campaigns_visible_to(user: Actor) -> QuerySet[Campaign]:
    standing = standing_of(user)
    if standing.sees_whole_district:
        return Campaign.objects.all()
    if not sees_hazards(user):
        return Campaign.objects.none()
    mine = Place.objects.filter(place_scope(user))
    return Campaign.objects.filter(
        Q(pk__in=_group_campaigns(user).values("pk")) | Q(places__in=mine)
    ).distinct()


def _in_scope(user: Actor, prefix: str) -> Q:
    """Rows of a campaign the user inspects, or of a place in his scope."""
    if standing_of(user).sees_whole_district:
        return Q()
    return Q(**{f"{prefix}campaign__in": _group_campaigns(user).values("pk")}) | place_scope(
        user, f"{prefix}place__"
    )


def inspections_visible_to(user: Actor) -> QuerySet[Inspection]:
    if not sees_hazards(user):
        return Inspection.objects.none()
    return Inspection.objects.filter(_in_scope(user, ""))


def hazards_visible_to(user: Actor) -> QuerySet[Hazard]:
    if not sees_hazards(user):
        return Hazard.objects.none()
    return Hazard.objects.filter(_in_scope(user, ""))


def notices_visible_to(user: Actor) -> QuerySet[Notice]:
    if not sees_hazards(user):
        return Notice.objects.none()
    return Notice.objects.filter(hazard__in=hazards_visible_to(user).values("pk"))


def places_visible_to(user: Actor) -> QuerySet[Place]:
    if not sees_hazards(user):
        return Place.objects.none()
    if standing_of(user).sees_whole_district:
        return Place.objects.all()
    inspected = Place.objects.filter(campaigns__in=_group_campaigns(user).values("pk"))
    return Place.objects.filter(place_scope(user) | Q(pk__in=inspected.values("pk")))


def _get(queryset: QuerySet, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_campaign_by_id(user: Actor, pk) -> Campaign:
    return _get(campaigns_visible_to(user), pk)


def access_inspection_by_id(user: Actor, pk) -> Inspection:
    return _get(inspections_visible_to(user).select_related("campaign", "place"), pk)


def access_hazard_by_id(user: Actor, pk) -> Hazard:
    return _get(
        hazards_visible_to(user).select_related("campaign", "place", "inspection", "case"), pk
    )


def access_place_by_id(user: Actor, pk) -> Place:
    return _get(places_visible_to(user), pk)


def sees_contact(user: Actor, place: Place, campaign: Campaign | None = None) -> bool:
    """The office, the responsible unit's staff, and the inspectors of a campaign of the
    place (of `campaign`, when the page is about one)."""
    if not user or not user.is_authenticated:
        return False
    standing = standing_of(user)
    if standing.office or standing.admin or place.responsible_unit_id in rules.unit_ids(user):
        return True
    if campaign is not None:
        return rules.may_inspect(user, campaign)
    return _group_campaigns(user).filter(places=place).exists()


def shown_contact(
    user: Actor, place: Place, place_name: str, campaign: Campaign | None = None
) -> tuple[str, str, bool]:
    """(name, phone, unmasked) of the place's contact as `user` may see them; an unmasked
    view is logged."""
    if sees_contact(user, place, campaign):
        if place.contact_name or place.contact_phone:
            assert isinstance(user, User)
            record_disclosures(
                user, Disclosure.Subject.HAZARD_PLACE, [place.pk], "name,phone", place_name
            )
        return place.contact_name, place.contact_phone, True
    name = mask_name(place.contact_name) if place.contact_name else ""
    return name, mask_phone(place.contact_phone), False


def filtered_hazards(user: Actor, params) -> QuerySet[Hazard]:
    """The hazards of the list (and its ledger): the user's scope, a queue (overdue, or a
    state), a state, a campaign."""
    hazards = hazards_visible_to(user)
    queue = params.get("queue", "")
    if queue == "overdue":
        today = local_date(timezone.now())
        late = Notice.objects.filter(status=Notice.Status.ISSUED, deadline__lt=today)
        hazards = hazards.filter(pk__in=late.values("hazard"))
    elif queue in HazardStatus.values:
        hazards = hazards.filter(status=queue)
    status = params.get("status", "")
    if status in HazardStatus.values:
        hazards = hazards.filter(status=status)
    campaign = params.get("campaign", "")
    if campaign.isdigit():
        hazards = hazards.filter(campaign_id=int(campaign))
    return hazards
