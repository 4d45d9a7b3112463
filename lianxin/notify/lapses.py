"""The reminder to a practical project's lead unit when the projects' overdue scan records
a lapse (a missed milestone, a missing progress report): a message row per person and
lapse (its dedupe key keeps it once), then the sending job.

`on_lapses_recorded` hears `lianxin.projects.signals.lapses_recorded` after the scan's
commit; like the cases' receiver it only queues, and logs rather than fails. A lapse
recorded long after its due day (the first scan of a plan entered late finds its missed
milestones) is history and texts nobody, as for cases (docs/notifications.md).
"""

import datetime as dt
import logging

from django.utils.translation import gettext as _

from lianxin.accounts.models import Membership
from lianxin.notify.outbox import queue_messages
from lianxin.notify.routing import OVERDUE_ROLES, Planned
from lianxin.projects.models import Lapse
from lianxin.workdays.days import end_of_day

logger = logging.getLogger(__name__)
NEWS_WINDOW = dt.timedelta(days=2)
KIND = "staff.project_overdue"


def lapse_text(lapse: Lapse) -> str:
    if lapse.kind == Lapse.Kind.MILESTONE and lapse.milestone is not None:
        return _("时间节点“%(text)s”未按期完成") % {"text": lapse.milestone.text}
    return _("%(period)s进度未按期报送") % {"period": lapse.key}


def plan_reminders(lapse_ids: list[int]) -> list[Planned]:
    lapses = [
        lapse
        for lapse in Lapse.objects.filter(pk__in=lapse_ids, cleared_at__isnull=True)
        .select_related("project__lead_unit", "milestone")
        .order_by("pk")
        if lapse.recorded_at - end_of_day(lapse.due_date) <= NEWS_WINDOW
    ]
    units = {lapse.project.lead_unit_id for lapse in lapses}
    members = (
        Membership.objects.filter(unit__in=units, role__in=OVERDUE_ROLES, user__is_active=True)
        .exclude(user__phone="")
        .select_related("user")
        .order_by("unit_id", "user_id")
    )
    by_unit: dict[int, list] = {}
    for membership in members:
        by_unit.setdefault(membership.unit_id, []).append(membership.user)
    planned: dict[str, Planned] = {}
    for lapse in lapses:
        project = lapse.project
        for user in by_unit.get(project.lead_unit_id, []):
            key = f"project_lapse:{lapse.pk}:user:{user.pk}"
            planned.setdefault(
                key,
                Planned(
                    kind=KIND,
                    phone=user.phone,
                    dedupe_key=key,
                    recipient_id=user.pk,
                    values={
                        "project": project.name,
                        "unit": project.lead_unit.name,
                        "lapse": lapse_text(lapse),
                        "due": _("%(m)d月%(d)d日")
                        % {"m": lapse.due_date.month, "d": lapse.due_date.day},
                    },
                ),
            )
    return list(planned.values())


def queue_reminders(lapse_ids: list[int]) -> list[int]:
    """Queue the reminders as message rows; returns their ids for the sending job."""
    return queue_messages(plan_reminders(lapse_ids))


def on_lapses_recorded(sender, lapse_ids, **kwargs) -> None:
    from lianxin.notify.tasks import send_messages

    try:
        ids = queue_reminders(lapse_ids)
        if ids:
            send_messages(ids)
    except Exception:
        logger.exception("Could not queue reminders for lapses %s", lapse_ids)
