"""Pulling work orders from the city platform: new ones become cases, changed ones notes.

Every change to a case goes through `lianxin.cases.actions`, as the integration
account named in the settings. An order is applied in one transaction together
with what we remember of it, so a pull that is interrupted and run again neither
registers an order twice nor records the same change twice.
"""

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lianxin.cases.actions import do_add_note, do_register_case, do_withdraw_case
from lianxin.cases.models import Channel
from lianxin.cases.rules import BEFORE_RESOLUTION, WorkflowError
from lianxin.geo.points import parse_point
from lianxin.upstream.client import GeoReportClient, Order, UpstreamError
from lianxin.upstream.models import PushState, ServiceMapping, UpstreamOrder, UpstreamSettings

logger = logging.getLogger(__name__)

# Orders requested just before the previous pull's end may reach upstream's database late,
# and the two clocks differ a little: each window starts this much before the cursor.
OVERLAP = dt.timedelta(minutes=5)
# The first pull looks back this far.
FIRST_LOOKBACK = dt.timedelta(days=1)
# GeoReport v2: "a span of 90 days or first 1000 requests returned, whichever is smallest".
SPEC_WINDOW = dt.timedelta(days=90)
SPEC_LIMIT = 1000
# Known orders are re-read by id, this many per request (a comma-separated list).
REFRESH_BATCH = 50
# How long one consumer holds the pull before another may take it over.
PULL_LEASE = dt.timedelta(minutes=10)

CLOSED = "closed"


@dataclass
class PullResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    cursor: dt.datetime | None = None
    errors: list[str] = field(default_factory=list)
    # An order failed in a way that left no row behind: the window must be read again.
    incomplete: bool = False


def run_pull(config: UpstreamSettings, *, now: dt.datetime | None = None, force: bool = False):
    """Pull when due (the polling interval, or the back-off after failures); None when not
    due or another consumer holds the pull. Upstream failures are recorded, never raised."""
    now = now or timezone.now()
    due = config.next_pull_at()
    if not force and due is not None and now < due:
        return None
    claimed = (
        UpstreamSettings.objects.filter(pk=config.pk)
        .filter(Q(pull_lease_until__isnull=True) | Q(pull_lease_until__lt=now))
        .update(pull_lease_until=now + PULL_LEASE)
    )
    if not claimed:
        return None
    try:
        result = pull(config, now=now)
    except UpstreamError as exc:
        failures = config.pull_failures + 1
        UpstreamSettings.objects.filter(pk=config.pk).update(
            last_pull_at=now,
            pull_failures=F("pull_failures") + 1,
            last_pull_error=str(exc)[:2000],
            pull_lease_until=None,
        )
        logger.warning(
            "upstream pull failed (%d in a row; next try in %s at the earliest): %s",
            failures,
            max(dt.timedelta(minutes=config.poll_minutes), config.backoff(failures)),
            exc,
        )
        return None
    except BaseException:
        UpstreamSettings.objects.filter(pk=config.pk).update(pull_lease_until=None)
        raise
    UpstreamSettings.objects.filter(pk=config.pk).update(
        last_pull_at=now,
        last_pull_ok_at=now,
        pull_cursor=result.cursor,
        pull_failures=0,
        last_pull_error="; ".join(result.errors)[:2000],
        pull_lease_until=None,
    )
    logger.info(
        "upstream pull: %d new, %d changed, %d unchanged, %d failed; cursor %s",
        result.created,
        result.updated,
        result.unchanged,
        result.failed,
        result.cursor,
    )
    return result


def pull(
    config: UpstreamSettings, *, now: dt.datetime, client: GeoReportClient | None = None
) -> PullResult:
    """One exchange; raises UpstreamError when upstream fails, leaving the cursor alone.

    1. New orders: GET requests.json for the window from the cursor (less an overlap)
       to now, at most the specification's 90 days.
    2. Changed orders: the orders we still watch, re-read by id in batches, because the
       specification's start_date filters on the time an order was requested, not
       on the time it changed.
    3. The new cursor: the window's end, or, when upstream returned as many orders as
       it may (1000), the latest requested time among them, so the next pull goes on
       from there.
    """
    client = client or GeoReportClient(config)
    result = PullResult()
    start = config.pull_cursor - OVERLAP if config.pull_cursor else now - FIRST_LOOKBACK
    end = min(now, start + SPEC_WINDOW)
    items = client.get_requests(start=start, end=end)
    seen: set[str] = set()
    latest_requested = None
    for item in items:
        order = _parse(item, result)
        if order is None:
            continue
        seen.add(order.upstream_id)
        if order.requested_at and (
            latest_requested is None or order.requested_at > latest_requested
        ):
            latest_requested = order.requested_at
        _apply_safely(config, order, result, now=now)

    watched = [
        upstream_id
        for upstream_id in UpstreamOrder.objects.filter(watching=True)
        .order_by("upstream_id")
        .values_list("upstream_id", flat=True)
        if upstream_id not in seen
    ]
    for i in range(0, len(watched), REFRESH_BATCH):
        for item in client.get_requests(ids=watched[i : i + REFRESH_BATCH]):
            order = _parse(item, result)
            if order is not None:
                _apply_safely(config, order, result, now=now)

    if result.incomplete:
        result.cursor = start + OVERLAP  # the same window again next time
    elif len(items) >= SPEC_LIMIT and latest_requested is not None and latest_requested > start:
        result.cursor = min(latest_requested, end)
    else:
        result.cursor = end
    return result


def _parse(item: dict, result: PullResult) -> Order | None:
    try:
        return Order.from_json(item)
    except ValueError as exc:
        result.failed += 1
        result.errors.append(str(exc))
        logger.warning("upstream order skipped: %s: %r", exc, item.get("service_request_id"))
        return None


def _apply_safely(config, order: Order, result: PullResult, *, now: dt.datetime) -> None:
    """Apply one order; a crash on it is logged and leaves the others unharmed."""
    try:
        outcome = apply_order(config, order, now=now)
    except Exception as exc:
        logger.exception("upstream order %s could not be applied", order.upstream_id)
        result.errors.append(f"{order.upstream_id}: {exc.__class__.__name__}: {exc}")
        result.incomplete = True
        outcome = "failed"
    setattr(result, outcome, getattr(result, outcome) + 1)


def apply_order(config: UpstreamSettings, order: Order, *, now: dt.datetime) -> str:
    """Register a new order or apply the changes of a known one; returns the outcome
    ("created", "updated", "unchanged" or "failed")."""
    with transaction.atomic():
        row = (
            UpstreamOrder.objects.select_for_update(of=("self",))
            .select_related("case")
            .filter(upstream_id=order.upstream_id)
            .first()
        )
        if row is None or row.case_id is None:
            return _register(config, row, order, now=now)
        return _apply_changes(config, row, order, now=now)


def _register(
    config: UpstreamSettings, row: UpstreamOrder | None, order: Order, *, now: dt.datetime
) -> str:
    if order.status == CLOSED:
        # Closed upstream before we could register it: nothing is left for us to do.
        if row is not None:
            _remember(row, order)
            row.watching = False
            row.save()
        return "unchanged"
    row = row or UpstreamOrder(upstream_id=order.upstream_id)
    requested = min(order.requested_at or now, now)
    latitude, longitude = _point(config, order)
    try:
        with transaction.atomic():
            case = do_register_case(
                actor=config.actor,
                channel=Channel.CITY,
                title=_title(order),
                text=_case_text(order),
                address=_address(order),
                category=_category(config, order.service_code),
                latitude=latitude,
                longitude=longitude,
                idempotency_key=_idempotency_key(order.upstream_id),
                when=requested,
            )
    except WorkflowError as exc:
        # Kept with its reason and tried again on the next pull (the order is watched).
        _remember(row, order)
        row.import_error = str(exc.message)
        row.save()
        logger.warning("upstream order %s not registered: %s", order.upstream_id, exc.message)
        return "failed"
    _remember(row, order)
    row.case = case
    row.import_error = ""
    row.checked_at = now
    row.watching = True
    row.save()
    return "created"


def _apply_changes(
    config: UpstreamSettings,
    row: UpstreamOrder,
    order: Order,
    *,
    now: dt.datetime,
) -> str:
    """Turn what changed upstream into workflow actions; see docs/upstream.md for the table."""
    if row.upstream_updated_at and order.updated_at and order.updated_at < row.upstream_updated_at:
        return "unchanged"  # an older copy of the order (a lagging replica): never go back
    was = row.upstream_status
    notes = []
    if order.description and order.description != row.description:
        notes.append(_("市级平台更新了诉求内容：%(text)s") % {"text": order.description})
    if order.address and order.address != row.address:
        notes.append(_("市级平台更新了地址：%(address)s") % {"address": order.address})
    if (
        order.status_notes
        and order.status_notes != row.status_notes
        and not row.pushes.filter(payload__description=order.status_notes).exists()
    ):
        notes.append(_("市级平台说明：%(notes)s") % {"notes": order.status_notes})
    if order.service_code != row.service_code:
        notes.append(
            _("市级平台将服务类型改为：%(name)s（%(code)s）")
            % {"name": order.service_name, "code": order.service_code}
        )
    closed_now = order.status == CLOSED and was != CLOSED
    # Upstream reopening after our own "in progress" push is that push's echo, not news.
    reopened = order.status != CLOSED and was == CLOSED and _last_push_closed(row)
    if not (notes or closed_now or reopened):
        # Nothing to act on (or only the echo of our own push): remember it, quietly.
        if (order.status, order.updated_at, order.status_notes) != (
            row.upstream_status,
            row.upstream_updated_at,
            row.status_notes,
        ):
            _remember(row, order)
            row.save()
        return "unchanged"

    case = row.case
    assert case is not None, "only registered orders are updated"
    try:
        with transaction.atomic():
            if closed_now and case.status in BEFORE_RESOLUTION:
                # The city took the order back before we resolved it: nobody here owes it
                # anything any more. (Closed after our result: verification goes on.)
                reason = _("市级平台已关闭该工单。")
                do_withdraw_case(case, actor=config.actor, reason="\n".join([reason, *notes]))
                notes = []
            if reopened:
                if case.is_final:
                    row.attention = _(
                        "市级平台于%(at)s重新打开了该工单，但本地诉求已结束（%(status)s），"
                        "请人工处理。"
                    ) % {
                        "at": timezone.localtime(order.updated_at or now).strftime(
                            "%Y-%m-%d %H:%M"
                        ),
                        "status": case.get_status_display(),
                    }
                else:
                    notes.append(_("市级平台重新打开了该工单，请跟进。"))
            if notes:
                case.refresh_from_db(fields=["status"])
                if case.is_final:
                    row.attention = "\n".join(filter(None, [row.attention, *notes]))
                else:
                    do_add_note(case, actor=config.actor, note="\n".join(notes))
    except WorkflowError as exc:
        # Nothing of this change is remembered, so the next pull tries it again.
        UpstreamOrder.objects.filter(pk=row.pk).update(
            attention=_("无法按流程处理市级平台的变更：%(error)s") % {"error": exc.message}
        )
        logger.warning("upstream order %s: change not applied: %s", row.upstream_id, exc.message)
        return "failed"
    _remember(row, order)
    row.checked_at = now
    case.refresh_from_db(fields=["status"])
    row.watching = not (order.status == CLOSED and case.is_final)
    row.save()
    return "updated"


def _last_push_closed(row: UpstreamOrder) -> bool:
    from lianxin.upstream.push import CLOSING

    last = (
        row.pushes.filter(state=PushState.SENT)
        .order_by("-event_id")
        .values_list("payload__status", flat=True)
        .first()
    )
    return last is None or last in CLOSING | {"FIXED"}


def _remember(row: UpstreamOrder, order: Order) -> None:
    row.service_code = order.service_code
    row.upstream_status = order.status
    row.description = order.description
    row.address = order.address[:250]
    row.status_notes = order.status_notes
    row.requested_at = order.requested_at
    row.upstream_updated_at = order.updated_at


def _category(config: UpstreamSettings, service_code: str):
    mapping = (
        ServiceMapping.objects.filter(settings=config, service_code=service_code)
        .select_related("category")
        .first()
    )
    if mapping is not None and mapping.category.active:
        return mapping.category
    if config.default_category and config.default_category.active:
        return config.default_category
    return None  # the office sorts it, as it does any uncategorised case


def _title(order: Order) -> str:
    first_line = (order.description.splitlines() or [""])[0].strip()
    title = "：".join(part for part in (order.service_name, first_line[:40]) if part)
    return (title or _("市级平台工单 %(id)s") % {"id": order.upstream_id})[:100]


def _case_text(order: Order) -> str:
    """The resident's words, then the city's reference (and its photo's address, if any:
    photos stay upstream)."""
    lines = [_("（市级平台工单号：%(id)s）") % {"id": order.upstream_id}]
    if order.media_url:
        lines.append(_("市级平台照片：%(url)s") % {"url": order.media_url})
    body = order.description or order.service_name
    return "\n\n".join([body, "\n".join(lines)] if body else lines)


def _address(order: Order) -> str:
    if order.address:
        return order.address[:200]
    if order.latitude is not None and order.longitude is not None:
        return f"{order.latitude}, {order.longitude}"
    return _("（市级平台未提供地址）")


def _idempotency_key(upstream_id: str) -> str:
    key = f"upstream:{upstream_id}"
    if len(key) <= 80:
        return key
    return "upstream:" + hashlib.sha256(upstream_id.encode()).hexdigest()


def _point(config: UpstreamSettings, order) -> tuple:
    """The order's point in WGS-84, as cases store it; a point that makes no sense is
    dropped (the address still locates the case) rather than refusing the order."""
    try:
        point = parse_point(order.latitude, order.longitude, config.coordinate_datum)
    except ValidationError as exc:
        logger.warning("upstream order %s: point dropped: %s", order.upstream_id, exc.messages)
        return None, None
    return point or (None, None)
