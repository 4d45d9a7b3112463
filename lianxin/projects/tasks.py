from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from lianxin.projects.actions import do_record_overdue_projects


# Beside the cases' own scan, at the same pace: a missed milestone or a missing report
# shows on the ledger's overdue light as soon as a case's missed deadline does; the lead
# unit's reminder follows the commit (lianxin/notify/lapses.py).
@db_periodic_task(crontab(minute=f"*/{settings.OVERDUE_SCAN_MINUTES}"))
def record_overdue_projects() -> int:
    return len(do_record_overdue_projects())
