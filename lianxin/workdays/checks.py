from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core.checks import CheckMessage, Warning, register
from django.db import DatabaseError

from lianxin.workdays.days import years_without_official_calendar


@register("lianxin")
def check_calendar_coverage(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    try:
        years = years_without_official_calendar()
    except DatabaseError:  # before the first migration
        return []
    return [
        Warning(
            f"chinese-calendar has no official holidays for {year} and no override covers it; "
            "deadlines that year count Monday to Friday only.",
            hint="Upgrade chinesecalendar, or add the year's holidays in the admin "
            "(工作日历 → 节假日调整).",
            id="lianxin.W001",
        )
        for year in years
    ]
