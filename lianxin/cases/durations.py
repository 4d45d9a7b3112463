"""The working days a case took to be accepted, replied to and resolved, stored on its row.

The figures read these columns (docs/metrics.md): walking the calendar per row at query
time is too slow for millions of cases, so the workflow actions stamp them as they go.
"""

import datetime as dt

from lianxin.cases.models import Case
from lianxin.workdays.days import local_date, working_days_between


def stamp_durations(case: Case) -> list[str]:
    """Set the working days the case took to be accepted, replied to and resolved, from its
    timestamps; returns the fields that changed, for `update_fields`.

    Recomputed whole on every stamp, so a reopening (resolved_at cleared) clears the
    resolution time too.
    """

    def between(start: dt.datetime | None, end: dt.datetime | None) -> int | None:
        if start is None or end is None:
            return None
        return max(0, working_days_between(local_date(start), local_date(end)))

    values = {
        "response_working_days": between(case.dispatched_at, case.accepted_at),
        "reply_working_days": between(case.registered_at, case.replied_at),
        "resolve_working_days": between(case.registered_at, case.resolved_at),
    }
    changed: list[str] = []
    for name, value in values.items():
        if getattr(case, name) != value:
            setattr(case, name, value)
            changed.append(name)
    return changed
