from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from lianxin.programs.actions import do_record_overdue_claims


# Beside the cases' own scan, at the same pace: a claim past its promised date shows up
# in the overdue queue as soon as a case's missed deadline does.
@db_periodic_task(crontab(minute=f"*/{settings.OVERDUE_SCAN_MINUTES}"))
def record_overdue_claims():
    return do_record_overdue_claims()
