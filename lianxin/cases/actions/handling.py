"""Handling a case: accept or return, reply, extend, resolve, verify, and the resident's verdict."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Actor
from lianxin.cases.actions.common import (
    as_user,
    lock_case,
    lock_part,
    now_or,
    record,
    require_text,
    resolution_deadline,
    save_photos,
)
from lianxin.cases.durations import stamp_durations
from lianxin.cases.models import (
    Case,
    CasePart,
    CasePhoto,
    ExtensionRequest,
    ReturnVisit,
    Satisfaction,
    Status,
)
from lianxin.cases.rules import WorkflowError, check
from lianxin.orgs.models import DistrictSettings
from lianxin.text import Message, clean_text
from lianxin.workdays.days import (
    add_working_days,
    deadline_after,
    extend_deadline,
)

Part = CasePart
MAX_EXTENSION_WORKING_DAYS = 60


def _require_part_status(part: CasePart, *statuses: str, action: Message) -> None:
    if part.status not in statuses:
        raise WorkflowError(
            "invalid_transition",
            _("该承办任务当前为“%(status)s”，不能%(action)s。")
            % {"status": part.get_status_display(), "action": action},
        )


@transaction.atomic
def do_accept_part(part: CasePart, *, actor: Actor, when: dt.datetime | None = None) -> CasePart:
    """A unit takes on its part of the case (接单); the lead's acceptance starts the handling."""
    case, part = lock_part(part)
    acting_unit = check("accept", actor, case, part)
    _require_part_status(part, Part.PartStatus.ASSIGNED, action=_("接单"))
    at = now_or(when)
    from_status = case.status
    part.status = Part.PartStatus.ACCEPTED
    part.accepted_at = at
    part.save(update_fields=["status", "accepted_at"])
    if part.role == Part.Role.LEAD:
        case.status = Status.REPLIED if case.replied_at else Status.IN_PROGRESS
        case.accepted_at = case.accepted_at or at
        case.save(update_fields=["status", "accepted_at", *stamp_durations(case)])
    code = "cases.part.checked_in" if part.role == Part.Role.SUMMONED else "cases.part.accepted"
    record(
        case,
        code,
        actor=actor,
        unit_id=acting_unit,
        at=at,
        from_status=from_status,
        public=True,
        part=part,
    )
    return part


def do_check_in_part(part: CasePart, *, actor: Actor, when: dt.datetime | None = None) -> CasePart:
    """A summoned department reports to the whistle (报到)."""
    if part.role != Part.Role.SUMMONED:
        raise WorkflowError("not_summoned", _("该任务不是吹哨报到任务，请使用“接单”。"))
    return do_accept_part(part, actor=actor, when=when)


@transaction.atomic
def do_return_part(
    part: CasePart, *, actor: Actor, reason: str, when: dt.datetime | None = None
) -> CasePart:
    """A unit sends back a case that is not its to solve (退单); the office reviews it."""
    case, part = lock_part(part)
    acting_unit = check("return", actor, case, part)
    _require_part_status(part, Part.PartStatus.ASSIGNED, action=_("退单"))
    reason = require_text(reason, "reason", _("退单理由"), min_length=4)
    at = now_or(when)
    from_status = case.status
    part.status = Part.PartStatus.RETURNED
    part.return_reason = reason
    part.return_reviewed_at = None
    part.save(update_fields=["status", "return_reason", "return_reviewed_at"])
    if part.role == Part.Role.LEAD:
        case.status = Status.RETURNED
        case.lead_unit = None
        case.save(update_fields=["status", "lead_unit"])
    record(
        case,
        "cases.part.returned",
        actor=actor,
        unit_id=acting_unit,
        at=at,
        from_status=from_status,
        note=reason,
        part=part,
    )
    return part


def _pending_return(case: Case, part: CasePart) -> CasePart:
    part = CasePart.objects.get(pk=part.pk, case=case)
    if part.status != Part.PartStatus.RETURNED or part.return_reviewed_at is not None:
        raise WorkflowError("no_pending_return", _("该任务没有待审核的退单。"))
    return part


@transaction.atomic
def do_approve_return(
    part: CasePart, *, actor: Actor, note: str = "", when: dt.datetime | None = None
) -> CasePart:
    """The office accepts a return; a case whose lead returned it waits to be dispatched again."""
    case = lock_case(part.case_id)
    acting_unit = check("approve_return", actor, case)
    part = _pending_return(case, part)
    at = now_or(when)
    from_status = case.status
    part.return_reviewed_at = at
    part.save(update_fields=["return_reviewed_at"])
    if part.role == Part.Role.LEAD:
        case.status = Status.REGISTERED
        case.save(update_fields=["status"])
    record(
        case,
        "cases.part.return_approved",
        actor=actor,
        unit_id=acting_unit,
        at=at,
        from_status=from_status,
        note=note,
        part=part,
    )
    return part


@transaction.atomic
def do_refuse_return(
    part: CasePart, *, actor: Actor, note: str, when: dt.datetime | None = None
) -> CasePart:
    """The office refuses a return: the unit must handle its part after all."""
    case = lock_case(part.case_id)
    acting_unit = check("refuse_return", actor, case)
    part = _pending_return(case, part)
    note = require_text(note, "note", _("驳回理由"))
    at = now_or(when)
    from_status = case.status
    part.status = Part.PartStatus.ASSIGNED
    part.return_reviewed_at = at
    part.save(update_fields=["status", "return_reviewed_at"])
    if part.role == Part.Role.LEAD:
        case.status = Status.DISPATCHED
        case.lead_unit_id = part.unit_id
        case.save(update_fields=["status", "lead_unit"])
    record(
        case,
        "cases.part.return_refused",
        actor=actor,
        unit_id=acting_unit,
        at=at,
        from_status=from_status,
        note=note,
        part=part,
    )
    return part


@transaction.atomic
def do_add_note(
    case: Case, *, actor: Actor, note: str, public: bool = False, when: dt.datetime | None = None
) -> Case:
    """A progress note on the timeline; internal unless marked public."""
    case = lock_case(case)
    acting_unit = check("note", actor, case, _live_part_of(actor, case))
    note = require_text(note, "note", _("办理记录"))
    record(
        case,
        "cases.case.note_added",
        actor=actor,
        unit_id=acting_unit,
        at=now_or(when),
        from_status=case.status,
        note=note,
        public=public,
    )
    return case


def _live_part_of(actor: Actor, case: Case) -> CasePart | None:
    from lianxin.cases.access import standing_of

    return case.parts.filter(
        unit__in=standing_of(actor).handling_unit_ids, status__in=Part.LIVE_STATUSES
    ).first()


@transaction.atomic
def do_reply_case(
    case: Case,
    *,
    actor: Actor,
    text: str,
    when: dt.datetime | None = None,
    reply_check: dict[str, Any] | None = None,
) -> Case:
    """Answer the resident (答复): the plan or the result, due within the reply limit.

    `reply_check` is the reply check's verdict as the handler saw it (lianxin.intel.replycheck:
    verdict, reasons, overridden), kept in the event so a sent-anyway reply is on record."""
    case = lock_case(case)
    acting_unit = check("reply", actor, case)
    text = require_text(text, "text", _("答复内容"), min_length=10)
    at = now_or(when)
    from_status = case.status
    case.reply_text = text
    case.replied_at = case.replied_at or at
    case.status = Status.REPLIED
    case.save(update_fields=["reply_text", "replied_at", "status", *stamp_durations(case)])
    record(
        case,
        "cases.case.replied",
        actor=actor,
        unit_id=acting_unit,
        at=at,
        from_status=from_status,
        note=text,
        public=True,
        data={"reply_check": reply_check} if reply_check is not None else None,
    )
    return case


@transaction.atomic
def do_request_extension(
    case: Case, *, actor: Actor, working_days: int, reason: str, when: dt.datetime | None = None
) -> ExtensionRequest:
    """The lead unit asks for more time to resolve (延期); the office decides."""
    case = lock_case(case)
    acting_unit = check("request_extension", actor, case)
    # "lead" is the only capacity the rule allows: a signed-in member of the lead unit.
    requester = as_user(actor)
    assert requester is not None and case.lead_unit_id is not None
    reason = require_text(reason, "reason", _("延期理由"), min_length=4)
    if not 1 <= int(working_days) <= MAX_EXTENSION_WORKING_DAYS:
        raise WorkflowError(
            "invalid_days",
            _("延期天数须在1到%(max)d个工作日之间。") % {"max": MAX_EXTENSION_WORKING_DAYS},
        )
    if case.extensions.filter(decision=ExtensionRequest.Decision.PENDING).exists():
        raise WorkflowError("extension_pending", _("已有一份延期申请待审批。"))
    at = now_or(when)
    extension = ExtensionRequest.objects.create(
        case=case,
        part=case.parts.get(
            unit_id=case.lead_unit_id, role=Part.Role.LEAD, status__in=Part.LIVE_STATUSES
        ),
        working_days=working_days,
        reason=reason,
        requested_by=requester,
        requested_at=at,
    )
    record(
        case,
        "cases.case.extension_requested",
        actor=actor,
        unit_id=acting_unit,
        at=at,
        from_status=case.status,
        note=reason,
        data={"working_days": int(working_days)},
    )
    return extension


@transaction.atomic
def do_decide_extension(
    extension: ExtensionRequest,
    *,
    actor: Actor,
    approve: bool,
    note: str = "",
    when: dt.datetime | None = None,
) -> ExtensionRequest:
    """The office approves (the resolution deadline moves) or refuses an extension."""
    case = lock_case(extension.case_id)
    acting_unit = check("decide_extension", actor, case)
    extension = ExtensionRequest.objects.get(pk=extension.pk)
    if extension.decision != ExtensionRequest.Decision.PENDING:
        raise WorkflowError("already_decided", _("该延期申请已审批。"))
    note = clean_text(note)
    if not approve:
        note = require_text(note, "note", _("不予延期的理由"))
    at = now_or(when)
    extension.decision = (
        ExtensionRequest.Decision.APPROVED if approve else ExtensionRequest.Decision.REFUSED
    )
    extension.decided_by, extension.decided_at, extension.decision_note = as_user(actor), at, note
    extension.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
    data: dict[str, object] = {"extension": extension.pk, "working_days": extension.working_days}
    if approve:
        previous = case.resolve_due_at
        case.resolve_due_at = extend_deadline(previous, extension.working_days)
        case.save(update_fields=["resolve_due_at"])
        data |= {"from": previous.isoformat(), "to": case.resolve_due_at.isoformat()}
    record(
        case,
        "cases.case.extension_approved" if approve else "cases.case.extension_refused",
        actor=actor,
        unit_id=acting_unit,
        at=at,
        from_status=case.status,
        note=note,
        public=approve,
        data=data,
    )
    return extension


@transaction.atomic
def do_mark_constrained(
    case: Case, *, actor: Actor, explanation: str, when: dt.datetime | None = None
) -> Case:
    """The case cannot be solved now (疑难受限): explain why to the resident, review it later."""
    case = lock_case(case)
    acting_unit = check("constrain", actor, case)
    explanation = require_text(explanation, "explanation", _("疑难受限说明"), min_length=10)
    at = now_or(when)
    from_status = case.status
    policy = DistrictSettings.load()
    case.status = Status.CONSTRAINED
    case.constrained_explanation = explanation
    case.constrained_review_at = deadline_after(at, policy.constrained_review_working_days)
    # The explanation is the resident's answer if he had none yet.
    case.replied_at = case.replied_at or at
    case.reply_text = case.reply_text or explanation
    case.save(
        update_fields=[
            "status",
            "constrained_explanation",
            "constrained_review_at",
            "replied_at",
            "reply_text",
            *stamp_durations(case),
        ]
    )
    record(
        case,
        "cases.case.constrained",
        actor=actor,
        unit_id=acting_unit,
        at=at,
        from_status=from_status,
        note=explanation,
        public=True,
    )
    return case


@transaction.atomic
def do_review_constrained(
    case: Case, *, actor: Actor, note: str, when: dt.datetime | None = None
) -> Case:
    """Look at a constrained case again and keep it so, until the next review."""
    case = lock_case(case)
    acting_unit = check("review_constrained", actor, case)
    note = require_text(note, "note", _("复查情况"))
    at = now_or(when)
    case.constrained_review_at = deadline_after(
        at, DistrictSettings.load().constrained_review_working_days
    )
    case.save(update_fields=["constrained_review_at"])
    record(
        case,
        "cases.case.constrained_reviewed",
        actor=actor,
        unit_id=acting_unit,
        at=at,
        from_status=case.status,
        note=note,
        public=True,
    )
    return case


@transaction.atomic
def do_resume_case(case: Case, *, actor: Actor, note: str, when: dt.datetime | None = None) -> Case:
    """Conditions changed: a constrained case is handled again."""
    case = lock_case(case)
    acting_unit = check("resume", actor, case)
    note = require_text(note, "note", _("恢复办理的原因"))
    at = now_or(when)
    from_status = case.status
    case.status = Status.REPLIED
    case.constrained_review_at = None
    # The resolution deadline stood still while the case was constrained; it starts afresh.
    case.resolve_due_at = resolution_deadline(case, at, DistrictSettings.load())
    case.save(update_fields=["status", "constrained_review_at", "resolve_due_at"])
    record(
        case,
        "cases.case.resumed",
        actor=actor,
        unit_id=acting_unit,
        at=at,
        from_status=from_status,
        note=note,
        public=True,
    )
    return case


@transaction.atomic
def do_finish_part(
    part: CasePart, *, actor: Actor, note: str, when: dt.datetime | None = None
) -> CasePart:
    """A co-handling or summoned unit reports its share done."""
    case, part = lock_part(part)
    acting_unit = check("finish_part", actor, case, part)
    if part.role == Part.Role.LEAD:
        raise WorkflowError("lead_part", _("主办单位请直接办结诉求。"))
    _require_part_status(part, Part.PartStatus.ACCEPTED, action=_("报告完成"))
    note = require_text(note, "note", _("完成情况"))
    at = now_or(when)
    part.status = Part.PartStatus.FINISHED
    part.finished_at = at
    part.save(update_fields=["status", "finished_at"])
    record(
        case,
        "cases.part.finished",
        actor=actor,
        unit_id=acting_unit,
        at=at,
        from_status=case.status,
        note=note,
        public=True,
        part=part,
    )
    return part


@transaction.atomic
def do_resolve_case(
    case: Case,
    *,
    actor: Actor,
    note: str,
    photos: "Iterable[File[Any]]" = (),
    when: dt.datetime | None = None,
) -> Case:
    """The lead unit reports the case solved (办结); the office verifies next."""
    case = lock_case(case)
    acting_unit = check("resolve", actor, case)
    note = require_text(note, "note", _("办结说明"), min_length=10)
    waiting = case.parts.filter(
        role__in=(Part.Role.CO, Part.Role.SUMMONED),
        status__in=(Part.PartStatus.ASSIGNED, Part.PartStatus.ACCEPTED),
    ).select_related("unit")
    if waiting:
        raise WorkflowError(
            "parts_open",
            _("协办单位尚未完成：%(units)s。") % {"units": "、".join(p.unit.name for p in waiting)},
        )
    at = now_or(when)
    from_status = case.status
    case.status = Status.RESOLVED
    case.resolved_at = at
    case.resolution_note = note
    case.replied_at = case.replied_at or at
    case.reply_text = case.reply_text or note
    case.save(
        update_fields=[
            "status",
            "resolved_at",
            "resolution_note",
            "replied_at",
            "reply_text",
            *stamp_durations(case),
        ]
    )
    save_photos(case, photos, CasePhoto.Stage.RESOLUTION)
    record(
        case,
        "cases.case.resolved",
        actor=actor,
        unit_id=acting_unit,
        at=at,
        from_status=from_status,
        note=note,
        public=True,
    )
    return case


def _send_back(case: Case, at: dt.datetime) -> list[str]:
    """Back to the lead unit for more work, with a fresh resolution deadline."""
    case.status = Status.IN_PROGRESS
    case.resolved_at = None
    case.verified_at = None
    case.resolve_due_at = resolution_deadline(case, at, DistrictSettings.load())
    return ["status", "resolved_at", "verified_at", "resolve_due_at", *stamp_durations(case)]


@transaction.atomic
def do_verify_case(
    case: Case,
    *,
    actor: Actor,
    passed: bool,
    on_site: bool,
    note: str = "",
    photos: "Iterable[File[Any]]" = (),
    when: dt.datetime | None = None,
) -> Case:
    """The office checks a resolved case (核查), on site where needed; a failed check sends it
    back to the lead unit."""
    case = lock_case(case)
    acting_unit = check("verify", actor, case)
    note = clean_text(note)
    if not passed:
        note = require_text(note, "note", _("核查不通过的原因"))
    at = now_or(when)
    from_status = case.status
    if passed:
        case.status = Status.VERIFIED
        case.verified_at = at
        fields = ["status", "verified_at"]
    else:
        fields = _send_back(case, at)
    case.save(update_fields=fields)
    save_photos(case, photos, CasePhoto.Stage.VERIFICATION)
    record(
        case,
        "cases.case.verified" if passed else "cases.case.verification_failed",
        actor=actor,
        unit_id=acting_unit,
        at=at,
        from_status=from_status,
        note=note,
        public=passed,
        data={"on_site": on_site},
    )
    return case


@transaction.atomic
def do_record_unreached_call(
    case: Case, *, actor: Actor, note: str = "", when: dt.datetime | None = None
) -> Case:
    """The office called and reached nobody (未接通/关机/空号): no verdict is invented.
    The case stays verified and comes back to the top of the list the next working day,
    at the same hour; every attempt is on record."""
    case = lock_case(case)
    acting_unit = check("unreached_call", actor, case)
    at = now_or(when)
    local = timezone.localtime(at)
    again = add_working_days(local.date(), 1)
    case.unreached_calls += 1
    case.call_again_at = timezone.make_aware(dt.datetime.combine(again, local.time()))
    case.save(update_fields=["unreached_calls", "call_again_at"])
    record(
        case,
        "cases.case.call_unreached",
        actor=actor,
        unit_id=acting_unit,
        at=at,
        from_status=case.status,
        note=clean_text(note),
        data={"attempt": case.unreached_calls, "call_again_at": case.call_again_at.isoformat()},
    )
    return case


@transaction.atomic
def do_record_return_visit(
    case: Case,
    *,
    actor: Actor,
    satisfaction: str,
    solved: bool | None,
    comment: str = "",
    method: str = ReturnVisit.Method.PHONE,
    proved: bool = False,
    when: dt.datetime | None = None,
) -> ReturnVisit:
    """The resident's verdict (回访): satisfied closes the case; not satisfied reopens it
    with the same lead unit, and the reopening is counted.

    `proved`: the residents' pages checked the visitor's proof of the case (a signed link
    or the tracking number with the phone's last four digits); he rates as the resident."""
    case = lock_case(case)
    acting_unit = check("return_visit", actor, case, proved=proved)
    if satisfaction not in Satisfaction.values:
        raise WorkflowError("invalid_satisfaction", _("请选择满意、基本满意或不满意。"))
    # Two questions, two answers: 解决率 must not be read off 满意率.
    if solved is None:
        raise WorkflowError("invalid_solved", _("请选择问题是否已解决。"))
    is_owner = case.resident_id is not None and case.resident_id == getattr(actor, "pk", None)
    if (is_owner or proved) and not _is_office(actor):
        method = ReturnVisit.Method.SELF
    elif method not in (ReturnVisit.Method.PHONE, ReturnVisit.Method.VISIT):
        raise WorkflowError("invalid_method", _("请选择电话回访或上门回访。"))
    comment = clean_text(comment)
    if satisfaction == Satisfaction.UNSATISFIED:
        comment = require_text(comment, "comment", _("不满意的原因"))
    at = now_or(when)
    from_status = case.status
    visit = ReturnVisit.objects.create(
        case=case,
        method=method,
        satisfaction=satisfaction,
        solved=bool(solved),
        comment=comment,
        recorded_by=as_user(actor),
        recorded_at=at,
    )
    case.satisfaction, case.solved = satisfaction, bool(solved)
    case.call_again_at = None
    fields = ["satisfaction", "solved", "call_again_at"]
    if satisfaction == Satisfaction.UNSATISFIED:
        fields += _send_back(case, at)
        case.reopen_count += 1
        fields.append("reopen_count")
    else:
        case.status = Status.CLOSED
        case.closed_at = at
        fields += ["status", "closed_at"]
    case.save(update_fields=fields)
    data = {"satisfaction": satisfaction, "solved": bool(solved), "method": method}
    record(
        case,
        "cases.case.return_visited",
        actor=actor,
        unit_id=acting_unit,
        at=at,
        from_status=from_status,
        note=comment,
        public=True,
        data=data,
    )
    if satisfaction == Satisfaction.UNSATISFIED:
        record(
            case,
            "cases.case.reopened",
            actor=actor,
            unit_id=acting_unit,
            at=at,
            from_status=from_status,
            note=comment,
            public=True,
            data={"reopen_count": case.reopen_count},
        )
    return visit


def _is_office(actor: Actor) -> bool:
    from lianxin.cases.access import standing_of

    return standing_of(actor).office
