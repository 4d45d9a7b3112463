"""Filling the stored working-day durations of cases that predate them.

The workflow actions stamp `response_working_days`, `reply_working_days` and
`resolve_working_days` as they go (`lianxin.cases.actions.handling.stamp_durations`);
this fills them for rows written before those columns existed. The migration that
adds the columns calls it with its historical model.
"""

from django.db.models import Q

from lianxin.cases.actions.handling import stamp_durations

BATCH = 2000
FIELDS = ["response_working_days", "reply_working_days", "resolve_working_days"]


def backfill_durations(case_model) -> int:
    """Stamp every case that reached a milestone; returns how many rows changed."""
    reached = Q(accepted_at__isnull=False) | Q(replied_at__isnull=False)
    cases = case_model.objects.filter(reached).only(
        "pk", "registered_at", "dispatched_at", "accepted_at", "replied_at", "resolved_at", *FIELDS
    )
    changed, batch = 0, []
    for case in cases.order_by("pk").iterator(chunk_size=BATCH):
        if stamp_durations(case):
            batch.append(case)
        if len(batch) >= BATCH:
            case_model.objects.bulk_update(batch, FIELDS)
            changed, batch = changed + len(batch), []
    if batch:
        case_model.objects.bulk_update(batch, FIELDS)
        changed += len(batch)
    return changed
