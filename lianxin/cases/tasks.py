from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from lianxin.cases.actions import do_record_overdue_cases
from lianxin.cases.numbering import ensure_year_sequences


@db_periodic_task(crontab(minute=f"*/{settings.OVERDUE_SCAN_MINUTES}"))
def record_overdue_cases() -> dict[str, int]:
    return do_record_overdue_cases()


@db_periodic_task(crontab(hour="3", minute="17"))
def prepare_tracking_numbers() -> None:
    """Long before New Year, next year's tracking numbers are ready to be given out."""
    year = timezone.localdate().year
    ensure_year_sequences([year, year + 1])
