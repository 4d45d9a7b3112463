"""The body a subscriber receives, and its signature.

The signature covers the moment of sending and the delivery id with the body
(`<timestamp>.<delivery id>.<body>`), so that a captured delivery cannot be replayed: a
receiver refuses a timestamp older than five minutes and a delivery id it has seen. A
retry keeps its delivery id and body and signs a new timestamp.

Only what the public may know of a case goes out: no resident's name or phone, no
free text but the title and the notes a resident sees on his own timeline (the reply, a
public progress note, the explanation of a constrained case), both with personal data
blanked as in the Open311 feed (`cases.redaction.public_text`).
"""

import datetime as dt
import hashlib
import hmac
import json

from django.utils import timezone

from lianxin.cases.models import Case, CaseEvent, Status
from lianxin.cases.redaction import public_text
from lianxin.cases.timeline import event_label

SIGNATURE_HEADER = "X-Lianxin-Signature"
TIMESTAMP_HEADER = "X-Lianxin-Timestamp"
DELIVERY_HEADER = "X-Lianxin-Delivery"
EVENT_HEADER = "X-Lianxin-Event"

# Public events whose note the resident reads too, so a partner may read it.
PUBLIC_NOTE_CODES = {
    "cases.case.replied",
    "cases.case.note_added",
    "cases.case.constrained",
    "cases.case.constrained_reviewed",
}


def iso(moment: dt.datetime | None) -> str | None:
    """A moment with its offset, in the platform's time zone: 2026-10-01T10:00:00+08:00."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def case_body(case: Case) -> dict:
    return {
        "tracking_number": case.tracking_number,
        "title": public_text(case.title, case),
        "status": case.status,
        "status_label": str(Status(case.status).label),
        "category": case.category.code if case.category else None,
        "category_name": case.category.name if case.category else None,
        "lead_unit": case.lead_unit.name if case.lead_unit else None,
        "street": case.street.name if case.street else None,
        "community": case.community.name if case.community else None,
        "registered_at": iso(case.registered_at),
        "reply_due_at": iso(case.reply_due_at),
        "resolve_due_at": iso(case.resolve_due_at),
        "replied_at": iso(case.replied_at),
        "resolved_at": iso(case.resolved_at),
        "closed_at": iso(case.closed_at),
    }


def event_body(delivery_id: str, event: CaseEvent) -> str:
    case = case_body(event.case)
    # The status the event left the case in: later events have their own deliveries.
    if event.to_status:
        case["status"] = event.to_status
        case["status_label"] = str(Status(event.to_status).label)
    public_note = event.public and event.code in PUBLIC_NOTE_CODES
    return encode(
        {
            "id": delivery_id,
            "event": {
                "id": event.pk,
                "code": event.code,
                "label": event_label(event.code),
                "at": iso(event.at),
                "note": public_text(event.note, event.case) if public_note else "",
            },
            "case": case,
        }
    )


def ping_body(delivery_id: str, code: str, label: str) -> str:
    return encode(
        {
            "id": delivery_id,
            "event": {"id": None, "code": code, "label": label, "at": iso(timezone.now())},
            "case": None,
        }
    )


def encode(body: dict) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def sign(secret: str, body: bytes, *, timestamp: int, delivery_id: str) -> str:
    """The signature header's value: HMAC-SHA256, in hex with its scheme, of
    `<timestamp>.<delivery id>.` followed by the raw body."""
    signed = f"{timestamp}.{delivery_id}.".encode() + body
    digest = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()
    return f"sha256={digest}"
