"""A hazard's rectification: the notice (整改通知单), the fix the party reports, the
inspector's re-inspection (回头看), the referral to the case workflow, the overdue scan."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Actor
from lianxin.cases.actions import do_register_case
from lianxin.cases.models import Case, Category, Channel
from lianxin.errors import WorkflowError
from lianxin.hazards import rules
from lianxin.hazards.actions.campaigns import MAX_WORKING_DAYS
from lianxin.hazards.actions.common import (
    as_user,
    event,
    now_or,
    required,
    store_photos,
    upload_photos,
)
from lianxin.hazards.models import (
    Hazard,
    HazardEvent,
    HazardPhoto,
    HazardStatus,
    Notice,
    NoticeCounter,
)
from lianxin.text import clean_text
from lianxin.workdays.days import add_working_days, local_date

H = HazardStatus
MAX_TEXT = 1000


def _lock(hazard: Hazard | int) -> Hazard:
    pk = hazard.pk if isinstance(hazard, Hazard) else hazard
    return Hazard.objects.select_for_update().select_related("campaign", "place").get(pk=pk)


def live_notice(hazard: Hazard) -> Notice | None:
    """The notice of the hazard's current round: issued or reported, not yet re-inspected."""
    return (
        Notice.objects.filter(
            hazard=hazard, status__in=(Notice.Status.ISSUED, Notice.Status.REPORTED)
        )
        .order_by("-issued_at", "-pk")
        .first()
    )


def next_notice_seq(year: int) -> int:
    """The year's next notice number, taken under the counter row's lock: numbers are
    sequential per year, and a notice that rolls back leaves a gap."""
    try:
        with transaction.atomic():
            NoticeCounter.objects.get_or_create(year=year)
    except IntegrityError:
        pass  # another transaction created the year's row first
    counter = NoticeCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def do_issue_notice(
    hazard: Hazard,
    *,
    actor: Actor,
    requirements: str,
    responsible_party: str = "",
    working_days: int | None = None,
    when: dt.datetime | None = None,
) -> Notice:
    """An inspector orders the hazard put right within so many working days (the
    campaign's default unless he says otherwise); the deadline is the end of that day."""
    at = now_or(when)
    requirements = required(requirements, "requirements", _("整改要求"), MAX_TEXT)
    with transaction.atomic():
        hazard = _lock(hazard)
        unit_id = rules.check_hazard("issue_notice", actor, hazard)
        issuer = as_user(actor)
        assert issuer is not None  # the rule lets only signed-in inspectors issue
        days = working_days if working_days is not None else hazard.campaign.rectify_working_days
        if not isinstance(days, int) or not 1 <= days <= MAX_WORKING_DAYS:
            raise WorkflowError(
                "invalid_days",
                _("整改期限须在1到%(n)d个工作日之间。") % {"n": MAX_WORKING_DAYS},
            )
        party = required(
            responsible_party or _party_of(hazard),
            "responsible_party",
            _("责任人"),
            100,
            one_line=True,
        )
        year = timezone.localtime(at).year
        notice = Notice.objects.create(
            hazard=hazard,
            year=year,
            seq=next_notice_seq(year),
            responsible_party=party,
            requirements=requirements,
            working_days=days,
            deadline=add_working_days(local_date(at), days),
            issued_at=at,
            issued_by=issuer,
            issuing_unit_id=unit_id,
        )
        before, hazard.status = hazard.status, H.RECTIFYING
        hazard.save(update_fields=["status"])
        event(
            "hazards.notice.issued",
            actor=actor,
            unit_id=unit_id,
            at=at,
            campaign=hazard.campaign,
            hazard=hazard,
            notice=notice,
            from_status=before,
            to_status=hazard.status,
            note=requirements,
            number=notice.number,
            deadline=notice.deadline.isoformat(),
        )
    return notice


def _party_of(hazard: Hazard) -> str:
    place = hazard.place
    return f"{place.name} {place.contact_name}".strip()


def do_report_fix(
    hazard: Hazard,
    *,
    actor: Actor,
    measures: str,
    reporter_name: str = "",
    photos: "Iterable[File[Any]]" = (),
    via_link: bool = False,
    when: dt.datetime | None = None,
) -> Notice:
    """The responsible party says what it did (整改措施), with photos: through the notice's
    signed link (`via_link`, proved by the page), or its responsible unit's staff for it.
    A late report is taken; the notice stays marked overdue."""
    at = now_or(when)
    measures = required(measures, "measures", _("整改措施"), MAX_TEXT)
    checked = upload_photos(photos)
    with transaction.atomic():
        hazard = _lock(hazard)
        unit_id = rules.check_hazard("report_fix", actor, hazard, via_link=via_link)
        notice = live_notice(hazard)
        assert notice is not None  # a rectifying hazard has its issued notice
        user = as_user(actor)
        name = reporter_name or (str(user) if user is not None else "")
        notice.status = Notice.Status.REPORTED
        notice.reported_at, notice.measures = at, measures
        notice.reported_by_name = required(name, "reporter_name", _("报告人"), 50, one_line=True)
        notice.save(update_fields=["status", "reported_at", "measures", "reported_by_name"])
        store_photos(hazard, checked, HazardPhoto.Stage.FIX, at, notice=notice)
        before, hazard.status = hazard.status, H.REPORTED
        hazard.save(update_fields=["status"])
        event(
            "hazards.notice.fix_reported",
            actor=actor,
            unit_id=unit_id,
            at=at,
            campaign=hazard.campaign,
            hazard=hazard,
            notice=notice,
            from_status=before,
            to_status=hazard.status,
            note=measures,
            photos=len(checked),
            via_link=via_link,
            late=local_date(at) > notice.deadline,
        )
    return notice


def do_reinspect(
    hazard: Hazard,
    *,
    actor: Actor,
    passed: bool,
    note: str = "",
    photos: "Iterable[File[Any]]" = (),
    when: dt.datetime | None = None,
) -> Notice:
    """An inspector comes back (回头看): the fix holds, and the hazard is fixed; or it has
    relapsed (反弹), and the hazard is open again for a new notice, its relapse counted."""
    at = now_or(when)
    if passed:
        note = clean_text(note)[:MAX_TEXT]
    else:
        note = required(note, "note", _("反弹情况"), MAX_TEXT)
    checked = upload_photos(photos)
    with transaction.atomic():
        hazard = _lock(hazard)
        unit_id = rules.check_hazard("reinspect", actor, hazard)
        notice = live_notice(hazard)
        assert notice is not None
        notice.status = Notice.Status.PASSED if passed else Notice.Status.RELAPSED
        notice.reinspected_at, notice.reinspected_by = at, as_user(actor)
        notice.reinspection_note = note
        notice.save(
            update_fields=["status", "reinspected_at", "reinspected_by", "reinspection_note"]
        )
        store_photos(hazard, checked, HazardPhoto.Stage.REINSPECTION, at, notice=notice)
        before = hazard.status
        if passed:
            hazard.status, hazard.fixed_at = H.FIXED, at
            hazard.save(update_fields=["status", "fixed_at"])
        else:
            hazard.status = H.OPEN
            hazard.relapse_count += 1
            hazard.save(update_fields=["status", "relapse_count"])
        event(
            "hazards.notice.passed" if passed else "hazards.notice.relapsed",
            actor=actor,
            unit_id=unit_id,
            at=at,
            campaign=hazard.campaign,
            hazard=hazard,
            notice=notice,
            from_status=before,
            to_status=hazard.status,
            note=note,
            photos=len(checked),
        )
    return notice


def do_refer_hazard(
    hazard: Hazard,
    *,
    actor: Actor,
    note: str,
    category: Category | None = None,
    when: dt.datetime | None = None,
) -> Case:
    """A hazard the inspector's own units cannot put right becomes a case, through the
    case workflow's own intake (`do_register_case`), and the two are linked. The office
    then dispatches or splits it to the departments it needs, as any case."""
    at = now_or(when)
    note = required(note, "note", _("需协调的事项"), MAX_TEXT)
    with transaction.atomic():
        hazard = _lock(hazard)
        unit_id = rules.check_hazard("refer", actor, hazard)
        place = hazard.place
        case = do_register_case(
            actor=actor,
            channel=Channel.PATROL,
            title=str(_("隐患整改需协调：%(place)s") % {"place": place.name})[:100],
            text=f"{hazard.text}\n{note}",
            address=place.address or place.name,
            grid=place.grid,
            community=place.community if place.grid is None else None,
            latitude=hazard.latitude,
            longitude=hazard.longitude,
            category=category,
            idempotency_key=f"hazard:{hazard.pk}",
            when=at,
        )
        hazard.case = case
        hazard.save(update_fields=["case"])
        event(
            "hazards.hazard.referred",
            actor=actor,
            unit_id=unit_id,
            at=at,
            campaign=hazard.campaign,
            hazard=hazard,
            from_status=hazard.status,
            to_status=hazard.status,
            note=note,
            case=case.pk,
            tracking_number=case.tracking_number,
        )
    return case


def do_record_overdue_notices(*, when: dt.datetime | None = None) -> int:
    """Mark each notice whose deadline passed with no fix reported, once, with an event
    (the periodic scan calls this beside the cases' own). The hazards list's 逾期 queue is
    the reminder; it counts from the deadline directly, so it is right between two scans."""
    at = now_or(when)
    with transaction.atomic():
        missed = list(
            Notice.objects.select_for_update()
            .filter(
                status=Notice.Status.ISSUED,
                overdue_at__isnull=True,
                deadline__lt=local_date(at),
            )
            .order_by("pk")
            .values("pk", "hazard_id", "hazard__campaign_id", "deadline")
        )
        if not missed:
            return 0
        Notice.objects.filter(pk__in=[row["pk"] for row in missed]).update(overdue_at=at)
        HazardEvent.objects.bulk_create(
            [
                HazardEvent(
                    code="hazards.notice.overdue",
                    campaign_id=row["hazard__campaign_id"],
                    hazard_id=row["hazard_id"],
                    notice_id=row["pk"],
                    at=at,
                    from_status=H.RECTIFYING,
                    to_status=H.RECTIFYING,
                    data={"deadline": row["deadline"].isoformat()},
                )
                for row in missed
            ],
            batch_size=1000,
        )
    return len(missed)
