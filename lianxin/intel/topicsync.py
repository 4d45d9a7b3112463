"""Keep the Topic rows in step with the grouping of recent open cases.

Two ways in, one reconciliation:

- `refresh_topics` regroups every open case registered in the last WINDOW_DAYS (the
  periodic job, the office's "update now" button, the demo);
- `refresh_topics_near` regroups only the neighbourhood of a few changed cases: the
  open cases of their grid (or community), within SAME_PLACE_M (355 m) of their map
  points, or whose address names the same estate or road, and every case of the
  topics those are in. The live job (`lianxin.intel.tasks`) calls it through `refresh_changed`
  a few seconds after a registration, a "me too", or a case leaving or re-entering
  the open statuses, for all the changes of that moment at once.

Then each group updates the existing topic that holds most of its cases (so a topic
keeps its identity and address while it grows), or becomes a new topic; a topic
that no group matches any longer leaves the office's list (`active=False`) but
keeps its cases for the record. A regroup of a neighbourhood only retires the
topics it looked at. It writes only Topic and TopicCase rows, never a case.

One refresh at a time: on PostgreSQL a transaction-level advisory lock (a live
refresh waits for the periodic one, registrations do not wait for either); on
SQLite the grouping runs outside the write transaction, so that registrations do
not wait behind it, and one process runs one refresh at a time.
"""

import datetime as dt
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from lianxin.cases.models import Case, CaseEvent
from lianxin.intel import topics as core
from lianxin.intel.duplicates import SAME_PLACE_M
from lianxin.intel.models import Topic, TopicCase
from lianxin.intel.nearby import (
    FIELDS,
    OPEN_STATUSES,
    Probe,
    address_index_filter,
    address_names,
    as_report,
)
from lianxin.intel.places import bounding_box

WINDOW_DAYS = 30
MAX_CASES = 5000  # the newest; a district hears a few hundred a month
# A live refresh with more changed cases than this regroups everything instead.
MAX_CHANGED = 100
# An event is news for the topics while it is this recent when its transaction commits;
# an older one (an import, the demo's history, an order the city platform sends late)
# waits for the periodic job. A live refresh also looks this far back before the first
# change it was scheduled for (a change's time is when its action began, before the
# commit), so it redoes a little of the previous one: keep it short.
LIVE_WINDOW = dt.timedelta(minutes=2)
# Events that change what a topic holds although the case stays open (or closed).
ALWAYS_CODES = ("cases.case.supported", "cases.case.duplicate_merged")
# pg_advisory_xact_lock key: "topics" in ASCII.
LOCK_KEY = 0x746F70696373

_local_lock = threading.Lock()


def changes_topics() -> Q:
    """CaseEvents that may change a topic: a case entered or left the open statuses
    (registered, resolved, closed, merged, voided, withdrawn, reopened), or gained a
    supporter (我也反映, or a merged duplicate's resident)."""
    opened = Q(to_status__in=OPEN_STATUSES) & ~Q(from_status__in=OPEN_STATUSES)
    ended = Q(from_status__in=OPEN_STATUSES) & ~Q(to_status__in=OPEN_STATUSES)
    return opened | ended | Q(code__in=ALWAYS_CODES)


def recent_cases(now: dt.datetime):
    return Case.objects.filter(
        status__in=OPEN_STATUSES, registered_at__gte=now - dt.timedelta(days=WINDOW_DAYS)
    )


def recent_reports(now: dt.datetime) -> list:
    rows = recent_cases(now).order_by("-registered_at").values(*FIELDS)[:MAX_CASES]
    return [as_report(row) for row in rows]


def refresh_topics(now: dt.datetime | None = None) -> list[Topic]:
    """Regroup all recent open cases into topics; returns the active topics, hottest first."""
    now = now or timezone.now()
    return _regroup(lambda: (recent_reports(now), None))


def refresh_topics_near(case_ids: Iterable[int], now: dt.datetime | None = None) -> list[Topic]:
    """Regroup the neighbourhood of `case_ids` (cases that changed: open or not); returns
    the active topics it settled, hottest first. The rest of the list is left alone."""
    now = now or timezone.now()
    seeds = list(
        Case.objects.filter(pk__in=set(case_ids)).values(
            "id", "title", "address", "grid_id", "community_id", "latitude", "longitude"
        )
    )
    if not seeds:
        return []
    return _regroup(lambda: _neighbourhood(seeds, now))


def refresh_changed(
    since: dt.datetime, after_event: int = 0, now: dt.datetime | None = None
) -> list[Topic]:
    """Regroup around the cases whose topic-changing events happened since `since` (the
    live job); everything when there are more than MAX_CHANGED of them. `after_event`:
    a CaseEvent key older than all of them, so that the event table (not indexed by
    time) is read by primary key from there on."""
    now = now or timezone.now()
    changed = set(
        CaseEvent.objects.filter(
            changes_topics(),
            pk__gt=after_event,
            at__gte=since,
            case__registered_at__gte=now - dt.timedelta(days=WINDOW_DAYS),
        )
        .order_by()
        .values_list("case_id", flat=True)
        .distinct()[: MAX_CHANGED + 1]
    )
    if len(changed) > MAX_CHANGED:
        return refresh_topics(now)
    return refresh_topics_near(changed, now)


def _neighbourhood(seeds: Sequence[Mapping[str, Any]], now: dt.datetime) -> tuple[list, set[int]]:
    """The recent open cases a seed may group with, and the topics they (or the seeds)
    are in, whole: a neighbourhood never splits a topic that reaches beyond it."""
    where = Q(pk__in=[s["id"] for s in seeds])
    named: list[str] = []
    for seed in seeds:
        if seed["grid_id"] is not None:
            where |= Q(grid_id=seed["grid_id"])
        elif seed["community_id"] is not None:
            where |= Q(community_id=seed["community_id"])
        if seed["latitude"] is not None and seed["longitude"] is not None:
            lat0, lat1, lon0, lon1 = bounding_box(
                float(seed["latitude"]), float(seed["longitude"]), SAME_PLACE_M
            )
            where |= Q(
                latitude__gte=lat0, latitude__lte=lat1, longitude__gte=lon0, longitude__lte=lon1
            )
        names = address_names(Probe(title=seed["title"], address=seed["address"]))
        named.extend(n for n in names if n not in named)
    recent = recent_cases(now)
    ids = set(recent.filter(where).values_list("pk", flat=True)[:MAX_CASES])
    if named:
        by_name = recent.filter(Q.create([("address__contains", n) for n in named], connector=Q.OR))
        # On PostgreSQL, the address bigram index of migration cases/0007 answers this.
        if (indexed := address_index_filter(named)) is not None:
            by_name = by_name.filter(indexed)
        ids |= set(by_name.values_list("pk", flat=True)[:MAX_CASES])
    touched = set(
        TopicCase.objects.filter(
            Q(case_id__in=ids) | Q(case_id__in=[s["id"] for s in seeds]), topic__active=True
        ).values_list("topic_id", flat=True)
    )
    ids |= set(recent.filter(topic_membership__topic_id__in=touched).values_list("pk", flat=True))
    rows = recent.filter(pk__in=ids).order_by("-registered_at").values(*FIELDS)
    return [as_report(row) for row in rows[:MAX_CASES]], touched


def _regroup(load) -> list[Topic]:
    """Load the reports (and the topics they may retire), group them, reconcile: one at a time."""
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            reports, touched = load()
            return _reconcile(core.group(reports), touched)
    with _local_lock:
        reports, touched = load()
        groups = core.group(reports)
        with transaction.atomic():
            return _reconcile(groups, touched)


def _reconcile(groups: list, touched: set[int] | None) -> list[Topic]:
    """Write the groups as topics. `touched`: the active topics a neighbourhood's regroup
    may retire (None: every active topic not matched, after a regroup of everything)."""
    keys_of = [[r.key for r in group.reports] for group in groups]
    current = dict(
        TopicCase.objects.filter(case_id__in=[k for keys in keys_of for k in keys]).values_list(
            "case_id", "topic_id"
        )
    )
    kept: list[Topic] = []
    claimed: set[int] = set()
    for group, keys in zip(groups, keys_of, strict=True):
        votes = Counter(current[k] for k in keys if k in current and current[k] not in claimed)
        topic = (
            Topic.objects.filter(pk=votes.most_common(1)[0][0]).first() if votes else None
        ) or Topic()
        topic.title = group.title[:100]
        topic.place = group.place[:100]
        topic.hotness = group.hotness
        topic.case_count = group.size
        topic.resident_count = group.residents
        topic.support_count = group.supports
        topic.first_at, topic.last_at = group.first_at, group.last_at
        topic.active = True
        topic.save()
        claimed.add(topic.pk)
        # A case moves to the topic it now groups with.
        TopicCase.objects.filter(case_id__in=keys).exclude(topic=topic).delete()
        have = set(topic.memberships.values_list("case_id", flat=True))
        TopicCase.objects.bulk_create(
            [TopicCase(topic=topic, case_id=k) for k in keys if k not in have]
        )
        kept.append(topic)
    retired = Topic.objects.filter(active=True).exclude(pk__in=claimed)
    if touched is not None:
        retired = retired.filter(pk__in=touched)
    retired.update(active=False)
    return kept
