"""双报到: people registering with their home community, and the work it gives them.

A report-in is found by the person's account, else his phone, else his name within his
employer, so that a roster imported twice changes nothing and a person who moved is
updated (his new community) rather than registered twice.
"""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Actor, User
from lianxin.cases.access import standing_of
from lianxin.errors import WorkflowError
from lianxin.orgs.models import Unit
from lianxin.programs.models import ON_THE_WALL, Wish
from lianxin.volunteers import rules
from lianxin.volunteers.actions.common import Saved, apply, event, now, phone, text, user_of
from lianxin.volunteers.models import Activity, Assignment, ReportIn
from lianxin.workdays.days import local_date

EMPLOYER_KINDS = (
    Unit.Kind.DEPARTMENT,
    Unit.Kind.OFFICE,
    Unit.Kind.STREET,
    Unit.Kind.COMMUNITY,
    Unit.Kind.LEADERSHIP,
)


def do_save_report_in(
    *,
    actor: Actor,
    name: str,
    employer: Unit,
    community: Unit,
    reported_on: dt.date,
    party_member: bool = False,
    phone_number: str = "",
    user: User | None = None,
    when: dt.datetime | None = None,
) -> Saved[ReportIn]:
    """Register a person with his home community (or update his registration).

    The community (or its street, or the office) records it; a member of staff may also
    report himself in, for one of his own units."""
    at = now(when)
    name = text(name, "name", _("姓名"), 50)
    phone_number = phone(phone_number)
    if community.kind != Unit.Kind.COMMUNITY:
        raise WorkflowError("invalid_community", _("“%(u)s”不是社区/村。") % {"u": community})
    if employer.kind not in EMPLOYER_KINDS:
        raise WorkflowError("invalid_employer", _("工作单位须为部门、街道或社区等单位。"))
    if not isinstance(reported_on, dt.date) or reported_on > local_date(at):
        raise WorkflowError("invalid_date", _("报到日期不能晚于今天。"))
    rules.check("report_in", actor, unit=community, person_user_id=user.pk if user else None)
    if user is not None and not rules.capacities(actor, unit=community) & rules.KEEPERS:
        # Reporting oneself in: for a unit one works for.
        standing = standing_of(user)
        mine = standing.department_ids | standing.area_unit_ids
        if standing.office_unit_id:
            mine |= {standing.office_unit_id}
        if employer.pk not in mine:
            raise WorkflowError("forbidden", _("只能以本人所在单位报到。"))
    with transaction.atomic():
        found = ReportIn.objects.select_for_update()
        report_in = found.filter(user=user).first() if user is not None else None
        if report_in is None and phone_number:
            report_in = found.filter(phone=phone_number).first()
        if report_in is None:
            report_in = found.filter(name=name, employer=employer, phone=phone_number).first()
        values = {
            "name": name,
            "phone": phone_number,
            "employer": employer,
            "community": community,
            "reported_on": reported_on,
            "party_member": party_member,
            "active": True,
        }
        if user is not None:
            values["user"] = user
        if report_in is None:
            report_in = ReportIn.objects.create(recorded_at=at, **values)
            event("volunteers.report_in.registered", actor, at, report_in=report_in)
            return Saved(report_in, "created", {})
        if report_in.community_id != community.pk:
            # Moving to another community: its new community (or the office) records it.
            rules.check("report_in", actor, unit=community, person_user_id=report_in.user_id)
        changes = apply(report_in, values)
        if not changes:
            return Saved(report_in, "unchanged", {})
        report_in.save(update_fields=list(changes))
        event(
            "volunteers.report_in.updated",
            actor,
            at,
            report_in=report_in,
            data={"changes": changes},
        )
        return Saved(report_in, "updated", changes)


def do_assign(
    report_in: ReportIn,
    *,
    actor: Actor,
    kind: str,
    wish: Wish | None = None,
    activity: Activity | None = None,
    service: str = "",
    when: dt.datetime | None = None,
) -> Assignment:
    """The community gives a person who reported in a wish to help with, an activity to
    join, or a service to give."""
    at = now(when)
    rules.check("assign", actor, unit=report_in.community)
    if not report_in.active:
        raise WorkflowError("inactive", _("该报到记录已失效。"))
    values: dict = {"kind": kind}
    if kind == Assignment.Kind.WISH:
        if wish is None or wish.community_id != report_in.community_id:
            raise WorkflowError("invalid_wish", _("请选择本社区的微心愿。"))
        if wish.status not in ON_THE_WALL:
            raise WorkflowError("invalid_wish", _("该心愿尚未发布。"))
        values["wish"] = wish
    elif kind == Assignment.Kind.ACTIVITY:
        team = activity.team if activity is not None else None
        ours = team is not None and (
            team.unit_id == report_in.community_id
            or (
                team.partner is not None
                and team.partner.communities.filter(pk=report_in.community_id).exists()
            )
        )
        if not ours:
            raise WorkflowError("invalid_activity", _("请选择本社区志愿服务队的活动。"))
        values["activity"] = activity
    elif kind == Assignment.Kind.SERVICE:
        values["service"] = text(service, "service", _("服务事项"), 200)
    else:
        raise WorkflowError("invalid_kind", _("任务类型不正确。"))
    with transaction.atomic():
        assignment = Assignment.objects.create(
            report_in=report_in, assigned_by=user_of(actor), assigned_at=at, **values
        )
        event(
            "volunteers.assignment.created",
            actor,
            at,
            report_in=report_in,
            data={"assignment": assignment.pk, "kind": kind},
        )
    return assignment


def do_finish_assignment(
    assignment: Assignment, *, actor: Actor, note: str, when: dt.datetime | None = None
) -> Assignment:
    """The community (or the person himself) records the work done."""
    at = now(when)
    note = text(note, "note", _("完成情况"), 300)
    with transaction.atomic():
        assignment = (
            Assignment.objects.select_for_update().select_related("report_in").get(pk=assignment.pk)
        )
        report_in = assignment.report_in
        rules.check(
            "finish_assignment",
            actor,
            unit=report_in.community,
            person_user_id=report_in.user_id,
        )
        if assignment.done_at is not None:
            raise WorkflowError("invalid_transition", _("该任务已登记完成。"))
        assignment.done_at, assignment.done_note = at, note
        assignment.save(update_fields=["done_at", "done_note"])
        event(
            "volunteers.assignment.finished",
            actor,
            at,
            report_in=report_in,
            data={"assignment": assignment.pk},
        )
    return assignment
