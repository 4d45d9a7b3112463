"""Teams, their members and their service activities.

Saving a team or a member is idempotent (imports call them row by row): a team is found by
its unit and name, a member within his team by his phone, else by his name. Saving what is
there changes nothing and writes no event.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import File
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Actor, User
from lianxin.cases.access import case_scope
from lianxin.cases.models import Case
from lianxin.cases.photos import checked_photos
from lianxin.errors import WorkflowError
from lianxin.orgs.models import Unit
from lianxin.programs.access import wishes_visible_to
from lianxin.programs.models import Wish
from lianxin.volunteers import rules
from lianxin.volunteers.actions.common import Saved, apply, event, now, phone, text, user_of
from lianxin.volunteers.models import (
    Activity,
    ActivityPhoto,
    Member,
    MemberKind,
    Participation,
    PartnerUnit,
    ReportIn,
    SolvedProblem,
    Team,
)
from lianxin.workdays.days import local_date

MAX_ACTIVITY_PHOTOS = 6
MAX_HOURS = Decimal("24")
MIN_HOURS = Decimal("0.5")
# An activity is recorded after it took place, within this many days (a season's register
# brought up to date, not last year's).
MAX_BACKDATE_DAYS = 366
TEAM_UNIT_KINDS = (Unit.Kind.COMMUNITY, Unit.Kind.STREET, Unit.Kind.DEPARTMENT, Unit.Kind.OFFICE)


def do_save_team(
    *,
    actor: Actor,
    unit: Unit,
    name: str,
    partner: PartnerUnit | None = None,
    description: str | None = None,
    when: dt.datetime | None = None,
) -> Saved[Team]:
    """Create a team of `unit` (or update its description and partner), found by name.
    A description or partner not given (None) is left as it is: a roster names neither."""
    at = now(when)
    name = text(name, "name", _("队伍名称"), 100)
    if description is not None:
        description = text(description, "description", _("服务内容"), 300, required=False)
    if unit.kind not in TEAM_UNIT_KINDS:
        raise WorkflowError("invalid_unit", _("志愿服务队须属于社区、街道或部门。"))
    rules.check("keep_team", actor, unit=unit)
    if partner is not None and not partner.communities.filter(pk=unit.pk).exists():
        raise WorkflowError("not_paired", _("该共建单位未与“%(unit)s”结对。") % {"unit": unit})
    with transaction.atomic():
        team = Team.objects.select_for_update().filter(unit=unit, name=name).first()
        if team is None:
            team = Team.objects.create(
                unit=unit, name=name, partner=partner, description=description or "", created_at=at
            )
            event("volunteers.team.created", actor, at, team=team, partner=partner)
            return Saved(team, "created", {})
        values: dict = {"active": True}
        if partner is not None:
            values["partner"] = partner
        if description is not None:
            values["description"] = description
        changes = apply(team, values)
        if not changes:
            return Saved(team, "unchanged", {})
        team.save(update_fields=list(changes))
        event("volunteers.team.updated", actor, at, team=team, data={"changes": changes})
        return Saved(team, "updated", changes)


def do_save_member(
    team: Team,
    *,
    actor: Actor,
    name: str = "",
    phone_number: str = "",
    kind: str = MemberKind.RESIDENT,
    user: User | None = None,
    report_in: ReportIn | None = None,
    leader: bool | None = None,
    joined_on: dt.date | None = None,
    when: dt.datetime | None = None,
) -> Saved[Member]:
    """Add a person to `team` (or update him), found by his account, his report-in, his
    phone or else his name within the team. `leader` None leaves a member's place as it is
    (a new member is not the leader)."""
    at = now(when)
    rules.check("keep_team", actor, unit=team.unit)
    if kind not in MemberKind.values:
        raise WorkflowError("invalid_kind", _("队员身份不正确。"))
    if report_in is not None:
        kind, name = MemberKind.REPORT_IN, name or report_in.name
        phone_number, user = phone_number or report_in.phone, user or report_in.user
    elif user is not None:
        kind, name = MemberKind.STAFF, name or user.full_name or user.username
        phone_number = phone_number or user.phone
    elif kind != MemberKind.RESIDENT:
        raise WorkflowError("person_required", _("干部职工或报到人员须选择其账号或报到记录。"))
    name = text(name, "name", _("姓名"), 50)
    phone_number = phone(phone_number)
    with transaction.atomic():
        found = Member.objects.select_for_update().filter(team=team)
        member = None
        if user is not None:
            member = found.filter(user=user).first()
        if member is None and report_in is not None:
            member = found.filter(report_in=report_in).first()
        if member is None and phone_number:
            member = found.filter(phone=phone_number).first()
        if member is None and not phone_number:
            member = found.filter(name=name, phone="").first()
        values = {
            "kind": kind,
            "name": name,
            "phone": phone_number,
            "user": user,
            "report_in": report_in,
            "active": True,
        }
        if leader is not None:
            values["leader"] = leader
        if member is None:
            member = Member.objects.create(
                team=team, joined_on=joined_on or local_date(at), **values
            )
            event("volunteers.member.added", actor, at, team=team, data={"member": member.pk})
            return Saved(member, "created", {})
        changes = apply(member, values)
        if not changes:
            return Saved(member, "unchanged", {})
        member.save(update_fields=list(changes))
        event(
            "volunteers.member.updated",
            actor,
            at,
            team=team,
            data={"member": member.pk, "changes": sorted(changes)},
        )
        return Saved(member, "updated", changes)


def do_remove_member(member: Member, *, actor: Actor, when: dt.datetime | None = None) -> Member:
    """The member leaves his team; his hours stay in its record."""
    at = now(when)
    rules.check("keep_team", actor, unit=member.team.unit)
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        if not member.active:
            raise WorkflowError("invalid_transition", _("该队员已离队。"))
        member.active, member.leader = False, False
        member.save(update_fields=["active", "leader"])
        event("volunteers.member.removed", actor, at, team=member.team, data={"member": member.pk})
    return member


def hours_of(value: Any) -> Decimal:
    """A participant's hours: 0.5 to 24, in half hours."""
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise WorkflowError(
            "invalid_hours", _("服务时长“%(v)s”不是数字。") % {"v": value}
        ) from None
    if not hours.is_finite() or hours < MIN_HOURS or hours > MAX_HOURS or (hours * 2) % 1:
        raise WorkflowError(
            "invalid_hours", _("服务时长须在0.5到24小时之间，以半小时计（%(v)s）。") % {"v": value}
        )
    return hours.quantize(Decimal("0.1"))


def do_record_activity(
    team: Team,
    *,
    actor: Actor,
    title: str,
    date: dt.date,
    place: str,
    participants: Sequence[tuple[Member, Any]],
    description: str = "",
    photos: "Iterable[File[Any]]" = (),
    cases: Sequence[Case] = (),
    wishes: Sequence[Wish] = (),
    solved_note: str = "",
    when: dt.datetime | None = None,
) -> Activity:
    """One service the team gave: who took part with their hours, photos (checked and
    re-encoded like a case's), and the cases or wishes it solved (ones the actor may see)."""
    at = now(when)
    rules.check("record_activity", actor, unit=team.unit, team=team)
    if not team.active:
        raise WorkflowError("inactive_team", _("该志愿服务队已撤销。"))
    title = text(title, "title", _("活动名称"), 100)
    place = text(place, "place", _("服务地点"), 200)
    description = text(description, "description", _("服务内容"), 2000, required=False)
    solved_note = text(solved_note, "solved_note", _("解决情况"), 300, required=False)
    today = local_date(at)
    if not isinstance(date, dt.date) or date > today:
        raise WorkflowError("invalid_date", _("服务日期不能晚于今天。"))
    if date < today - dt.timedelta(days=MAX_BACKDATE_DAYS):
        raise WorkflowError("invalid_date", _("服务日期不能早于一年以前。"))
    hours: dict[int, Decimal] = {}
    for member, given in participants:
        if member.team_id != team.pk or not member.active:
            raise WorkflowError("invalid_member", _("“%(m)s”不是本队队员。") % {"m": member})
        if member.pk in hours:
            raise WorkflowError("invalid_member", _("“%(m)s”重复登记。") % {"m": member})
        hours[member.pk] = hours_of(given)
    if not hours:
        raise WorkflowError("participants_required", _("请至少登记一名参与队员及其服务时长。"))
    photos = [photo for photo in photos if photo]
    if len(photos) > MAX_ACTIVITY_PHOTOS:
        raise WorkflowError(
            "too_many_photos", _("最多上传%(n)d张照片。") % {"n": MAX_ACTIVITY_PHOTOS}
        )
    checked = checked_photos(photos)
    user = user_of(actor)
    case_ids = {case.pk for case in cases}
    wish_ids = {wish.pk for wish in wishes}
    if case_ids and Case.objects.filter(case_scope(user), pk__in=case_ids).count() != len(case_ids):
        raise WorkflowError("invalid_case", _("只能关联您能查看的诉求。"))
    if wish_ids and wishes_visible_to(user).filter(pk__in=wish_ids).count() != len(wish_ids):
        raise WorkflowError("invalid_wish", _("只能关联您能查看的微心愿。"))
    with transaction.atomic():
        activity = Activity.objects.create(
            team=team,
            title=title,
            date=date,
            place=place,
            description=description,
            recorded_by=user,
            recorded_at=at,
        )
        Participation.objects.bulk_create(
            [Participation(activity=activity, member_id=pk, hours=h) for pk, h in hours.items()]
        )
        for photo in checked:
            ActivityPhoto.objects.create(activity=activity, image=photo, uploaded_at=at)
        SolvedProblem.objects.bulk_create(
            [SolvedProblem(activity=activity, case_id=pk, note=solved_note) for pk in case_ids]
            + [SolvedProblem(activity=activity, wish_id=pk, note=solved_note) for pk in wish_ids]
        )
        event(
            "volunteers.activity.recorded",
            actor,
            at,
            team=team,
            activity=activity,
            data={
                "participants": len(hours),
                "hours": str(sum(hours.values())),
                "photos": len(checked),
                "cases": sorted(case_ids),
                "wishes": sorted(wish_ids),
            },
        )
    return activity
