from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from lianxin.ledgers.import_jobs import remove_expired_imports, run_import_job
from lianxin.ledgers.jobs import remove_expired_jobs, run_export_job


@db_task()
def run_export(job_id: int) -> None:
    run_export_job(job_id)


@db_task()
def run_import(job_id: int) -> None:
    run_import_job(job_id)


@db_periodic_task(crontab(hour="4", minute="7"))
def remove_old_exports() -> None:
    remove_expired_jobs()
    remove_expired_imports()
