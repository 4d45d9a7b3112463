from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from lianxin.cases.actions import do_record_overdue_cases


@db_periodic_task(crontab(minute=f"*/{settings.OVERDUE_SCAN_MINUTES}"))
def record_overdue_cases():
    return do_record_overdue_cases()
