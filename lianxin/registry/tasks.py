from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from lianxin.registry.actions import do_record_overdue_visits
from lianxin.registry.import_jobs import remove_expired_imports, run_import_job


# Beside the cases' own scan, at the same pace: a 及时访 missed shows up as soon as a
# case's missed deadline does.
@db_periodic_task(crontab(minute=f"*/{settings.OVERDUE_SCAN_MINUTES}"))
def record_overdue_visits():
    return do_record_overdue_visits()


@db_task()
def run_registry_import(job_id: int) -> None:
    run_import_job(job_id)


@db_periodic_task(crontab(hour="4", minute="17"))
def remove_old_registry_imports() -> None:
    remove_expired_imports()
