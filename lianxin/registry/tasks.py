from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from lianxin.registry.actions import do_record_overdue_visits


# Beside the cases' own scan, at the same pace: a 及时访 missed shows up as soon as a
# case's missed deadline does.
@db_periodic_task(crontab(minute=f"*/{settings.OVERDUE_SCAN_MINUTES}"))
def record_overdue_visits():
    return do_record_overdue_visits()
