"""The rules of a project's calendar: report periods, due days, and the project's state.

Plain functions of dates and rows already loaded, so that a ledger of sixty projects is
computed from one prefetch and the rules are tested without the database.

- A deadline that falls on a day off (a weekend, a holiday) moves to the next working
  day (顺延), as offices read "3月底前" when 3月31日 is a Sunday: `due_day`.
- A report period is the plan's schedule's month or quarter; its report is due by the
  period's last day, moved the same way. A report sent in the days after a period ends
  and before that period's due day answers the earlier period if it has no report yet.
- The state: 已完成 once the project is closed, or its latest report says 100 % and every
  milestone is done; 滞后 when a milestone's due day or the finish date's has passed with
  the work not done; 未启动 while nothing was reported and no milestone is done;
  推进中 otherwise.
"""

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from lianxin.projects.models import ProjectState, Schedule
from lianxin.workdays.days import is_working_day

# No deadline moves further than this (the Spring Festival and National Day are a week).
MAX_DAYS_OFF = 30


def due_day(day: dt.date) -> dt.date:
    """The first working day on or after `day`."""
    for offset in range(MAX_DAYS_OFF):
        candidate = day + dt.timedelta(days=offset)
        if is_working_day(candidate):
            return candidate
    return day


def month_end(year: int, month: int) -> dt.date:
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    key: str
    start: dt.date
    end: dt.date

    @property
    def due(self) -> dt.date:
        return due_day(self.end)


def period_of(schedule: str, day: dt.date) -> Period:
    if schedule == Schedule.QUARTERLY:
        quarter = (day.month - 1) // 3 + 1
        first = dt.date(day.year, 3 * quarter - 2, 1)
        return Period(f"{day.year}-Q{quarter}", first, month_end(day.year, 3 * quarter))
    return Period(
        f"{day.year}-{day.month:02d}",
        dt.date(day.year, day.month, 1),
        month_end(day.year, day.month),
    )


def previous_period(schedule: str, period: Period) -> Period:
    return period_of(schedule, period.start - dt.timedelta(days=1))


def periods_between(schedule: str, start: dt.date, end: dt.date) -> list[Period]:
    """The periods that overlap [start, end], in order."""
    found = []
    period = period_of(schedule, start)
    while period.start <= end:
        found.append(period)
        period = period_of(schedule, period.end + dt.timedelta(days=1))
    return found


def report_period(schedule: str, day: dt.date, reported: Collection[str]) -> Period:
    """The period a report sent on `day` answers, given the periods already `reported`."""
    current = period_of(schedule, day)
    earlier = previous_period(schedule, current)
    if day <= earlier.due and earlier.key not in reported:
        return earlier
    return current


def expected_periods(
    schedule: str, start: dt.date, finish: dt.date, today: dt.date
) -> list[Period]:
    """The periods of a project's life whose report was due before `today`."""
    return [p for p in periods_between(schedule, start, finish) if p.due < today]


@dataclass(frozen=True)
class MilestoneFacts:
    due_date: dt.date
    done: bool


def missed(milestone: MilestoneFacts, today: dt.date) -> bool:
    return not milestone.done and due_day(milestone.due_date) < today


def project_state(
    *,
    closed: bool,
    finish_date: dt.date,
    milestones: Sequence[MilestoneFacts],
    latest_percent: int | None,
    today: dt.date,
) -> ProjectState:
    """The state a project is in on `today` (see the module's docstring)."""
    all_done = all(m.done for m in milestones)
    if closed or (latest_percent is not None and latest_percent >= 100 and all_done):
        return ProjectState.DONE
    if any(missed(m, today) for m in milestones) or due_day(finish_date) < today:
        return ProjectState.LATE
    if latest_percent is None and not any(m.done for m in milestones):
        return ProjectState.NOT_STARTED
    return ProjectState.IN_PROGRESS


def state_of(project, today: dt.date) -> ProjectState:
    """`project_state` for a Project row whose milestones and reports are prefetched
    (`Project.objects.with_progress()`), or fetched here."""
    milestones = [
        MilestoneFacts(m.due_date, m.done_at is not None) for m in _all(project.milestones)
    ]
    latest = latest_report(project)
    return project_state(
        closed=project.closed_at is not None,
        finish_date=project.finish_date,
        milestones=milestones,
        latest_percent=latest.percent if latest is not None else None,
        today=today,
    )


def latest_report(project):
    reports = list(_all(project.reports))
    if not reports:
        return None
    return max(reports, key=lambda r: (r.reported_at, r.pk))


def next_milestone(project):
    pending = [m for m in _all(project.milestones) if m.done_at is None]
    return min(pending, key=lambda m: (m.due_date, m.pk)) if pending else None


def _all(manager) -> Iterable:
    return manager.all()
