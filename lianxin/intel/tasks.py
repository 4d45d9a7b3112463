"""Huey jobs of the intel app: topics kept fresh, and the place reader warmed at start.

Topics (意见办理小专题) are refreshed two ways (`lianxin.intel.topicsync`):

- live: a committed registration, "me too" (我也反映), merge, or a case leaving or
  re-entering the open statuses is a change (`on_case_events_committed`). The first
  change schedules `refresh_changed_topics` LIVE_DELAY seconds later and leaves a
  mark in Huey's store; the changes that come while the mark is there ride on that
  job, which regroups the neighbourhood of all of them at once. A burst of
  registrations is one job, at most one every LIVE_DELAY seconds, and none of them
  regroups the whole district.
- every 30 minutes, everything (`refresh_case_topics`): the safety net for what the
  live way leaves out (an import, a case moved to another grid, a lost job).
"""

import datetime as dt
import logging
import time

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from lianxin.cases.models import CaseEvent
from lianxin.intel import topicsync
from lianxin.intel.places import warm_up_in_background

logger = logging.getLogger(__name__)

PENDING_KEY = "lianxin.intel.topics.pending"
# Seconds a live refresh waits for more changes before it runs.
LIVE_DELAY = 10
# A mark older than this (seconds past its job's moment) lost its job: replace it.
STALE_AFTER = 600
# Events are numbered when written and announced when committed: a transaction that
# wrote its event before another may commit after it. The live job reads events from
# this many keys before the first one it was told of.
EVENT_KEY_SLACK = 10_000


@db_periodic_task(crontab(minute="*/30"))
def refresh_case_topics():
    """Regroup recent open cases into topics every half hour: cheap (a month of cases),
    and the safety net under the live refresh."""
    return len(topicsync.refresh_topics())


@db_task()
def refresh_changed_topics() -> int:
    """Regroup around the cases that changed since the mark was left; returns how many
    topics it settled."""
    mark = HUEY.get(PENDING_KEY)  # taken: a change from now on schedules the next refresh
    if mark is None:
        return 0  # another job took it (a mark replaced as stale, then found alive)
    since = dt.datetime.fromtimestamp(mark["first"], dt.UTC) - topicsync.LIVE_WINDOW
    return len(topicsync.refresh_changed(since, mark["after"]))


def waiting_refresh() -> dict | None:
    """The mark of a live refresh that is waiting to run, if any (one read of Huey's store).
    A mark whose job should have run long ago lost its job, and counts for none."""
    mark = HUEY.get(PENDING_KEY, peek=True)
    if mark is not None and time.time() < mark["scheduled"] + LIVE_DELAY + STALE_AFTER:
        return mark
    return None


def schedule_topic_refresh(event_ids: list[int]) -> bool:
    """Schedule a live refresh unless one is waiting; returns whether it scheduled one.

    The waiting one will see this change: it reads the cases when it runs, after the
    commit that announced this. One atomic write and one enqueue."""
    if waiting_refresh() is not None:
        return False
    now = time.time()
    lost = HUEY.get(PENDING_KEY, peek=True)
    mark = {"first": now, "scheduled": now, "after": max(0, min(event_ids) - EVENT_KEY_SLACK)}
    if lost is None:
        if not HUEY.put_if_empty(PENDING_KEY, mark):
            return False  # another process left it a moment ago
    else:
        # Its job was lost (a restart, a flushed queue): cover what it was to cover.
        mark["first"] = min(mark["first"], lost["first"])
        mark["after"] = min(mark["after"], lost["after"])
        HUEY.put(PENDING_KEY, mark)
    refresh_changed_topics.schedule(delay=LIVE_DELAY)
    return True


def on_case_events_committed(sender, event_ids, **kwargs) -> None:
    """Receiver of `case_events_committed`: a change to what a topic holds schedules a live
    refresh. While one is waiting (most of a burst), one read of Huey's store and nothing
    more; otherwise one query by primary key, then the mark and the job. A queue that is
    down is logged, never an error page."""
    if not event_ids:
        return  # the overdue scan announces each watch, found or not
    try:
        if waiting_refresh() is not None:
            return  # it reads the cases when it runs, after this commit: it will see these
        now = timezone.now()
        news = CaseEvent.objects.filter(
            topicsync.changes_topics(),
            pk__in=event_ids,
            # Older events (an import, the demo's history) wait for the periodic job.
            at__gte=now - topicsync.LIVE_WINDOW,
            case__registered_at__gte=now - dt.timedelta(days=topicsync.WINDOW_DAYS),
        )
        if news.exists():
            schedule_topic_refresh(list(event_ids))
    except Exception:
        logger.exception("Could not schedule a topic refresh for events %s", event_ids)


@HUEY.on_startup()
def warm_up_place_reader() -> None:
    """When the consumer starts, load jieba in the background: the first live refresh or
    topic job then finds it loaded (each worker thread calls this; one thread loads)."""
    warm_up_in_background()
