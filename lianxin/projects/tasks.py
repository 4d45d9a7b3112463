from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from lianxin.notify.tasks import send_messages
from lianxin.projects.actions import do_record_overdue_projects
from lianxin.projects.reminders import queue_reminders


# Beside the cases' own scan, at the same pace: a missed milestone or a missing report
# shows on the ledger's overdue light as soon as a case's missed deadline does.
@db_periodic_task(crontab(minute=f"*/{settings.OVERDUE_SCAN_MINUTES}"))
def record_overdue_projects() -> int:
    lapses = do_record_overdue_projects()
    ids = queue_reminders(lapses)
    if ids:
        send_messages(ids)
    return len(lapses)
