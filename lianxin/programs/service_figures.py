"""The service menu's figures, counted in the database: ordered, done, done on time,
overdue, cancelled and the households' ratings, in total, by providing unit and by the
household's community.

An order is overdue while it is open and its deadline has passed, whether or not the
periodic scan has marked it yet; done on time is done by its deadline. The satisfaction
rate is (满意 + 基本满意) / rated, as the districts report it.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianxin.programs.models import OPEN_ORDER, OrderStatus, Rating, Service, ServiceOrder

S = OrderStatus
MEASURES = {
    "ordered": _("点单"),
    "done": _("已完成"),
    "on_time": _("按时完成"),
    "overdue": _("逾期未办结"),
    "cancelled": _("已取消"),
    "rated": _("已评价"),
    "satisfied": _("满意"),
    "basic": _("基本满意"),
    "unsatisfied": _("不满意"),
}


@dataclass
class Row:
    label: str
    ordered: int = 0
    done: int = 0
    on_time: int = 0
    overdue: int = 0
    cancelled: int = 0
    rated: int = 0
    satisfied: int = 0
    basic: int = 0
    unsatisfied: int = 0

    @property
    def satisfaction(self) -> float | None:
        """(满意 + 基本满意) / rated, in per cent; None before any rating."""
        if not self.rated:
            return None
        return round(100 * (self.satisfied + self.basic) / self.rated, 1)

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.on_time / self.done, 1) if self.done else None

    def as_dict(self) -> dict:
        counts = {code: getattr(self, code) for code in MEASURES}
        return {**counts, "satisfaction": self.satisfaction}


def _measures(now: dt.datetime) -> dict:
    return {
        "ordered": Count("pk"),
        "done": Count("pk", filter=Q(status=S.DONE)),
        "on_time": Count("pk", filter=Q(status=S.DONE, done_at__lte=F("deadline"))),
        "overdue": Count("pk", filter=Q(status__in=OPEN_ORDER, deadline__lt=now)),
        "cancelled": Count("pk", filter=Q(status=S.CANCELLED)),
        "rated": Count("pk", filter=~Q(rating="")),
        "satisfied": Count("pk", filter=Q(rating=Rating.SATISFIED)),
        "basic": Count("pk", filter=Q(rating=Rating.BASIC)),
        "unsatisfied": Count("pk", filter=Q(rating=Rating.UNSATISFIED)),
    }


def totals(orders: QuerySet[ServiceOrder], now: dt.datetime) -> Row:
    return Row(label=str(_("合计")), **orders.aggregate(**_measures(now)))


def _by(orders: QuerySet[ServiceOrder], field: str, now: dt.datetime) -> list[Row]:
    rows = orders.order_by().values(field).annotate(**_measures(now)).order_by("-ordered", field)
    return [Row(label=row.pop(field) or "—", **row) for row in rows]


def by_provider(orders: QuerySet[ServiceOrder], now: dt.datetime) -> list[Row]:
    return _by(orders, "provider__name", now)


def by_community(orders: QuerySet[ServiceOrder], now: dt.datetime) -> list[Row]:
    return _by(orders, "household__community__name", now)


def by_service(orders: QuerySet[ServiceOrder], now: dt.datetime) -> list[Row]:
    return _by(orders, "service__name", now)


def stats() -> dict:
    """The district's figures for `lianxin programs stats`: the lines in use, and the
    orders' counts with each status's own."""
    orders = ServiceOrder.objects.all()
    total = totals(orders, timezone.now())
    by_status = dict(orders.order_by().values_list("status").annotate(n=Count("pk")))
    in_use = Service.objects.filter(active=True)
    return {
        "menu": in_use.count(),
        "recurring": in_use.exclude(recurrence="").count(),
        **total.as_dict(),
        "by_status": {status: by_status.get(status, 0) for status in OrderStatus.values},
    }
