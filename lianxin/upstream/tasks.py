from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from lianxin.upstream.exchange import run_exchange, run_push


@db_periodic_task(crontab(minute="*"))
def exchange_with_upstream():
    """Every minute; the pull itself keeps to the polling interval set in the admin."""
    return run_exchange()


@db_task()
def push_to_upstream():
    """Queued when a case from upstream changes, so the city hears of it at once."""
    return run_push()
