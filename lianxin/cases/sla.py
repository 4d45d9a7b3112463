"""Where a case stands against its deadlines."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from lianxin.cases.models import HANDLING_STATUSES, Case
from lianxin.orgs.models import DistrictSettings
from lianxin.workdays.days import working_days_left


@dataclass(frozen=True)
class DeadlineState:
    label: str  # "reply" or "resolve": which deadline is running
    due_at: dt.datetime
    working_days_left: int  # 0 on the due day, negative once passed
    overdue: bool
    due_soon: bool


def running_deadline(case: Case) -> tuple[str, dt.datetime] | None:
    """The deadline the case is now working against, if any."""
    if case.status not in HANDLING_STATUSES:
        return None
    if case.replied_at is None and case.reply_due_at <= case.resolve_due_at:
        return "reply", case.reply_due_at
    return "resolve", case.resolve_due_at


def deadline_state(
    case: Case, *, now: dt.datetime | None = None, policy: DistrictSettings | None = None
) -> DeadlineState | None:
    running = running_deadline(case)
    if running is None:
        return None
    now = now or timezone.now()
    policy = policy or DistrictSettings.load()
    label, due_at = running
    left = working_days_left(due_at, now)
    overdue = now > due_at
    return DeadlineState(
        label=label,
        due_at=due_at,
        working_days_left=left,
        overdue=overdue,
        due_soon=not overdue and left <= policy.due_soon_working_days,
    )
