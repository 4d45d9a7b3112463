from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from lianxin.ledgers.jobs import remove_expired_jobs, run_export_job


@db_task()
def run_export(job_id: int) -> None:
    run_export_job(job_id)


@db_periodic_task(crontab(hour="4", minute="7"))
def remove_old_exports() -> None:
    remove_expired_jobs()
