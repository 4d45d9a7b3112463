"""What a partner sends: new service requests and updates to them.

Both go through the workflow (`do_register_case`, `do_add_note`) with the
partner's system user as the actor (see `lianxin.open311.partners`), and both are
safe to retry: a request with the same idempotency key (the `Idempotency-Key`
header, an `idempotency_key` parameter, or else the partner's own request id)
gives back the case the first one made, and an update with the same `update_id`
gives back the note the first one recorded.
"""

import contextlib
import hashlib
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from lianxin.cache import memo
from lianxin.cases.access import access_case_for_recorder
from lianxin.cases.actions import do_add_note, do_register_case
from lianxin.cases.models import Case, CaseEvent, Category
from lianxin.cases.rules import WorkflowError
from lianxin.open311.formats import Open311Error
from lianxin.open311.models import PartnerRequest, PartnerUpdate
from lianxin.open311.params import media_url, param, parse_moment
from lianxin.open311.places import place_of
from lianxin.text import clean_text

MAX_DESCRIPTION = 4000
TITLE_LENGTH = 30
UPDATE_STATUSES = {
    "OPEN",
    "CLOSED",
    "FIXED",
    "IN_PROGRESS",
    "ACTION_SCHEDULED",
    "INVESTIGATING",
    "DUPLICATE",
    "NOT_COUNCILS_RESPONSIBILITY",
    "NO_FURTHER_ACTION",
    "INTERNAL_REFERRAL",
    "REOPEN",
    "FOR_TRIAGE",
}


def _coordinate(value: str | None, name: str, limit: int) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or abs(number) > limit:
        raise Open311Error.one(
            400,
            _("%(name)s 不是有效的 WGS-84 坐标：%(value)s")
            % {
                "name": name,
                "value": value,
            },
        )
    return number.quantize(Decimal("0.000001"))


def service_for(code: str | None) -> Category:
    if code is None:
        raise Open311Error.one(400, _("缺少 service_code。"))
    category = _services().get(code)
    if category is None:
        raise Open311Error.one(404, _("未找到 service_code“%(code)s”。") % {"code": code})
    return category


@memo(60)
def _services() -> dict[str, Category]:
    """The active second-level categories by code, read once a minute per process: every
    POST needs one, and the taxonomy changes a few times a year."""
    return {
        category.code: category
        for category in Category.objects.select_related("parent").filter(
            active=True, parent__isnull=False, parent__active=True
        )
    }


def _title(request, description: str, category: Category) -> str:
    title = param(request, "title")
    if title:
        return title[:100]
    first_line = description.strip().splitlines()[0] if description.strip() else ""
    if len(first_line) > TITLE_LENGTH:
        first_line = first_line[:TITLE_LENGTH] + "…"
    return first_line or category.name


def _idempotency_key(request, partner, external_id: str | None) -> str | None:
    """The partner's own request id when it sends one (the natural key of a retry), else an
    `Idempotency-Key` header or `idempotency_key` parameter."""
    key = external_id or request.headers.get("Idempotency-Key") or param(request, "idempotency_key")
    key = (key or "").strip()
    if not key:
        return None
    # Scoped to the partner, and hashed to fit the column whatever the client sends.
    digest = hashlib.sha256(f"{partner.pk}:{key}".encode()).hexdigest()[:48]
    return f"open311:{digest}"


def _attributes(request) -> dict:
    found: dict = {}
    for name in request.POST:
        if name.startswith("attribute[") and "]" in name:
            code = name[len("attribute[") : name.index("]")]
            values = [v for v in map(clean_text, request.POST.getlist(name)) if v]
            if code and values:
                found[code] = values if len(values) > 1 or name.endswith("[]") else values[0]
    return found


def create_request(request, partner) -> Case:
    """POST requests: check everything first, then register the case; nothing is created
    when anything is wrong."""
    errors: list[tuple[int | str, str]] = []
    category = service_for(param(request, "service_code"))
    if not partner.may_file(category):
        raise Open311Error.one(
            403, _("该 api_key 无权提交“%(name)s”类诉求。") % {"name": category.name}
        )
    lat_text, long_text = param(request, "lat"), param(request, "long")
    address_string, address_id = param(request, "address_string"), param(request, "address_id")
    lat = long = None
    try:
        lat = _coordinate(lat_text, "lat", 90)
    except Open311Error as error:
        errors += error.errors
    try:
        long = _coordinate(long_text, "long", 180)
    except Open311Error as error:
        errors += error.errors
    if (lat_text is None) != (long_text is None):
        errors.append((400, _("lat 和 long 须同时提供。")))
    if lat_text is None and long_text is None and not address_string and not address_id:
        errors.append((400, _("缺少位置：请提供 lat 和 long、address_string 或 address_id。")))
    description = clean_text(request.POST.get("description"))
    if len(description) > MAX_DESCRIPTION:
        errors.append((400, _("description 不能超过4000个字符。")))
    media = None
    try:
        media = media_url(request)
    except Open311Error as error:
        errors += error.errors
    if errors:
        raise Open311Error(400, *errors)

    external_id = param(request, "external_id") or param(request, "service_request_id_ext")
    place = place_of(
        lat=float(lat) if lat is not None else None,
        lon=float(long) if long is not None else None,
        address_id=address_id,
    )
    if address_string:
        address = address_string[:200]
    elif lat is not None:
        address = _("坐标 %(lat)s, %(long)s") % {"lat": lat, "long": long}
    else:
        address = _("地址编号 %(id)s") % {"id": address_id}
    name = "".join(filter(None, [param(request, "last_name"), param(request, "first_name")]))
    kept = {
        "external_id": (external_id or "")[:100],
        "device_id": (param(request, "device_id") or "")[:100],
        "account_id": (param(request, "account_id") or "")[:100],
        "email": (param(request, "email") or "")[:254],
        "media_url": media or "",
        "attributes": _attributes(request),
    }
    # With something to keep beside the case, both rows commit together; without, the
    # registration is its own transaction (no savepoint round trips on the busiest call).
    together = transaction.atomic() if any(kept.values()) else contextlib.nullcontext()
    try:
        with together:
            case = do_register_case(
                actor=partner.user,
                channel=partner.channel,
                title=_title(request, description, category),
                text=description,
                address=address,
                category=category,
                grid=place.grid,
                community=place.community,
                latitude=lat,
                longitude=long,
                resident_name=name[:50],
                resident_phone=param(request, "phone") or "",
                idempotency_key=_idempotency_key(request, partner, external_id),
            )
            if any(kept.values()):
                # One INSERT; a retry finds the row the first request wrote and adds nothing.
                PartnerRequest.objects.bulk_create(
                    [
                        PartnerRequest(
                            partner=partner, case=case, received_at=case.registered_at, **kept
                        )
                    ],
                    ignore_conflicts=True,
                )
    except WorkflowError as error:
        raise Open311Error(400, (400, str(error.message))) from None
    return case


def post_update(request, partner) -> CaseEvent:
    """mySociety's POST servicerequestupdates: the partner's update becomes a note on the
    case it filed. Its status is kept with the update but changes nothing: only our
    units move a case."""
    number = param(request, "service_request_id")
    update_id = param(request, "update_id") or param(request, "update_id_ext")
    description = clean_text(request.POST.get("description"))
    status = (param(request, "status") or "").upper()
    errors: list[tuple[int | str, str]] = []
    if number is None:
        errors.append((400, _("缺少 service_request_id。")))
    if update_id is None:
        errors.append((400, _("缺少 update_id。")))
    if not description:
        errors.append((400, _("缺少 description。")))
    elif len(description) > MAX_DESCRIPTION:
        errors.append((400, _("description 不能超过4000个字符。")))
    if status and status not in UPDATE_STATUSES:
        errors.append((400, _("status 无效：%(status)s") % {"status": status}))
    try:
        updated_at = parse_moment(param(request, "updated_datetime"), "updated_datetime")
    except Open311Error as error:
        errors += error.errors
        updated_at = None
    media = None
    try:
        media = media_url(request)
    except Open311Error as error:
        errors += error.errors
    if errors:
        raise Open311Error(400, *errors)
    assert number is not None and update_id is not None  # else refused above

    try:
        case = access_case_for_recorder(partner.user, number)
    except Http404:
        raise Open311Error.one(
            404, _("未找到该合作方提交的诉求“%(number)s”。") % {"number": number}
        ) from None
    existing = PartnerUpdate.objects.filter(partner=partner, external_id=update_id[:100]).first()
    if existing is not None:
        return existing.event
    note = description
    if media:
        note += "\n" + _("图片：%(url)s") % {"url": media}
    try:
        with transaction.atomic():
            case = do_add_note(
                case,
                actor=partner.user,
                note=_("【%(partner)s】%(note)s") % {"partner": partner.name, "note": note},
            )
            event = CaseEvent.objects.filter(
                case=case, code="cases.case.note_added", actor=partner.user
            ).latest("pk")
            PartnerUpdate.objects.create(
                partner=partner,
                case=case,
                external_id=update_id[:100],
                event=event,
                status=status,
                updated_at=updated_at,
                received_at=timezone.now(),
            )
    except WorkflowError as error:
        raise Open311Error(400, (400, str(error.message))) from None
    except IntegrityError:
        # The same update raced us; the other one was recorded.
        raced = PartnerUpdate.objects.filter(partner=partner, external_id=update_id[:100])
        return raced.get().event
    return event
