from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from lianxin.programs.actions import (
    do_record_overdue_claims,
    do_record_overdue_orders,
    do_schedule_recurring_orders,
)


# Beside the cases' own scan, at the same pace: a claim past its promised date shows up
# in the overdue queue as soon as a case's missed deadline does.
@db_periodic_task(crontab(minute=f"*/{settings.OVERDUE_SCAN_MINUTES}"))
def record_overdue_claims():
    return do_record_overdue_claims()


# A service order past its deadline, at the same pace: the provider's reminder.
@db_periodic_task(crontab(minute=f"*/{settings.OVERDUE_SCAN_MINUTES}"))
def record_overdue_orders():
    return do_record_overdue_orders()


# Recurring services (monthly care visits): every hour, so that the first hour of a new
# month has its orders; a run that finds the period scheduled writes nothing.
@db_periodic_task(crontab(minute="17"))
def schedule_recurring_orders():
    return do_schedule_recurring_orders()
