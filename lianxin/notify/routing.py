"""Who hears what: the messages a case event (or the daily reminder) calls for.

Residents hear of their own case: registered, replied, resolved, and the request to
rate it once verified; the number is the one given with the case (no phone, no
message), and only once that number is verified (`Case.phone_verified`: a one-time
code on /m/, or staff who took the call), so that nobody can make the district text
a stranger. Residents' texts carry the tracking number, never the title.

Staff hear of work for their unit: a new assignment, a reply due by the
next working day, a missed deadline; the office hears of returns, leaders of
escalations. Staff are reached at the phone on their account.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lianxin.accounts.models import Membership, Role
from lianxin.cases.follow_links import follow_link
from lianxin.cases.models import HANDLING_STATUSES, Case, CaseEvent, CasePart
from lianxin.workdays.days import add_working_days, end_of_day, local_date

# Who handles a unit's parts, by the kind of unit: they hear of new work.
HANDLER_ROLES = (Role.DEPT_HANDLER, Role.STREET_STAFF, Role.COMMUNITY_STAFF, Role.GRID_WORKER)
# A missed deadline also reaches the department's head.
OVERDUE_ROLES = (*HANDLER_ROLES, Role.DEPT_HEAD)
# The first scan ever records every deadline already missed; texting staff about
# last year's cases helps no one, so an overdue mark long after the deadline is history.
OVERDUE_NEWS_WINDOW = dt.timedelta(days=1)
# A long reply is cut so that the text stays a few SMS long; the whole reply is online.
REPLY_EXCERPT_CHARS = 120
# The reminder waits for the working day to begin.
REMINDER_HOUR = 8

RESIDENT_KINDS = {
    "cases.case.registered": "resident.registered",
    "cases.case.replied": "resident.replied",
    # Constrained: the explanation is the resident's answer (public, on his timeline).
    "cases.case.constrained": "resident.replied",
    "cases.case.resolved": "resident.resolved",
    "cases.case.verified": "resident.rate",
}
ASSIGNING_CODES = {
    "cases.case.dispatched",
    "cases.case.split",
    "cases.case.whistle_blown",
    "cases.part.return_refused",
}
OVERDUE_FIELDS = {
    "cases.case.reply_overdue": ("reply_due_at", gettext_lazy("答复")),
    "cases.case.resolution_overdue": ("resolve_due_at", gettext_lazy("办结")),
}


@dataclass
class Planned:
    kind: str
    phone: str
    dedupe_key: str
    case_id: int | None = None
    event_id: int | None = None
    recipient_id: int | None = None
    values: dict = field(default_factory=dict)


def follow_url() -> str:
    return settings.SITE_URL + reverse("portal:follow")


def day_text(moment: dt.datetime) -> str:
    day = local_date(moment)
    return _("%(month)d月%(day)d日") % {"month": day.month, "day": day.day}


def case_values(case: Case) -> dict:
    return {"tracking_number": case.tracking_number, "title": case.title}


def plan_event(event: CaseEvent) -> list[Planned]:
    """The messages one case event calls for (none for most events)."""
    case = event.case
    code = event.code
    if code in RESIDENT_KINDS:
        return _for_resident(event, case, RESIDENT_KINDS[code])
    if code in ASSIGNING_CODES:
        return _assigned(event, case)
    if code in OVERDUE_FIELDS:
        return _overdue(event, case)
    if code == "cases.part.returned":
        unit = event.part.unit if event.part else None
        values = {"unit": unit.name if unit else "", "reason": event.note}
        recipients = _members(roles=(Role.DISPATCHER,))
        return _for_staff(event, case, "staff.returned", recipients, values)
    if code == "cases.case.escalated":
        values = {"unit": event.actor_unit.name if event.actor_unit else "", "note": event.note}
        if case.leader_id:
            recipients = _members(roles=(Role.LEADER,), user_ids=[case.leader_id])
        else:
            recipients = _members(roles=(Role.LEADER,))
        return _for_staff(event, case, "staff.escalated", recipients, values)
    return []


def _for_resident(event: CaseEvent, case: Case, kind: str) -> list[Planned]:
    if not case.resident_phone or not case.phone_verified:
        return []  # no phone given, or nobody proved it is theirs: nothing to send to
    values = {
        "tracking_number": case.tracking_number,
        "follow_url": follow_url(),
        "case_url": follow_link(case.pk),
    }
    if kind == "resident.replied":
        # The public reply (or explanation) this event gave the resident, which he reads
        # online too; only these two public events reach here, never an internal note.
        reply = event.note
        if len(reply) > REPLY_EXCERPT_CHARS:
            reply = reply[:REPLY_EXCERPT_CHARS] + "…"
        values["reply"] = reply
    return [
        Planned(
            kind=kind,
            phone=case.resident_phone,
            dedupe_key=f"event:{event.pk}:{kind}:resident",
            case_id=case.pk,
            event_id=event.pk,
            values=values,
        )
    ]


def _assigned(event: CaseEvent, case: Case) -> list[Planned]:
    Part = CasePart.Role
    if event.code == "cases.part.return_refused":
        part = event.part
        unit_roles = {part.unit_id: part.get_role_display()} if part else {}
    elif event.code == "cases.case.whistle_blown":
        unit_roles = dict.fromkeys(event.data.get("summoned", []), str(Part.SUMMONED.label))
    else:
        unit_roles = dict.fromkeys(event.data.get("co", []), str(Part.CO.label))
        unit_roles[event.data.get("lead")] = str(Part.LEAD.label)
    planned = []
    for membership in _members(unit_ids=unit_roles, roles=HANDLER_ROLES):
        values = {
            "role": unit_roles[membership.unit_id],
            "address": case.address,
            "reply_due": day_text(case.reply_due_at),
        }
        planned += _for_staff(event, case, "staff.assigned", [membership], values)
    return planned


def _overdue(event: CaseEvent, case: Case) -> list[Planned]:
    field_name, label = OVERDUE_FIELDS[event.code]
    due = getattr(case, field_name)
    if case.lead_unit_id is None or event.at - due > OVERDUE_NEWS_WINDOW:
        return []
    recipients = _members(unit_ids=[case.lead_unit_id], roles=OVERDUE_ROLES)
    values = {"deadline": str(label), "due": day_text(due)}
    return _for_staff(event, case, "staff.overdue", recipients, values)


def _members(*, roles, unit_ids=None, user_ids=None):
    """Active staff with a phone holding one of `roles` (in `unit_ids`, if given)."""
    query = Membership.objects.filter(role__in=roles, user__is_active=True).exclude(user__phone="")
    if unit_ids is not None:
        query = query.filter(unit_id__in=list(unit_ids))
    if user_ids is not None:
        query = query.filter(user_id__in=user_ids)
    return list(query.select_related("user", "unit").order_by("unit_id", "user_id"))


def _for_staff(event, case, kind, memberships, values) -> list[Planned]:
    planned = {}
    for membership in memberships:
        user = membership.user
        key = f"event:{event.pk}:{kind}:user:{user.pk}"
        if key in planned:
            continue  # one message per person, however many roles he holds
        planned[key] = Planned(
            kind=kind,
            phone=user.phone,
            dedupe_key=key,
            case_id=case.pk,
            event_id=event.pk,
            recipient_id=user.pk,
            values={**case_values(case), "unit": membership.unit.name, **values},
        )
    return list(planned.values())


def plan_reply_due(now: dt.datetime | None = None) -> list[Planned]:
    """Reminders for replies due by the end of the next working day, once a day per case
    and person, sent from REMINDER_HOUR on (the job runs hourly; the key keeps it once)."""
    now = now or timezone.now()
    today = local_date(now)
    if timezone.localtime(now).hour < REMINDER_HOUR:
        return []
    # On a Friday this covers the weekend and Monday: nobody reads it on Sunday.
    window_end = end_of_day(add_working_days(today, 1))
    cases = Case.objects.filter(
        reply_due_at__gt=end_of_day(today),
        reply_due_at__lte=window_end,
        replied_at__isnull=True,
        status__in=HANDLING_STATUSES,
        lead_unit__isnull=False,
    ).only("pk", "tracking_number", "title", "lead_unit_id", "reply_due_at")
    by_unit: dict[int | None, list[Case]] = {}  # None never: lead_unit__isnull=False
    for case in cases:
        by_unit.setdefault(case.lead_unit_id, []).append(case)
    planned = []
    for membership in _members(unit_ids=by_unit, roles=HANDLER_ROLES):
        for case in by_unit[membership.unit_id]:
            planned.append(
                Planned(
                    kind="staff.reply_due",
                    phone=membership.user.phone,
                    dedupe_key=f"reply_due:{case.pk}:{today}:user:{membership.user_id}",
                    case_id=case.pk,
                    recipient_id=membership.user_id,
                    values={
                        **case_values(case),
                        "unit": membership.unit.name,
                        "reply_due": day_text(case.reply_due_at),
                    },
                )
            )
    return planned
