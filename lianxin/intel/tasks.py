from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from lianxin.intel.topicsync import refresh_topics


@db_periodic_task(crontab(minute="*/30"))
def refresh_case_topics():
    """Regroup recent open cases into topics every half hour: cheap (a month of cases),
    and fresh enough for a list the office reads a few times a day."""
    return len(refresh_topics())
