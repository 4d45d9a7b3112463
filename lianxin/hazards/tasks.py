from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from lianxin.hazards.actions import do_record_overdue_notices


# Beside the cases' own scan, at the same pace: a notice past its deadline shows up in the
# hazards' overdue queue and on its timeline as soon as a case's missed deadline does.
@db_periodic_task(crontab(minute=f"*/{settings.OVERDUE_SCAN_MINUTES}"))
def record_overdue_notices():
    return do_record_overdue_notices()
