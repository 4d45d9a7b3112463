"""Every change to the service menu (定制单) and its orders.

Each action takes the acting user as `actor`, checks `lianxin.programs.service_rules`,
writes the change and one `ServiceEvent` in one transaction, locking the order's row
(two people acting on one order queue there; the second finds it moved on). The
scheduler and the overdue scan act for no one (`actor` None) and are safe to run twice,
or twice at once.
"""

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Actor
from lianxin.errors import WorkflowError
from lianxin.orgs.models import Unit
from lianxin.programs import service_rules as rules
from lianxin.programs.actions.wishes import _now, _user
from lianxin.programs.models import (
    OPEN_ORDER,
    OrderChannel,
    OrderStatus,
    Rating,
    Service,
    ServiceEvent,
    ServiceOrder,
    ServicePlace,
    ServiceRecurrence,
)
from lianxin.registry.models import Household, Tag
from lianxin.text import Message, clean_text
from lianxin.workdays.days import deadline_after, end_of_day, local_date

S = OrderStatus
MAX_NAME = 60
MAX_TEXT = 500
MAX_DESCRIPTION = 1000
MAX_WORKING_DAYS = 60


def _text(value: str, field: str, label: Message, limit: int, *, required=True) -> str:
    value = clean_text(value or "")
    if required and not value:
        raise WorkflowError(f"{field}_required", _("请填写%(label)s。") % {"label": label})
    if len(value) > limit:
        raise WorkflowError(
            f"{field}_too_long", _("%(label)s不能超过%(n)d个字。") % {"label": label, "n": limit}
        )
    return value


def _event(
    service: Service | int,
    code: str,
    *,
    actor: Actor,
    at: dt.datetime,
    order: ServiceOrder | None = None,
    unit_id: int | None = None,
    from_status: str = "",
    note: str = "",
    **data: Any,
) -> ServiceEvent:
    return ServiceEvent.objects.create(
        service_id=service if isinstance(service, int) else service.pk,
        order=order,
        code=code,
        actor=_user(actor),
        actor_unit_id=unit_id,
        at=at,
        from_status=from_status,
        to_status=order.status if order is not None else "",
        note=note,
        data=data,
    )


# The menu.


def period_of(recurrence: str, day: dt.date) -> str:
    """The period `day` falls in: "2026-12" monthly, "2026-Q4" quarterly."""
    if recurrence == ServiceRecurrence.MONTHLY:
        return f"{day.year}-{day.month:02d}"
    if recurrence == ServiceRecurrence.QUARTERLY:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    raise ValueError(recurrence)


def period_end(recurrence: str, day: dt.date) -> dt.date:
    """The last day of the period `day` falls in: a recurring order is due by then."""
    months = 1 if recurrence == ServiceRecurrence.MONTHLY else 3
    first_month = day.month if months == 1 else (day.month - 1) // 3 * 3 + 1
    month = first_month + months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return dt.date(year, month, 1) - dt.timedelta(days=1)


def do_save_service(
    service: Service | None,
    *,
    actor: Actor,
    name: str,
    provider: Unit,
    working_days: int,
    description: str = "",
    community: Unit | None = None,
    place: str = ServicePlace.HOME,
    tags: Iterable[Tag] = (),
    recurrence: str = "",
    active: bool = True,
    sort_order: int = 0,
    when: dt.datetime | None = None,
) -> Service:
    """Add a line to the menu (`service` None) or change one. The office keeps the
    district's lines (`community` None), a community its own; a line stays with the
    community it was made for."""
    at = _now(when)
    name = _text(name, "name", _("服务名称"), MAX_NAME)
    description = _text(description, "description", _("服务内容"), MAX_DESCRIPTION, required=False)
    if service is not None:
        community = service.community
    if community is not None and community.kind != Unit.Kind.COMMUNITY:
        raise WorkflowError("community_required", _("服务事项只能属于全区或某个社区。"))
    if not rules.keeps(actor, community):
        raise WorkflowError("forbidden", _("您无权维护该服务清单。"))
    if (
        provider is None
        or not rules.providers_for(actor, community).filter(pk=provider.pk).exists()
    ):
        raise WorkflowError("invalid_provider", _("请选择本清单可指派的服务单位。"))
    if not isinstance(working_days, int) or not 1 <= working_days <= MAX_WORKING_DAYS:
        raise WorkflowError(
            "invalid_working_days",
            _("办理时限须为1至%(n)d个工作日。") % {"n": MAX_WORKING_DAYS},
        )
    if place not in ServicePlace.values:
        raise WorkflowError("invalid_place", _("请选择服务方式。"))
    if recurrence not in ServiceRecurrence.values:
        raise WorkflowError("invalid_recurrence", _("定期服务周期无效。"))
    tags = list(tags)
    if recurrence and not tags:
        raise WorkflowError(
            "tags_required", _("定期服务须限定人群标签（如困难、独居），按标签为每户排期。")
        )
    fields = {
        "name": name,
        "description": description,
        "provider": provider,
        "community": community,
        "place": place,
        "working_days": working_days,
        "recurrence": recurrence,
        "active": active,
        "sort_order": sort_order,
        "updated_at": at,
    }
    with transaction.atomic():
        if service is None:
            service = Service.objects.create(created_at=at, **fields)
            code = "programs.service.created"
        else:
            service = Service.objects.select_for_update().get(pk=service.pk)
            was_active = service.active
            for field, value in fields.items():
                setattr(service, field, value)
            service.save()
            code = "programs.service.updated"
            if was_active and not active:
                code = "programs.service.retired"
            elif active and not was_active:
                code = "programs.service.restored"
        service.tags.set(tags)
        _event(
            service,
            code,
            actor=actor,
            at=at,
            unit_id=community.pk if community is not None else None,
            provider=provider.pk,
            tags=sorted(tag.code for tag in tags),
        )
    return service


def do_retire_service(
    service: Service, *, actor: Actor, active: bool = False, when: dt.datetime | None = None
) -> Service:
    """Take a line off the menu (its open orders run on), or put it back."""
    at = _now(when)
    if not rules.keeps(actor, service.community):
        raise WorkflowError("forbidden", _("您无权维护该服务清单。"))
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service.pk)
        if service.active == active:
            return service
        service.active, service.updated_at = active, at
        service.save(update_fields=["active", "updated_at"])
        code = "programs.service.restored" if active else "programs.service.retired"
        _event(service, code, actor=actor, at=at)
    return service


# Orders.


def do_order_service(
    service: Service,
    household: Household,
    *,
    actor: Actor,
    channel: str,
    note: str = "",
    phone_proved: bool = False,
    when: dt.datetime | None = None,
) -> ServiceOrder:
    """A household orders a service: on a visit (`visit`) or by phone (`phone`) through
    a cadre or staff, or itself on the residents' pages (`portal`, for a resident whose
    proved phone is the household's: `phone_proved`, which those pages establish). The order is the
    providing unit's task, due `working_days` working days later (at the end of that day).

    Refused: a retired service, a household that is not on the line's menu or lacks its
    tags, a household that has the same service open already."""
    at = _now(when)
    note = _text(note, "note", _("需求说明"), MAX_TEXT, required=False)
    if channel == OrderChannel.SCHEDULED:
        raise WorkflowError("invalid_channel", _("定期服务由系统排期，不能手工点单。"))
    unit_id = rules.check_order(actor, household, channel, phone_proved=phone_proved)
    with transaction.atomic():
        # One order at a time per household and service: lock the service's row so that
        # two cadres ordering the same thing for one household do not both get it.
        service = Service.objects.select_for_update().get(pk=service.pk)
        if not service.active:
            raise WorkflowError("retired", _("该服务事项已停用，不能点单。"))
        if not household.active:
            raise WorkflowError("household_inactive", _("该户已迁出，不能点单。"))
        refused = rules.eligibility_error(service, household)
        if refused is not None:
            raise refused
        if ServiceOrder.objects.filter(
            service=service, household=household, status__in=OPEN_ORDER
        ).exists():
            raise WorkflowError(
                "already_ordered", _("该户已点过“%(service)s”，尚未办结。") % {"service": service}
            )
        order = ServiceOrder.objects.create(
            service=service,
            household=household,
            provider_id=service.provider_id,
            channel=channel,
            status=S.ORDERED,
            request_note=note,
            ordered_at=at,
            ordered_by=_user(actor),
            deadline=deadline_after(at, service.working_days),
        )
        _event(
            service,
            "programs.order.placed",
            actor=actor,
            at=at,
            order=order,
            unit_id=unit_id,
            note=note,
            channel=channel,
            deadline=order.deadline.isoformat(),
        )
    return order


class _Step:
    def __init__(
        self,
        name: str,
        order: ServiceOrder,
        actor: Actor,
        at: dt.datetime,
        *,
        phone_proved: bool = False,
    ):
        self.order = (
            ServiceOrder.objects.select_for_update()
            .select_related("household")
            .get(pk=order.pk if isinstance(order, ServiceOrder) else order)
        )
        self.unit_id = rules.check(name, actor, self.order, phone_proved=phone_proved)
        self.before = self.order.status
        self.actor, self.at = actor, at

    def done(self, code: str, fields: list[str], *, note: str = "", **data: Any) -> ServiceOrder:
        self.order.save(update_fields=fields)
        _event(
            self.order.service_id,
            code,
            actor=self.actor,
            at=self.at,
            order=self.order,
            unit_id=self.unit_id,
            from_status=self.before,
            note=note,
            **data,
        )
        return self.order


def do_accept_order(order: ServiceOrder, *, actor: Actor, when: dt.datetime | None = None):
    """The provider takes the order on (the deadline stands)."""
    at = _now(when)
    with transaction.atomic():
        step = _Step("accept", order, actor, at)
        step.order.status, step.order.accepted_at = S.ACCEPTED, at
        return step.done("programs.order.accepted", ["status", "accepted_at"])


def do_complete_order(
    order: ServiceOrder, *, actor: Actor, note: str, when: dt.datetime | None = None
):
    """The provider records what was done; the household rates it next."""
    at = _now(when)
    note = _text(note, "note", _("办理情况"), MAX_TEXT)
    with transaction.atomic():
        step = _Step("complete", order, actor, at)
        step.order.status, step.order.done_at, step.order.done_note = S.DONE, at, note
        if step.order.accepted_at is None:
            step.order.accepted_at = at
        on_time = at <= step.order.deadline
        return step.done(
            "programs.order.done",
            ["status", "done_at", "done_note", "accepted_at"],
            note=note,
            on_time=on_time,
        )


def do_cancel_order(
    order: ServiceOrder,
    *,
    actor: Actor,
    reason: str,
    phone_proved: bool = False,
    when: dt.datetime | None = None,
):
    """An open order withdrawn, with why (the household no longer needs it, it was
    ordered by mistake, the provider cannot serve it)."""
    at = _now(when)
    reason = _text(reason, "reason", _("取消原因"), MAX_TEXT)
    with transaction.atomic():
        step = _Step("cancel", order, actor, at, phone_proved=phone_proved)
        order = step.order
        order.status, order.cancelled_at, order.cancel_reason = S.CANCELLED, at, reason
        return step.done(
            "programs.order.cancelled", ["status", "cancelled_at", "cancel_reason"], note=reason
        )


def do_rate_order(
    order: ServiceOrder,
    *,
    actor: Actor,
    rating: str,
    note: str = "",
    phone_proved: bool = False,
    when: dt.datetime | None = None,
):
    """The household's word on a done order, once: by the resident on /m/, or by its
    community or the office recording a phone call."""
    at = _now(when)
    if rating not in Rating.values:
        raise WorkflowError("invalid_rating", _("请选择满意、基本满意或不满意。"))
    note = _text(note, "rating_note", _("评价意见"), MAX_TEXT, required=False)
    if rating == Rating.UNSATISFIED and not note:
        raise WorkflowError("rating_note_required", _("不满意时请说明原因。"))
    with transaction.atomic():
        step = _Step("rate", order, actor, at, phone_proved=phone_proved)
        if step.order.rating:
            raise WorkflowError("already_rated", _("该订单已评价。"))
        held = rules.capacities(actor, step.order, phone_proved=phone_proved)
        via = "portal" if "resident" in held else "phone"
        order = step.order
        order.rating, order.rating_note, order.rated_at, order.rated_via = rating, note, at, via
        return step.done(
            "programs.order.rated",
            ["rating", "rating_note", "rated_at", "rated_via"],
            note=note,
            rating=rating,
            via=via,
        )


# What runs by itself.


def do_record_overdue_orders(*, when: dt.datetime | None = None) -> int:
    """Mark each open order whose deadline has passed, once, with an event: the
    provider's reminder (its queue shows it at the top, in red). Returns how many."""
    at = _now(when)
    with transaction.atomic():
        missed = list(
            ServiceOrder.objects.select_for_update(skip_locked=True)
            .filter(status__in=OPEN_ORDER, overdue_at__isnull=True, deadline__lt=at)
            .values("pk", "service_id", "provider_id", "status", "deadline")
        )
        if not missed:
            return 0
        ServiceOrder.objects.filter(pk__in=[row["pk"] for row in missed]).update(overdue_at=at)
        ServiceEvent.objects.bulk_create(
            [
                ServiceEvent(
                    service_id=row["service_id"],
                    order_id=row["pk"],
                    code="programs.order.overdue",
                    actor_unit_id=row["provider_id"],
                    at=at,
                    from_status=row["status"],
                    to_status=row["status"],
                    data={"deadline": row["deadline"].isoformat()},
                )
                for row in missed
            ],
            batch_size=1000,
        )
    return len(missed)


def do_schedule_recurring_orders(*, when: dt.datetime | None = None) -> int:
    """Order each active recurring service for every household with one of its tags,
    once per period (this month, this quarter), due at the period's end. Safe to run
    again and twice at once: the unique constraint on (service, household, period) keeps
    one order, and each run writes events only for the rows it inserted itself."""
    at = _now(when)
    today = local_date(at)
    made = 0
    recurring = Service.objects.filter(active=True).exclude(recurrence="")
    for service in recurring.prefetch_related("tags"):
        period = period_of(service.recurrence, today)
        deadline = end_of_day(period_end(service.recurrence, today))
        households = rules.eligible_households(service, Household.objects.all()).exclude(
            pk__in=ServiceOrder.objects.filter(service=service, period=period).values("household")
        )
        run = uuid.uuid4().hex
        rows = [
            ServiceOrder(
                service=service,
                household_id=household_id,
                provider_id=service.provider_id,
                channel=OrderChannel.SCHEDULED,
                status=S.ORDERED,
                ordered_at=at,
                deadline=deadline,
                period=period,
                run=run,
            )
            for household_id in households.values_list("pk", flat=True).iterator()
        ]
        if not rows:
            continue
        with transaction.atomic():
            try:
                ServiceOrder.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
            except IntegrityError:  # pragma: no cover - ignore_conflicts covers the constraint
                continue
            mine = list(
                ServiceOrder.objects.filter(service=service, run=run).values_list("pk", flat=True)
            )
            ServiceEvent.objects.bulk_create(
                [
                    ServiceEvent(
                        service=service,
                        order_id=pk,
                        code="programs.order.scheduled",
                        actor_unit_id=service.provider_id,
                        at=at,
                        to_status=S.ORDERED,
                        data={"period": period},
                    )
                    for pk in mine
                ],
                batch_size=1000,
            )
        made += len(mine)
    return made
