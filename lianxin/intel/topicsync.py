"""Keep the Topic rows in step with the grouping of recent open cases.

`refresh_topics` groups the open cases registered in the last WINDOW_DAYS with
`lianxin.intel.topics.group`, then reconciles: each new group updates the
existing topic that holds most of its cases (so a topic keeps its identity and
address while it grows), or becomes a new topic; a topic that no group matches
any longer leaves the office's list (`active=False`) but keeps its cases for the
record. It writes only Topic and TopicCase rows, never a case.
"""

import datetime as dt
from collections import Counter

from django.db import transaction
from django.utils import timezone

from lianxin.cases.models import Case
from lianxin.intel import topics as core
from lianxin.intel.models import Topic, TopicCase
from lianxin.intel.nearby import FIELDS, OPEN_STATUSES

WINDOW_DAYS = 30
MAX_CASES = 5000  # the newest; a district hears a few hundred a month


def recent_reports(now: dt.datetime) -> list:
    rows = (
        Case.objects.filter(
            status__in=OPEN_STATUSES, registered_at__gte=now - dt.timedelta(days=WINDOW_DAYS)
        )
        .order_by("-registered_at")
        .values(*FIELDS, "resident_phone")[:MAX_CASES]
    )
    return [
        core.Report(
            key=row["id"],
            title=row["title"],
            text=row["text"],
            address=row["address"],
            at=row["registered_at"],
            latitude=row["latitude"],
            longitude=row["longitude"],
            grid=row["grid_id"],
            community=row["community_id"],
            building=row["building"],
            supports=row["support_count"],
            # One person is one person whether he signed in or left his phone.
            resident=row["resident_id"] or row["resident_phone"] or None,
        )
        for row in rows
    ]


@transaction.atomic
def refresh_topics(now: dt.datetime | None = None) -> list[Topic]:
    """Regroup recent open cases into topics; returns the active topics, hottest first."""
    now = now or timezone.now()
    groups = core.group(recent_reports(now))
    current = dict(TopicCase.objects.values_list("case_id", "topic_id"))
    kept: list[Topic] = []
    claimed: set[int] = set()
    for group in groups:
        keys = [r.key for r in group.reports]
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
    Topic.objects.filter(active=True).exclude(pk__in=claimed).update(active=False)
    return kept
