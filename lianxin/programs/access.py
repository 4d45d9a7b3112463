"""Who may see which wish, and who sees the wisher unmasked.

Scope on the staff pages (a wish outside it is a 404, exactly like one that does not exist):
- the office, leaders and administrators: the whole district;
- a street: the wishes of its communities; a community: its own; a grid worker: those of
  the households in his grid;
- whoever recorded a wish for a household, and whoever claimed a wish (live or released);
- any claimer: the published wishes still waiting for a claim (the wall shows them anyway).

The public wall (`/m/wishes/`) shows only what the community published, with the wisher
as a masked name (王**) and never a phone. The wisher's name and phone are shown unmasked to
his community, the office, whoever recorded the wish and the live claim's holder (who must
reach him to fulfil it); every such view is logged (`accounts.Disclosure`).
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from lianxin.accounts.models import Disclosure, record_disclosures
from lianxin.cases.access import standing_of
from lianxin.cases.models import mask_phone
from lianxin.programs.models import Wish, WishClaim, WishStatus
from lianxin.programs.rules import claim_units
from lianxin.workdays.days import local_date

S = WishStatus


def wish_scope(user) -> Q:
    """A filter on Wish for what `user` may see on the staff pages (no query per row)."""
    if not user or not user.is_authenticated:
        return Q(pk__in=[])
    standing = standing_of(user)
    if standing.sees_whole_district:
        return Q()
    scope = Q(recorded_by=user) | Q(pk__in=WishClaim.objects.filter(claimer=user).values("wish"))
    if standing.street_ids:
        scope |= Q(community__parent__in=standing.street_ids)
    if standing.community_ids:
        scope |= Q(community__in=standing.community_ids)
    if standing.grid_ids:
        scope |= Q(household__grid__in=standing.grid_ids)
    if claim_units(user):
        scope |= Q(status=WishStatus.PUBLISHED)
    return scope


def wishes_visible_to(user) -> QuerySet[Wish]:
    return Wish.objects.filter(wish_scope(user))


def reviewed_by(user) -> QuerySet[Wish]:
    """The wishes whose community `user` reviews for (the review queue's scope)."""
    standing = standing_of(user)
    if standing.office or standing.admin:
        return Wish.objects.all()
    return Wish.objects.filter(community__in=standing.community_ids)


def queue_of(user, queue: str):
    """The wishes of one queue of the staff list (review, overdue, claimable, all), in
    `user`'s scope; the list page and its ledger share it."""
    today = local_date(timezone.now())
    if queue == "review":
        return reviewed_by(user).filter(status__in=(S.PENDING, S.CHANGES_REQUESTED))
    wishes = wishes_visible_to(user)
    if queue == "overdue":
        late = WishClaim.objects.filter(
            released_at__isnull=True, fulfilled_at__isnull=True, promised_date__lt=today
        )
        return wishes.filter(pk__in=late.values("wish"))
    if queue == "claimable":
        return wishes.filter(status=S.PUBLISHED)
    return wishes


def may_see_figures(user) -> bool:
    standing = standing_of(user)
    return standing.sees_whole_district or bool(standing.street_ids or standing.community_ids)


def area_wishes(user):
    """The wishes of the communities in `user`'s area: the figures' and the ledger's scope."""
    standing = standing_of(user)
    if standing.sees_whole_district:
        return Wish.objects.all()
    if not (standing.street_ids or standing.community_ids):
        raise Http404
    return Wish.objects.filter(
        Q(community__in=standing.community_ids) | Q(community__parent__in=standing.street_ids)
    )


def access_wish_by_id(user, pk, *, for_update: bool = False) -> Wish:
    """The wish if `user` may see it; 404 for missing and for not yours alike."""
    wishes = wishes_visible_to(user)
    if for_update:
        wishes = wishes.select_for_update()
    try:
        return wishes.get(pk=pk)
    except (Wish.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def sees_wisher(user, wish: Wish, claim: WishClaim | None) -> bool:
    """Whether `user` may see the wisher's name and phone unmasked."""
    if not user or not user.is_authenticated:
        return False
    standing = standing_of(user)
    if standing.office or standing.admin or wish.community_id in standing.community_ids:
        return True
    if wish.recorded_by_id == user.pk:
        return True
    return claim is not None and claim.live and claim.claimer_id == user.pk


def shown_wisher(user, wish: Wish, claim: WishClaim | None, place: str) -> tuple[str, str, bool]:
    """(name, phone, unmasked) as `user` may see them; an unmasked view is logged."""
    if sees_wisher(user, wish, claim):
        record_disclosures(user, Disclosure.Subject.WISH, [wish.pk], "name,phone", place)
        return wish.wisher_name, wish.wisher_phone, True
    return wish.masked_name, mask_phone(wish.wisher_phone), False
