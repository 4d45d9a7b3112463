"""Getting a case to the unit that can solve it: register, route, and end it early."""

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Actor, Role, User
from lianxin.cases.access import Standing, standing_of
from lianxin.cases.actions.common import (
    as_user,
    lock_case,
    now_or,
    record,
    reply_deadline,
    require_text,
    resolution_deadline,
    save_photos,
)
from lianxin.cases.durations import stamp_durations
from lianxin.cases.models import (
    Case,
    CaseEvent,
    CasePart,
    CasePhoto,
    Category,
    Channel,
    Status,
    Urgency,
)
from lianxin.cases.numbering import next_tracking_number
from lianxin.cases.rules import WorkflowError, check
from lianxin.orgs.models import DistrictSettings, Unit
from lianxin.text import clean_text

PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
# Channels a resident reaches without a member of staff in between.
SELF_SERVICE_CHANNELS = (Channel.WEB, Channel.MINIPROGRAM)
Part = CasePart


def do_register_case(
    *,
    actor: Actor,
    channel: str,
    title: str,
    text: str,
    address: str,
    category: Category | None = None,
    grid: Unit | None = None,
    community: Unit | None = None,
    building: str = "",
    latitude: Decimal | float | None = None,
    longitude: Decimal | float | None = None,
    resident: User | None = None,
    resident_name: str = "",
    resident_phone: str = "",
    phone_verified: bool = False,
    anonymous: bool = False,
    urgency: str = Urgency.NORMAL,
    open_for_claim: bool = False,
    idempotency_key: str | None = None,
    photos: "Iterable[File[Any]]" = (),
    when: dt.datetime | None = None,
) -> Case:
    """Register a resident's concern as a case. `actor` is None for a visitor of the public
    pages. With an idempotency key, sending the same registration twice gives one case.

    `phone_verified`: the resident proved the phone is his (a one-time code). A phone staff
    record (intake, imports, the city platform, a partner) counts as verified: the staff
    member took it from the resident, and answers for it."""
    at = now_or(when)
    if idempotency_key:
        existing = Case.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    standing = standing_of(actor)
    is_staff_actor = actor is not None and standing.staff
    if not is_staff_actor:
        if channel not in SELF_SERVICE_CHANNELS:
            raise WorkflowError("forbidden", _("群众只能通过网页或小程序提交诉求。"))
        if resident is not None and resident != actor:
            raise WorkflowError("forbidden", _("不能以他人名义提交诉求。"))
        open_for_claim = False
    if channel not in Channel.values:
        raise WorkflowError("invalid_channel", _("来源渠道无效。"))
    if urgency not in Urgency.values:
        raise WorkflowError("invalid_urgency", _("紧急程度无效。"))
    title = require_text(title, "title", _("标题"), one_line=True)
    if len(title) > 100:
        raise WorkflowError("title_too_long", _("标题不能超过100个字。"))
    text = require_text(text, "text", _("诉求内容"), min_length=5)
    address = require_text(address, "address", _("地址"), one_line=True)
    resident_phone = re.sub(r"[\s]", "", resident_phone or "")
    if resident_phone and not PHONE_RE.match(resident_phone):
        raise WorkflowError(
            "invalid_phone", _("联系电话格式不正确，请填写11位手机号或带区号的固话。")
        )
    if grid is not None:
        if grid.kind != Unit.Kind.GRID:
            raise WorkflowError("invalid_grid", _("所选网格无效。"))
        community = grid.parent
    if community is not None and community.kind != Unit.Kind.COMMUNITY:
        raise WorkflowError("invalid_community", _("所选社区无效。"))
    if category is not None and not category.active:
        raise WorkflowError("invalid_category", _("所选分类已停用。"))

    policy = DistrictSettings.load()
    try:
        with transaction.atomic():
            case = Case(
                tracking_number=next_tracking_number(timezone.localtime(at).year),
                idempotency_key=idempotency_key or None,
                channel=channel,
                recorded_by=as_user(actor) if is_staff_actor else None,
                resident=resident
                if resident is not None
                else (None if is_staff_actor else as_user(actor)),
                resident_name="" if anonymous else clean_text(resident_name, one_line=True),
                resident_phone=resident_phone,
                phone_verified=bool(resident_phone) and (is_staff_actor or phone_verified),
                anonymous=anonymous,
                address=address,
                grid=grid,
                community=community,
                street_id=community.parent_id if community is not None else None,
                building=clean_text(building, one_line=True),
                latitude=latitude,
                longitude=longitude,
                title=title,
                text=text,
                category=category,
                urgency=urgency,
                open_for_claim=open_for_claim,
                registered_at=at,
                reply_due_at=reply_deadline(at, policy),
            )
            case.resolve_due_at = resolution_deadline(case, at, policy)
            case.save()
            save_photos(case, photos, CasePhoto.Stage.INTAKE)
            unit_id = _acting_unit(standing)
            record(
                case,
                "cases.case.registered",
                actor=actor,
                unit_id=unit_id,
                at=at,
                from_status="",
                public=True,
            )
            if open_for_claim:
                record(
                    case,
                    "cases.case.offered_for_claim",
                    actor=actor,
                    unit_id=unit_id,
                    at=at,
                    from_status=case.status,
                    public=False,
                )
    except IntegrityError:
        # The same idempotency key raced us; the other registration won.
        if idempotency_key:
            existing = Case.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing
        raise
    return case


def _acting_unit(standing: Standing) -> int | None:
    if standing.office_unit_id:
        return standing.office_unit_id
    return min(standing.handling_unit_ids) if standing.handling_unit_ids else None


def _handling_unit(unit: Unit) -> Unit:
    if unit is None or unit.kind not in Unit.HANDLING_KINDS or not unit.active:
        raise WorkflowError("invalid_unit", _("请选择有效的承办单位。"))
    return unit


def _leader(user: User | None) -> User | None:
    if user is not None and not user.memberships.filter(role=Role.LEADER).exists():
        raise WorkflowError("invalid_leader", _("包案领导必须是区领导。"))
    return user


@transaction.atomic
def do_dispatch_case(
    case: Case,
    *,
    actor: Actor,
    unit: Unit,
    co_units: Iterable[Unit] = (),
    instruction: str = "",
    category: Category | None = None,
    leader: User | None = None,
    grid: Unit | None = None,
    when: dt.datetime | None = None,
) -> Case:
    """Give the case to a lead unit, and optionally co-handling units (a split). The office
    may settle the category and the grid on the way (a resident's own report has no grid)."""
    case = lock_case(case)
    co_units = list(co_units)
    acting_unit = check("split" if co_units else "dispatch", actor, case)
    at = now_or(when)
    instruction = clean_text(instruction)
    unit = _handling_unit(unit)
    for co in co_units:
        _handling_unit(co)
    if unit in co_units or len(set(co_units)) != len(co_units):
        raise WorkflowError("duplicate_unit", _("主办单位和协办单位不能重复。"))
    from_status = case.status

    returned = case.parts.filter(status=Part.PartStatus.RETURNED, return_reviewed_at__isnull=True)
    returned.update(return_reviewed_at=at)
    live = {part.unit_id: part for part in case.parts.filter(status__in=Part.LIVE_STATUSES)}
    for part in live.values():
        if part.role == Part.Role.LEAD:  # a new lead replaces the old one
            part.status = Part.PartStatus.CANCELLED
            part.save(update_fields=["status"])
    lead_accepted = None  # when the new lead, an accepted co-handler, took it up
    parts = [(unit, Part.Role.LEAD)] + [(co, Part.Role.CO) for co in co_units]
    for target, role in parts:
        existing = live.get(target.pk)
        if existing is not None and existing.status != Part.PartStatus.CANCELLED:
            # A co-handler made lead keeps its progress: if it had accepted, so has the lead.
            existing.role, existing.instruction = role, instruction
            existing.save(update_fields=["role", "instruction"])
            if role == Part.Role.LEAD and existing.status == Part.PartStatus.ACCEPTED:
                lead_accepted = existing.accepted_at or at
            continue
        CasePart.objects.create(
            case=case,
            unit=target,
            role=role,
            status=Part.PartStatus.ASSIGNED,
            instruction=instruction,
            assigned_at=at,
        )

    policy = DistrictSettings.load()
    fields = ["status", "lead_unit", "open_for_claim", "dispatched_at"]
    chosen = {}  # a dispatcher's (re)categorisation: a lesson for the category suggestion
    if category is not None and category.pk != case.category_id:
        chosen = {"category": category.pk, "category_from": case.category_id}
        case.category = category
        case.resolve_due_at = resolution_deadline(case, case.registered_at, policy)
        fields += ["category", "resolve_due_at"]
    if leader is not None:
        case.leader = _leader(leader)
        fields.append("leader")
    if grid is not None and grid.pk != case.grid_id:
        if grid.kind != Unit.Kind.GRID:
            raise WorkflowError("invalid_grid", _("所选网格无效。"))
        case.grid, case.community_id = grid, grid.parent_id
        street_ids = Unit.objects.values_list("parent_id", flat=True)
        case.street_id = street_ids.get(pk=grid.parent_id)  # type: ignore[misc]  # a grid has a community
        fields += ["grid", "community", "street"]
    if lead_accepted:
        case.status = Status.REPLIED if case.replied_at else Status.IN_PROGRESS
        # The new lead had accepted its part already: the case was taken up then.
        case.accepted_at = case.accepted_at or lead_accepted
        fields.append("accepted_at")
    else:
        case.status = Status.DISPATCHED
    case.lead_unit = unit
    case.open_for_claim = False
    case.dispatched_at = case.dispatched_at or at
    case.save(update_fields=[*fields, *stamp_durations(case)])
    record(
        case,
        "cases.case.split" if co_units else "cases.case.dispatched",
        actor=actor,
        unit_id=acting_unit,
        at=at,
        from_status=from_status,
        note=instruction,
        public=True,
        data={"lead": unit.pk, "co": [co.pk for co in co_units], **chosen},
    )
    return case


def do_split_case(
    case: Case, *, actor: Actor, unit: Unit, co_units: Iterable[Unit], **kwargs: Any
) -> Case:
    co_units = list(co_units)
    if not co_units:
        raise WorkflowError("co_units_required", _("分派多部门时请至少选择一个协办单位。"))
    return do_dispatch_case(case, actor=actor, unit=unit, co_units=co_units, **kwargs)


@transaction.atomic
def do_offer_case_for_claim(case: Case, *, actor: Actor, when: dt.datetime | None = None) -> Case:
    """Let every department see the case and claim it (部门领题)."""
    case = lock_case(case)
    acting_unit = check("offer_for_claim", actor, case)
    at = now_or(when)
    case.open_for_claim = True
    case.save(update_fields=["open_for_claim"])
    record(
        case,
        "cases.case.offered_for_claim",
        actor=actor,
        unit_id=acting_unit,
        at=at,
        from_status=case.status,
    )
    return case


@transaction.atomic
def do_claim_case(
    case: Case, *, actor: Actor, unit: Unit | None = None, when: dt.datetime | None = None
) -> Case:
    """A department takes an unassigned case as its own (认领); it is accepted at once."""
    case = lock_case(case)
    acting_unit = check("claim", actor, case)
    assert acting_unit is not None  # a department claims: its unit is the acting one
    at = now_or(when)
    if not case.open_for_claim:
        raise WorkflowError("not_claimable", _("该诉求未发布认领，请等待派单。"))
    departments = standing_of(actor).department_ids
    if unit is None:
        unit = Unit.objects.get(pk=acting_unit)
    if unit.pk not in departments:
        raise WorkflowError("forbidden", _("只能以本人所在部门认领。"))
    from_status = case.status
    part = CasePart.objects.create(
        case=case,
        unit=unit,
        role=Part.Role.LEAD,
        status=Part.PartStatus.ACCEPTED,
        assigned_at=at,
        accepted_at=at,
    )
    case.status = Status.IN_PROGRESS
    case.lead_unit = unit
    case.open_for_claim = False
    case.dispatched_at = case.dispatched_at or at
    case.accepted_at = case.accepted_at or at
    case.save(
        update_fields=[
            "status",
            "lead_unit",
            "open_for_claim",
            "dispatched_at",
            "accepted_at",
            *stamp_durations(case),
        ]
    )
    record(
        case,
        "cases.case.claimed",
        actor=actor,
        unit_id=unit.pk,
        at=at,
        from_status=from_status,
        public=True,
        part=part,
    )
    return case


@transaction.atomic
def do_blow_whistle(
    case: Case, *, actor: Actor, units: Iterable[Unit], note: str, when: dt.datetime | None = None
) -> Case:
    """A grid, community or street summons departments to a problem it cannot solve alone
    (吹哨报到). If nobody handles the case yet, the whistling unit leads it."""
    case = lock_case(case)
    acting_unit = check("whistle", actor, case)
    assert acting_unit is not None  # an area unit blows the whistle: its unit acts
    at = now_or(when)
    note = require_text(note, "note", _("吹哨事由"))
    units = [_handling_unit(unit) for unit in units]
    if not units:
        raise WorkflowError("units_required", _("请选择需要报到的部门。"))
    from_status = case.status
    live = set(case.parts.filter(status__in=Part.LIVE_STATUSES).values_list("unit_id", flat=True))
    if case.status == Status.REGISTERED:
        CasePart.objects.create(
            case=case,
            unit_id=acting_unit,
            role=Part.Role.LEAD,
            status=Part.PartStatus.ACCEPTED,
            assigned_at=at,
            accepted_at=at,
        )
        live.add(acting_unit)
        case.status = Status.IN_PROGRESS
        case.lead_unit_id = acting_unit
        case.dispatched_at = case.dispatched_at or at
        case.accepted_at = case.accepted_at or at
        case.open_for_claim = False
        case.save(
            update_fields=[
                "status",
                "lead_unit",
                "dispatched_at",
                "accepted_at",
                "open_for_claim",
                *stamp_durations(case),
            ]
        )
    for unit in units:
        if unit.pk not in live:
            CasePart.objects.create(
                case=case,
                unit=unit,
                role=Part.Role.SUMMONED,
                status=Part.PartStatus.ASSIGNED,
                instruction=note,
                assigned_at=at,
            )
    record(
        case,
        "cases.case.whistle_blown",
        actor=actor,
        unit_id=acting_unit,
        at=at,
        from_status=from_status,
        note=note,
        public=True,
        data={"summoned": [unit.pk for unit in units]},
    )
    return case


@transaction.atomic
def do_escalate_case(
    case: Case,
    *,
    actor: Actor,
    note: str,
    leader: User | None = None,
    when: dt.datetime | None = None,
) -> Case:
    """Send a case that needs a district decision up to the leadership."""
    case = lock_case(case)
    acting_unit = check("escalate", actor, case)
    at = now_or(when)
    if case.escalated:
        raise WorkflowError("already_escalated", _("该诉求已提级，正等待区领导批示。"))
    note = require_text(note, "note", _("提级理由"))
    fields = ["escalated"]
    if leader is not None:
        case.leader = _leader(leader)
        fields.append("leader")
    case.escalated = True
    case.save(update_fields=fields)
    record(
        case,
        "cases.case.escalated",
        actor=actor,
        unit_id=acting_unit,
        at=at,
        from_status=case.status,
        note=note,
    )
    return case


@transaction.atomic
def do_instruct_case(
    case: Case, *, actor: Actor, instruction: str, when: dt.datetime | None = None
) -> Case:
    """A leader's written instruction (批示); it answers an escalation."""
    case = lock_case(case)
    acting_unit = check("instruct", actor, case)
    at = now_or(when)
    instruction = require_text(instruction, "instruction", _("批示意见"))
    was_escalated = case.escalated
    case.escalated = False
    case.save(update_fields=["escalated"])
    record(
        case,
        "cases.case.instructed",
        actor=actor,
        unit_id=acting_unit,
        at=at,
        from_status=case.status,
        note=instruction,
        data={"answered_escalation": was_escalated},
    )
    return case


@transaction.atomic
def do_assign_leader(
    case: Case, *, actor: Actor, leader: User, when: dt.datetime | None = None
) -> Case:
    """Name the leader responsible for the case (包案领导)."""
    case = lock_case(case)
    acting_unit = check("assign_leader", actor, case)
    at = now_or(when)
    case.leader = _leader(leader)
    case.save(update_fields=["leader"])
    record(
        case,
        "cases.case.leader_assigned",
        actor=actor,
        unit_id=acting_unit,
        at=at,
        from_status=case.status,
        data={"leader": leader.pk},
    )
    return case


def _end_case(
    case: Case,
    status: str,
    code: str,
    *,
    actor: Actor,
    acting_unit: int | None,
    at: dt.datetime,
    note: str,
    fields: Sequence[str] = (),
) -> CaseEvent:
    from_status = case.status
    case.parts.filter(status__in=(Part.PartStatus.ASSIGNED, Part.PartStatus.ACCEPTED)).update(
        status=Part.PartStatus.CANCELLED
    )
    case.status = status
    case.escalated = False
    case.closed_at = at
    case.save(update_fields=["status", "escalated", "closed_at", *fields])
    return record(
        case,
        code,
        actor=actor,
        unit_id=acting_unit,
        at=at,
        from_status=from_status,
        note=note,
        public=True,
    )


@transaction.atomic
def do_merge_case(
    case: Case, *, actor: Actor, into: Case, note: str = "", when: dt.datetime | None = None
) -> Case:
    """Fold a duplicate into the case that carries the problem forward."""
    first, second = sorted([case.pk, into.pk])
    locked = {pk: lock_case(pk) for pk in (first, second)}  # in pk order: no deadlock
    case, into = locked[case.pk], locked[into.pk]
    acting_unit = check("merge", actor, case)
    at = now_or(when)
    note = clean_text(note)
    if case.pk == into.pk:
        raise WorkflowError("merge_into_self", _("不能把诉求合并到它自己。"))
    if into.is_final or into.merged_into_id:
        raise WorkflowError("merge_target_closed", _("目标诉求已结束，不能并入。"))
    case.merged_into = into
    _end_case(
        case,
        Status.MERGED,
        "cases.case.merged",
        actor=actor,
        acting_unit=acting_unit,
        at=at,
        note=note or _("与 %(number)s 为同一问题，并入办理。") % {"number": into.tracking_number},
        fields=["merged_into"],
    )
    record(
        into,
        "cases.case.duplicate_merged",
        actor=actor,
        unit_id=acting_unit,
        at=at,
        from_status=into.status,
        note=case.tracking_number,
        data={"duplicate": case.pk},
    )
    return case


@transaction.atomic
def do_withdraw_case(
    case: Case, *, actor: Actor, reason: str, when: dt.datetime | None = None
) -> Case:
    """The resident takes the concern back (or the office records that he did)."""
    case = lock_case(case)
    acting_unit = check("withdraw", actor, case)
    reason = require_text(reason, "reason", _("撤回原因"))
    _end_case(
        case,
        Status.WITHDRAWN,
        "cases.case.withdrawn",
        actor=actor,
        acting_unit=acting_unit,
        at=now_or(when),
        note=reason,
    )
    return case


@transaction.atomic
def do_void_case(case: Case, *, actor: Actor, reason: str, when: dt.datetime | None = None) -> Case:
    """The office voids a case that is not a real concern (test, abuse, mistaken entry)."""
    case = lock_case(case)
    acting_unit = check("void", actor, case)
    reason = require_text(reason, "reason", _("作废原因"))
    _end_case(
        case,
        Status.VOIDED,
        "cases.case.voided",
        actor=actor,
        acting_unit=acting_unit,
        at=now_or(when),
        note=reason,
    )
    return case
