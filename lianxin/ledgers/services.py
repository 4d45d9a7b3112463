"""定制单台账 (.xlsx/CSV): the service orders of the staff list (`/programs/services/orders/`,
its queue and filters), one row per order with its service, household, provider,
deadline, outcome and rating.

The head of the household and the phone are written whole only for the orders whose
household the user may see unmasked (its community, its pair, the office, the provider
while the order is open), and those are logged as disclosed; everyone else gets 王** and
a masked phone.
"""

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Disclosure, record_disclosures
from lianxin.cases.access import require_staff, standing_of
from lianxin.cases.models import mask_phone
from lianxin.ledgers.export import CHUNK_SIZE, DATETIME, Column, Ledger
from lianxin.programs.models import (
    OPEN_ORDER,
    OrderChannel,
    OrderStatus,
    Rating,
    Service,
)
from lianxin.programs.service_access import orders_visible_to, queue_of
from lianxin.programs.service_forms import OrderFilterForm
from lianxin.programs.service_rules import unit_ids_of
from lianxin.registry.access import _current_pair_ids

YES, NO = _("是"), _("否")


def _unmasked_scope(user) -> Q:
    standing = standing_of(user)
    if standing.office or standing.admin:
        return Q()
    return (
        Q(household__community__in=standing.community_ids)
        | Q(household__pair__in=_current_pair_ids(user))
        | Q(provider__in=unit_ids_of(user), status__in=OPEN_ORDER)
    )


def _rows(user, orders, place: str):
    unmasked = set(orders.filter(_unmasked_scope(user)).values_list("household", flat=True))
    record_disclosures(user, Disclosure.Subject.HOUSEHOLD, sorted(unmasked), "phone", place)
    for order in orders.iterator(chunk_size=CHUNK_SIZE):
        yield order, order.household_id in unmasked


def service_order_ledger(user, params) -> Ledger:
    """定制单台账: a queue of the order list (all by default) with its filters."""
    require_staff(user)
    queue = params.get("queue") or "all"
    now = timezone.now()
    if queue == "mine":
        orders = queue_of(user)
    elif queue in ("all", "overdue"):
        orders = orders_visible_to(user)
        if queue == "overdue":
            orders = orders.filter(status__in=OPEN_ORDER, deadline__lt=now)
    else:
        raise Http404
    services = Service.objects.values_list("pk", "name")
    orders = (
        OrderFilterForm(params, services=services)
        .apply(orders)
        .select_related("service", "provider", "household", "household__community", "ordered_by")
        .order_by("household__community__name", "ordered_at", "pk")
    )
    status = {value: str(label) for value, label in OrderStatus.choices}
    channel = {value: str(label) for value, label in OrderChannel.choices}
    rating = {value: str(label) for value, label in Rating.choices}

    def head(row) -> str:
        name = row[0].household.head_name
        return name if row[1] else (f"{name[0]}**" if name else "")

    def late(order) -> str:
        if order.status in OPEN_ORDER:
            return str(YES if order.deadline < now else NO)
        if order.status == OrderStatus.DONE:
            return str(YES if order.done_at > order.deadline else NO)
        return ""

    columns = [
        Column(_("订单编号"), lambda r: r[0].number, width=10),
        Column(_("社区/村"), lambda r: r[0].household.community.name, width=12),
        Column(_("住户地址"), lambda r: r[0].household.address, width=24),
        Column(_("户主"), head, width=8),
        Column(
            _("联系电话"),
            lambda r: r[0].household.phone if r[1] else mask_phone(r[0].household.phone),
            width=14,
        ),
        Column(_("服务事项"), lambda r: r[0].service.name, width=16),
        Column(_("服务单位"), lambda r: r[0].provider.name, width=16),
        Column(_("点单方式"), lambda r: channel.get(r[0].channel, r[0].channel), width=10),
        Column(_("服务周期"), lambda r: r[0].period, width=9),
        Column(_("需求说明"), lambda r: r[0].request_note, width=24),
        Column(_("点单时间"), lambda r: r[0].ordered_at, DATETIME, 17),
        Column(_("办理期限"), lambda r: r[0].deadline, DATETIME, 17),
        Column(_("状态"), lambda r: status.get(r[0].status, r[0].status), width=8),
        Column(_("完成时间"), lambda r: r[0].done_at, DATETIME, 17),
        Column(_("办理情况"), lambda r: r[0].done_note, width=30),
        Column(_("逾期"), lambda r: late(r[0]), width=6),
        Column(_("取消原因"), lambda r: r[0].cancel_reason, width=20),
        Column(_("评价"), lambda r: rating.get(r[0].rating, ""), width=8),
        Column(_("评价意见"), lambda r: r[0].rating_note, width=20),
    ]
    title = str(_("精准服务定制单台账"))
    return Ledger(title, columns, _rows(user, orders, title), orders.count())
