from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from lianxin.figures import tally


@db_periodic_task(crontab(minute="*"))
@lock_task("figures-tally-compact")
def compact_tally():
    """Fold the rows that the last minute's changes added (the sums stay the same)."""
    return tally.compact()
