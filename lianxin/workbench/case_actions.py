"""Turning a posted form into a workflow action. Each handler parses, the action decides."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Role, User
from lianxin.cases import actions
from lianxin.cases.models import Case, CasePart, CasePhoto, Category, ExtensionRequest
from lianxin.cases.photos import checked_photos
from lianxin.cases.rules import WorkflowError
from lianxin.intel.replycheck import check_case_reply
from lianxin.orgs.models import Unit


def _unit(value) -> Unit:
    try:
        return Unit.objects.handling().get(pk=int(value))
    except (Unit.DoesNotExist, TypeError, ValueError):
        raise WorkflowError("invalid_unit", _("请选择有效的承办单位。")) from None


def _units(values) -> list[Unit]:
    return [_unit(value) for value in values if value]


def _part(case: Case, data) -> CasePart:
    # Only this case's parts: a part id from another case is "not found", not a way in.
    try:
        return case.parts.get(pk=int(data.get("part", "")))
    except (CasePart.DoesNotExist, ValueError):
        raise Http404 from None


def _leader(value):
    if not value:
        return None
    return User.objects.filter(pk=value, memberships__role=Role.LEADER).first() or _no_leader()


def _no_leader():
    raise WorkflowError("invalid_leader", _("包案领导必须是区领导。"))


def _days(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise WorkflowError("invalid_days", _("请填写延期的工作日数。")) from None


def _case(user, value) -> Case:
    # The case to merge into, looked up among those the user may see like any other.
    found = Case.objects.visible_to(user).filter(tracking_number=(value or "").strip()).first()
    if found is None:
        raise WorkflowError("invalid_target", _("未找到该受理编号的诉求。"))
    return found


def _photo(case: Case, data) -> CasePhoto:
    try:
        return case.photos.get(pk=int(data.get("photo", "")))
    except (CasePhoto.DoesNotExist, ValueError):
        raise Http404 from None


def _extension(case: Case, data) -> ExtensionRequest:
    try:
        return case.extensions.get(pk=int(data.get("extension", "")))
    except (ExtensionRequest.DoesNotExist, ValueError):
        raise Http404 from None


def _routing(data) -> dict:
    return {
        "unit": _unit(data.get("unit")),
        "co_units": _units(data.getlist("co_units")),
        "instruction": data.get("instruction", ""),
        "leader": _leader(data.get("leader")),
        "grid": _grid(data.get("grid")),
        "category": _category(data),
    }


def _category(data) -> Category | None:
    # The suggestion panel posts a category id, or "other" with the one picked from the list.
    value = data.get("category")
    if value == "other":
        value = data.get("category_other")
    if not value:
        return None
    try:
        return Category.objects.get(pk=int(value), active=True)
    except (Category.DoesNotExist, ValueError):
        raise WorkflowError("invalid_category", _("所选分类无效。")) from None


def _grid(value) -> Unit | None:
    if not value:
        return None
    try:
        return Unit.objects.get(pk=int(value), kind=Unit.Kind.GRID)
    except (Unit.DoesNotExist, ValueError):
        raise WorkflowError("invalid_grid", _("所选网格无效。")) from None


def _reply(case: Case, user, data):
    # The reply check (issue 5 §4): a flagged reply goes out only when the handler ticks
    # "仍然发送" beside the reasons; the verdict is kept in the reply event either way.
    text = data.get("text", "")
    result = check_case_reply(case, text)
    overridden = result.flagged and data.get("send_anyway") == "on"
    if result.flagged and not overridden and text.strip():
        raise WorkflowError(
            "reply_check",
            _("答复未发送：%(reasons)s。请补充具体内容，或勾选“仍然发送”后再提交。")
            % {"reasons": "；".join(result.reasons)},
        )
    verdict = {**result.as_data(), "overridden": overridden}
    return actions.do_reply_case(case, actor=user, text=text, reply_check=verdict)


HANDLERS = {
    "dispatch": lambda case, user, d, f: actions.do_dispatch_case(case, actor=user, **_routing(d)),
    "split": lambda case, user, d, f: actions.do_split_case(case, actor=user, **_routing(d)),
    "assign_leader": lambda case, user, d, f: actions.do_assign_leader(
        case, actor=user, leader=_leader(d.get("leader")) or _no_leader()
    ),
    "offer_for_claim": lambda case, user, d, f: actions.do_offer_case_for_claim(case, actor=user),
    "claim": lambda case, user, d, f: actions.do_claim_case(case, actor=user),
    "whistle": lambda case, user, d, f: actions.do_blow_whistle(
        case, actor=user, units=_units(d.getlist("units")), note=d.get("note", "")
    ),
    "escalate": lambda case, user, d, f: actions.do_escalate_case(
        case, actor=user, note=d.get("note", ""), leader=_leader(d.get("leader"))
    ),
    "instruct": lambda case, user, d, f: actions.do_instruct_case(
        case, actor=user, instruction=d.get("instruction", "")
    ),
    "accept": lambda case, user, d, f: actions.do_accept_part(_part(case, d), actor=user),
    "return": lambda case, user, d, f: actions.do_return_part(
        _part(case, d), actor=user, reason=d.get("reason", "")
    ),
    "approve_return": lambda case, user, d, f: actions.do_approve_return(
        _part(case, d), actor=user, note=d.get("note", "")
    ),
    "refuse_return": lambda case, user, d, f: actions.do_refuse_return(
        _part(case, d), actor=user, note=d.get("note", "")
    ),
    "finish_part": lambda case, user, d, f: actions.do_finish_part(
        _part(case, d), actor=user, note=d.get("note", "")
    ),
    "note": lambda case, user, d, f: actions.do_add_note(
        case, actor=user, note=d.get("note", ""), public=d.get("public") == "on"
    ),
    "reply": lambda case, user, d, f: _reply(case, user, d),
    "request_extension": lambda case, user, d, f: actions.do_request_extension(
        case, actor=user, working_days=_days(d.get("working_days")), reason=d.get("reason", "")
    ),
    "decide_extension": lambda case, user, d, f: actions.do_decide_extension(
        _extension(case, d), actor=user, approve=d.get("approve") == "1", note=d.get("note", "")
    ),
    "constrain": lambda case, user, d, f: actions.do_mark_constrained(
        case, actor=user, explanation=d.get("explanation", "")
    ),
    "review_constrained": lambda case, user, d, f: actions.do_review_constrained(
        case, actor=user, note=d.get("note", "")
    ),
    "resume": lambda case, user, d, f: actions.do_resume_case(
        case, actor=user, note=d.get("note", "")
    ),
    # Photos are checked and re-encoded here, before the action takes the case's lock.
    "resolve": lambda case, user, d, f: actions.do_resolve_case(
        case, actor=user, note=d.get("note", ""), photos=checked_photos(f.getlist("photos"))
    ),
    "verify": lambda case, user, d, f: actions.do_verify_case(
        case,
        actor=user,
        passed=d.get("passed") == "1",
        on_site=d.get("on_site") == "on",
        note=d.get("note", ""),
    ),
    "return_visit": lambda case, user, d, f: actions.do_record_return_visit(
        case,
        actor=user,
        satisfaction=d.get("satisfaction", ""),
        solved={"1": True, "0": False}.get(d.get("solved", "")),
        comment=d.get("comment", ""),
        method=d.get("method", "phone"),
    ),
    "unreached_call": lambda case, user, d, f: actions.do_record_unreached_call(
        case, actor=user, note=d.get("note", "")
    ),
    "merge": lambda case, user, d, f: actions.do_merge_case(
        case, actor=user, into=_case(user, d.get("into")), note=d.get("note", "")
    ),
    "withdraw": lambda case, user, d, f: actions.do_withdraw_case(
        case, actor=user, reason=d.get("reason", "")
    ),
    "void": lambda case, user, d, f: actions.do_void_case(
        case, actor=user, reason=d.get("reason", "")
    ),
    "mark_exemplary": lambda case, user, d, f: actions.do_mark_exemplary(
        case, actor=user, note=d.get("note", "")
    ),
    "unmark_exemplary": lambda case, user, d, f: actions.do_unmark_exemplary(
        case, actor=user, note=d.get("reason", "")
    ),
    "publish_photo": lambda case, user, d, f: actions.do_set_photo_public(
        _photo(case, d), actor=user, public=d.get("public") == "1"
    ),
}
