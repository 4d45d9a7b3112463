"""The micro-wishes' figures, counted in the database: posted, published, claimed,
fulfilled, confirmed and overdue claims, in total, by community and by claimer's unit.

A wish counts as claimed while a claim holds it (claimed, fulfilled or confirmed); a
released wish is back on the wall and counts as published only. A claim is overdue when
it is live, not fulfilled, and its promised date is before today, whether or not the
periodic scan has marked it yet.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from lianxin.programs.models import Wish, WishClaim, WishStatus

S = WishStatus
MEASURES = {
    "posted": _("提交"),
    "published": _("发布"),
    "claimed": _("认领"),
    "fulfilled": _("完成"),
    "confirmed": _("确认圆梦"),
    "overdue": _("逾期未完成"),
}
HELD = (S.CLAIMED, S.FULFILLED, S.CONFIRMED)


@dataclass
class Row:
    label: str
    posted: int = 0
    published: int = 0
    claimed: int = 0
    fulfilled: int = 0
    confirmed: int = 0
    overdue: int = 0


def _overdue_claims(today: dt.date) -> QuerySet[WishClaim]:
    return WishClaim.objects.filter(
        released_at__isnull=True, fulfilled_at__isnull=True, promised_date__lt=today
    )


def _wish_measures(today: dt.date) -> dict:
    return {
        "posted": Count("pk"),
        "published": Count("pk", filter=Q(published_at__isnull=False)),
        "claimed": Count("pk", filter=Q(status__in=HELD)),
        "fulfilled": Count("pk", filter=Q(status__in=(S.FULFILLED, S.CONFIRMED))),
        "confirmed": Count("pk", filter=Q(status=S.CONFIRMED)),
        "overdue": Count("pk", filter=Q(late=True)),
    }


def _with_lateness(wishes: QuerySet[Wish], today: dt.date) -> QuerySet[Wish]:
    return wishes.annotate(late=Exists(_overdue_claims(today).filter(wish=OuterRef("pk"))))


def totals(wishes: QuerySet[Wish], today: dt.date) -> Row:
    counts = _with_lateness(wishes, today).aggregate(**_wish_measures(today))
    return Row(label=str(_("合计")), **counts)


def by_community(wishes: QuerySet[Wish], today: dt.date) -> list[Row]:
    rows = (
        _with_lateness(wishes, today)
        .order_by()
        .values("community__name")
        .annotate(**_wish_measures(today))
        .order_by("-posted", "community__name")
    )
    return [Row(label=row.pop("community__name"), **row) for row in rows]


def by_claimer_unit(wishes: QuerySet[Wish], today: dt.date) -> list[Row]:
    """The live claims on `wishes`, by the unit the claimer claimed for (posted and
    published do not apply to a claimer and stay zero)."""
    rows = (
        WishClaim.objects.filter(released_at__isnull=True, wish__in=wishes.values("pk"))
        .order_by()
        .values("unit__name")
        .annotate(
            claimed=Count("pk"),
            fulfilled=Count("pk", filter=Q(fulfilled_at__isnull=False)),
            confirmed=Count("pk", filter=Q(wish__status=S.CONFIRMED)),
            overdue=Count("pk", filter=Q(fulfilled_at__isnull=True, promised_date__lt=today)),
        )
        .order_by("-claimed", "unit__name")
    )
    return [Row(label=row.pop("unit__name") or str(_("个人")), **row) for row in rows]


def released_claims(wishes: QuerySet[Wish]) -> int:
    return WishClaim.objects.filter(released_at__isnull=False, wish__in=wishes.values("pk")).count()
