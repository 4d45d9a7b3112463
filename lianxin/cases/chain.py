"""The tamper-evident timeline: each case event carries a keyed hash chained to the one before.

An event's `chain` is HMAC-SHA256 over a canonical serialisation of its fields and the
previous event's `chain` in the same case (an empty string for the first); `seq` numbers
a case's events 1, 2, 3 … in the order they were written. The workflow writes both in
the transaction that writes the event, under the case's row lock, so a case's chain is
one line (docs/workflow.md).

The hash is keyed (`AUDIT_CHAIN_KEY`, by default derived from `SECRET_KEY`): a plain
SHA-256 chain is recomputed in seconds by anyone who can write the table, and that is
the very person the chain is meant to catch. With a key the database does not hold,
an edit in SQL cannot be covered up by rewriting the hashes after it.

`verify` walks every chain in one ordered, streamed query and yields each break.
"""

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

from django.conf import settings

from lianxin.cases.models import Case, CaseEvent

# The fields the hash covers, in this order; `chain` itself and the row's id are not
# among them (the id is only known after the insert, and `seq` gives the order).
FIELDS = (
    "case_id",
    "seq",
    "part_id",
    "code",
    "actor_id",
    "actor_unit_id",
    "at",
    "from_status",
    "to_status",
    "note",
    "public",
    "data",
)


def chain_key() -> bytes:
    # Salted, so that the chain's key is not SECRET_KEY itself when it is derived from it.
    return hashlib.sha256(b"lianxin.cases.chain:" + settings.AUDIT_CHAIN_KEY.encode()).digest()


def canonical(values: dict[str, Any]) -> bytes:
    """The bytes an event's hash covers: its fields as JSON with sorted keys, in UTC."""
    shaped = dict(values)
    shaped["at"] = values["at"].astimezone(dt.UTC).isoformat(timespec="microseconds")
    return json.dumps(
        {name: shaped[name] for name in FIELDS},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def link(values: dict[str, Any], previous: str, key: bytes | None = None) -> str:
    """The `chain` of an event with these field values after an event whose chain is `previous`."""
    message = canonical(values) + b"\n" + previous.encode()
    return hmac.new(key or chain_key(), message, hashlib.sha256).hexdigest()


def head(case_id: int) -> tuple[int, str]:
    """The last (seq, chain) of a case, (0, "") before its first event.

    The caller holds the case's row lock, so no other writer can append meanwhile."""
    last = (
        CaseEvent.objects.filter(case_id=case_id)
        .order_by("-seq")
        .values_list("seq", "chain")
        .first()
    )
    return last or (0, "")


def seal(event: CaseEvent) -> None:
    """Give an unsaved event its place in the case's chain."""
    seq, previous = head(event.case_id)
    event.seq = seq + 1
    event.chain = link(values_of(event), previous)


def values_of(event: CaseEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in FIELDS}


@dataclasses.dataclass
class Break:
    """One place where a case's chain does not hold."""

    case_id: int
    tracking_number: str
    event_id: int
    seq: int
    kind: str  # "altered" or "missing"
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def verify(counts: dict[str, int] | None = None, *, chunk_size: int = 5000) -> Iterator[Break]:
    """Walk every case's chain in (case, seq) order and yield each break; `counts` gets
    the number of events and cases walked.

    1. Stream the events ordered by case and seq (the unique index serves it; on
       PostgreSQL through a server-side cursor), so memory stays flat on any table size.
    2. Per event: a seq that skips numbers means events were deleted (or moved to
       another case); a hash that does not match the fields and the previous event's
       hash means the event was edited, inserted by hand or moved into this place.

    Editing one event breaks that event only (the next one links to its stored hash);
    deleting one breaks the next; reordering (swapping `seq` or `at`) breaks each event moved.
    """
    key = chain_key()
    rows = (
        CaseEvent.objects.order_by("case_id", "seq")
        .values_list("id", "chain", *FIELDS)
        .iterator(chunk_size=chunk_size)
    )
    counts = {} if counts is None else counts
    counts.update(events=0, cases=0)
    current_case, previous_seq, previous_chain = 0, 0, ""
    for event_id, stored, *fields in rows:
        values = dict(zip(FIELDS, fields, strict=True))
        if values["case_id"] != current_case:
            current_case, previous_seq, previous_chain = values["case_id"], 0, ""
            counts["cases"] += 1
        counts["events"] += 1
        seq = values["seq"]
        if seq != previous_seq + 1:
            yield Break(
                current_case,
                _tracking_number(current_case),
                event_id,
                seq,
                "missing",
                f"seq {previous_seq + 1}–{seq - 1} missing before this event",
            )
        elif link(values, previous_chain, key) != stored:
            yield Break(
                current_case,
                _tracking_number(current_case),
                event_id,
                seq,
                "altered",
                "fields or place no longer match the hash "
                "(edited, moved, or written outside the workflow)",
            )
        previous_seq, previous_chain = seq, stored


def _tracking_number(case_id: int) -> str:
    # Read per break, not joined into the walk: breaks are rare, the walk is the whole table.
    return Case.objects.filter(pk=case_id).values_list("tracking_number", flat=True).first() or ""
