"""What the public sees of a case and its timeline, in GeoReport v2 terms.

Status mapping (GeoReport knows only `open` and `closed`): a case is `closed`
once the handling unit reports it solved (resolved, verified, closed) or it
ended otherwise (merged, withdrawn); every other status is `open`. Voided cases
(not a real concern) are not public at all.

Never public: the resident's name and phone (the fields are never read here, and
both are blanked out of the description, the address and the notes, together with
identity numbers, phones, e-mails, plates and flat numbers: `cases.redaction`), the
partner's email, device and account ids, internal events and their notes. Coordinates
are rounded to `OPEN311_COORDINATE_DECIMALS` places (3, about 100 m): enough to find
the pothole, not the door.
"""

import re
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lianxin.cases.models import Case, CaseEvent, CasePhoto, Satisfaction, Status
from lianxin.cases.redaction import public_text
from lianxin.cases.timeline import event_label
from lianxin.open311.formats import w3
from lianxin.open311.params import is_web_url

CLOSED_STATUSES = frozenset(
    {Status.RESOLVED, Status.VERIFIED, Status.CLOSED, Status.MERGED, Status.WITHDRAWN}
)
OPEN_STATUSES = frozenset(Status) - CLOSED_STATUSES - {Status.VOIDED}
# Public events whose note is the answer to the resident (the rest show their label).
ANSWER_CODES = {
    "cases.case.replied",
    "cases.case.constrained",
    "cases.case.constrained_reviewed",
    "cases.case.resumed",
    "cases.case.resolved",
}


def open311_status(status: str) -> str:
    return "closed" if status in CLOSED_STATUSES else "open"


def public_cases():
    """Every case but the voided, with what the shapes below read, in one query."""
    last_public = (
        CaseEvent.objects.filter(case=OuterRef("pk"), public=True)
        .order_by("-at", "-pk")
        .values("at")[:1]
    )
    return (
        Case.objects.exclude(status=Status.VOIDED)
        .select_related("category", "lead_unit", "grid", "merged_into", "open311_request")
        .annotate(updated_at=Coalesce(Subquery(last_public), "registered_at"))
    )


def with_photos(cases) -> list[Case]:
    """Attach each case's first photo the office made public, in one query (`media_url`)."""
    cases = list(cases)
    first: dict[int, CasePhoto] = {}
    photos = CasePhoto.objects.filter(case__in=[case.pk for case in cases], public=True).order_by(
        "uploaded_at", "pk"
    )
    for photo in photos.only("pk", "case_id"):
        first.setdefault(photo.case_id, photo)
    for case in cases:
        case.open311_photo = first.get(case.pk)
    return cases


def status_notes(case: Case) -> str:
    if case.status == Status.MERGED and case.merged_into:
        return _("与 %(number)s 为同一问题，并入办理。") % {
            "number": case.merged_into.tracking_number
        }
    if case.status == Status.WITHDRAWN:
        return _("群众已撤回该诉求。")
    if case.status == Status.CONSTRAINED and case.constrained_explanation:
        return public_text(case.constrained_explanation, case)
    if case.resolved_at and case.resolution_note:
        return public_text(case.resolution_note, case)
    return public_text(case.reply_text, case)


def service_notice(case: Case) -> str:
    """The deadlines the resident is promised (a short category limit may come first)."""
    dates = {
        "reply": f"{timezone.localtime(case.reply_due_at):%Y-%m-%d}",
        "resolve": f"{timezone.localtime(case.resolve_due_at):%Y-%m-%d}",
    }
    if case.resolve_due_at <= case.reply_due_at:
        return _("将于%(resolve)s前办结并答复。") % dates
    return _("将于%(reply)s前答复，%(resolve)s前办结。") % dates


def _media_url(case: Case, request) -> str | None:
    # The partner's own link, or a photo the office made public: the feed is keyless, and
    # a resident's photo may show his door or his face.
    submitted = getattr(case, "open311_request", None)
    if submitted is not None and is_web_url(submitted.media_url):
        return submitted.media_url
    photo = getattr(case, "open311_photo", None)
    if photo is not None:
        return request.build_absolute_uri(reverse("open311:photo", args=[photo.pk]))
    return None


def public_words(text: str, case: Case) -> str:
    """`text` as the feed shows it: personal data blanked, and any number with more
    decimals than the feed's coordinates rounded like them (the address of a request
    filed by a point alone is "坐标 36.098641, 120.401249")."""
    decimals = settings.OPEN311_COORDINATE_DECIMALS
    precise = re.compile(rf"(?<![\d.])\d{{1,3}}\.\d{{{decimals + 1},}}(?![\d.])")
    return precise.sub(
        lambda match: str(public_coordinate(match.group(0))), public_text(text, case)
    )


def public_coordinate(value) -> float | None:
    """A latitude or longitude rounded to `OPEN311_COORDINATE_DECIMALS` places."""
    if value is None:
        return None
    step = Decimal(1).scaleb(-settings.OPEN311_COORDINATE_DECIMALS)
    return float(Decimal(value).quantize(step, rounding=ROUND_HALF_UP))


def request_shape(case: Case, request) -> dict:
    """One service request as GET requests returns it (ids and codes are strings)."""
    category = case.category
    return {
        "service_request_id": case.tracking_number,
        "status": open311_status(case.status),
        "status_notes": status_notes(case) or None,
        "service_name": category.name if category else None,
        "service_code": category.code if category else None,
        "description": public_words(case.text, case),
        "agency_responsible": case.lead_unit.name if case.lead_unit else None,
        "service_notice": service_notice(case),
        "requested_datetime": w3(case.registered_at),
        "updated_datetime": w3(getattr(case, "updated_at", None) or case.registered_at),
        "expected_datetime": w3(case.resolve_due_at),
        "address": public_words(case.address, case),
        "address_id": case.grid.code if case.grid else None,
        "zipcode": None,
        "lat": public_coordinate(case.latitude),
        "long": public_coordinate(case.longitude),
        "media_url": _media_url(case, request),
    }


def update_description(event: CaseEvent) -> str:
    case = event.case
    if event.code in ANSWER_CODES and event.note:
        return f"{event_label(event.code)}：{public_text(event.note, case)}"
    if event.code == "cases.case.return_visited":
        data = event.data or {}
        label = (
            Satisfaction(data["satisfaction"]).label
            if data.get("satisfaction") in Satisfaction.values
            else ""
        )
        solved = _("已解决") if data.get("solved") else _("未解决")
        return _("回访结果：%(satisfaction)s，%(solved)s。") % {
            "satisfaction": label,
            "solved": solved,
        }
    if event.code == "cases.case.note_added" and event.note:
        return f"{event_label(event.code)}：{public_text(event.note, case)}"
    return event_label(event.code)


def update_shape(event: CaseEvent) -> dict:
    """One public event as mySociety's GET servicerequestupdates returns it."""
    return {
        "update_id": str(event.pk),
        "service_request_id": event.case.tracking_number,
        "status": open311_status(event.to_status or event.case.status),
        "updated_datetime": w3(event.at),
        "description": update_description(event),
        "media_url": "",
        "external_status_code": event.to_status or event.case.status,
    }
