"""The programmes' ledgers (.xlsx/CSV). So far 微心愿台账: the wishes of the staff list
(`/programs/wishes/`, its queue and filters) with their live claim.

The wisher's name and phone are written whole only for the wishes the user reviews (his
community's, or every one for the office), and those are logged as disclosed when the rows
are written; everyone else gets 王** and a masked phone.
"""

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Disclosure, record_disclosures
from lianxin.cases.access import require_staff
from lianxin.cases.models import mask_phone
from lianxin.ledgers.export import CHUNK_SIZE, DATE, DATETIME, Column, Ledger
from lianxin.programs.access import queue_of, reviewed_by
from lianxin.programs.forms import WishFilterForm
from lianxin.programs.models import Wish, WishClaim, WishStatus
from lianxin.workdays.days import local_date

YES, NO = _("是"), _("否")
QUEUES = ("review", "overdue", "claimable", "all")


def _claim(wish: Wish) -> WishClaim | None:
    claims = getattr(wish, "live_claims", [])  # prefetched by wish_ledger
    return claims[0] if claims else None


def _of_claim(getter):
    def value(row):
        claim = _claim(row[0])
        return getter(claim) if claim is not None else None

    return value


def _rows(user, wishes, place: str):
    unmasked = set(
        reviewed_by(user).filter(pk__in=wishes.values("pk")).values_list("pk", flat=True)
    )
    record_disclosures(user, Disclosure.Subject.WISH, sorted(unmasked), "name,phone", place)
    for wish in wishes.iterator(chunk_size=CHUNK_SIZE):
        yield wish, wish.pk in unmasked


def wish_ledger(user, params) -> Ledger:
    """微心愿台账: a queue of the staff list (all by default), with the list's filters; a
    404 for anyone who has no list, as the list itself is."""
    require_staff(user)
    queue = params.get("queue") or "all"
    if queue not in QUEUES:
        raise Http404
    wishes = queue_of(user, queue)
    communities = wishes.values_list("community", "community__name").distinct()
    wishes = WishFilterForm(params, communities=communities).apply(wishes)
    wishes = (
        wishes.select_related("community", "community__parent")
        .prefetch_related(
            Prefetch(
                "claims",
                queryset=WishClaim.objects.filter(released_at__isnull=True).select_related(
                    "unit", "claimer"
                ),
                to_attr="live_claims",
            )
        )
        .order_by("community__name", "posted_at", "pk")
    )
    status = {value: str(label) for value, label in WishStatus.choices}
    source = {value: str(label) for value, label in Wish.Source.choices}
    today = local_date(timezone.now())

    def overdue(claim) -> str:
        return str(YES if not claim.fulfilled_at and claim.promised_date < today else NO)

    columns = [
        Column(
            _("街道/镇"),
            lambda r: r[0].community.parent.name if r[0].community.parent else "",
            width=12,
        ),
        Column(_("社区/村"), lambda r: r[0].community.name, width=12),
        Column(_("提交时间"), lambda r: r[0].posted_at, DATETIME, 17),
        Column(_("来源"), lambda r: source.get(r[0].source, r[0].source), width=8),
        Column(_("心愿内容"), lambda r: r[0].text, width=40),
        Column(_("心愿人"), lambda r: r[0].wisher_name if r[1] else r[0].masked_name, width=10),
        Column(
            _("联系电话"),
            lambda r: r[0].wisher_phone if r[1] else mask_phone(r[0].wisher_phone),
            width=14,
        ),
        Column(_("状态"), lambda r: status.get(r[0].status, r[0].status), width=8),
        Column(_("发布时间"), lambda r: r[0].published_at, DATETIME, 17),
        Column(_("认领单位"), _of_claim(lambda c: c.unit.name if c.unit else ""), width=16),
        Column(_("认领人"), _of_claim(lambda c: str(c.claimer)), width=10),
        Column(_("认领时间"), _of_claim(lambda c: c.claimed_at), DATETIME, 17),
        Column(_("承诺完成日期"), _of_claim(lambda c: c.promised_date), DATE, 12),
        Column(_("逾期"), _of_claim(overdue), width=6),
        Column(_("完成时间"), _of_claim(lambda c: c.fulfilled_at), DATETIME, 17),
        Column(_("完成情况"), _of_claim(lambda c: c.fulfilment_note), width=30),
        Column(_("确认时间"), lambda r: r[0].confirmed_at, DATETIME, 17),
    ]
    title = str(_("微心愿台账"))
    return Ledger(title, columns, _rows(user, wishes, title), wishes.count())
