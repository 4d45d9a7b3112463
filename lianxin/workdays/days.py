"""Working-day arithmetic: China's official calendar plus administrators' overrides.

Every deadline in the platform is computed here. A day is a working day if an
override row says so; otherwise chinese-calendar decides (holidays and the
weekend days swapped to working days, 调休); for a year the package does not
know, Monday to Friday are working days. Such years are reported by
`years_without_official_calendar()` so that administrators can add them.
"""

import datetime as dt
import functools

import chinese_calendar
from django.utils import timezone

from lianxin.cache import memo


# Overrides change a few times a year; a short per-process memo keeps deadline
# arithmetic free of queries, and saving a row clears it here (workdays/apps.py).
@memo(60)
def overrides() -> dict[dt.date, bool]:
    from lianxin.workdays.models import DayOverride

    return dict(DayOverride.objects.values_list("date", "is_working_day"))


@functools.lru_cache(maxsize=20_000)
def _official_working_day(day: dt.date) -> bool:
    """The package's answer, which never changes in a process; Monday to Friday for a year
    it does not know."""
    try:
        return bool(chinese_calendar.is_workday(day))  # the package publishes no types
    except NotImplementedError:
        return day.weekday() < 5


def official_calendar_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def is_working_day(day: dt.date) -> bool:
    override = overrides().get(day)
    if override is not None:
        return override
    return _official_working_day(day)


def add_working_days(day: dt.date, n: int) -> dt.date:
    """The n-th working day after `day` (the day itself does not count)."""
    if n < 0:
        raise ValueError("n must not be negative")
    while n:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; negative if end is before start."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_working_day(day)
    return count


def end_of_day(day: dt.date) -> dt.datetime:
    """The last moment of `day` in the platform's time zone (deadlines run to midnight)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.max))


def local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def deadline_after(moment: dt.datetime, days: int, *, working: bool = True) -> dt.datetime:
    """The deadline `days` (working or calendar) days after `moment`, at the end of that day."""
    start = local_date(moment)
    due = add_working_days(start, days) if working else start + dt.timedelta(days=days)
    return end_of_day(due)


def extend_deadline(deadline: dt.datetime, working_days: int) -> dt.datetime:
    return end_of_day(add_working_days(local_date(deadline), working_days))


def working_days_left(deadline: dt.datetime, now: dt.datetime) -> int:
    """Whole working days from today to the deadline's day: 0 on the day it is due,
    negative once it has passed."""
    return working_days_between(local_date(now), local_date(deadline))


def years_without_official_calendar(today: dt.date | None = None) -> list[int]:
    """This year and next, where the package has no data and no override covers the year."""
    today = today or timezone.localdate()
    covered = {day.year for day in overrides()}
    return [
        year
        for year in (today.year, today.year + 1)
        if not official_calendar_knows(year) and year not in covered
    ]
