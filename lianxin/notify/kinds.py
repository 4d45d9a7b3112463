"""The kinds of message the platform sends, who reads each, and what its text may say.

A template may use only its kind's placeholders. Residents' kinds never offer a
staff-internal note (a return reason, an escalation note, an internal progress
note): the only case text a resident's message can carry is the public reply.
Nor do they offer the case's title: whoever files on /m/ writes it, and a text in
the district's name must not carry a stranger's words (issue 12).
"""

import string
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

RESIDENT = "resident"
STAFF = "staff"

# Placeholders every staff kind offers; residents' kinds offer the tracking number only.
COMMON = ("tracking_number", "title")
RESIDENT_COMMON = ("tracking_number",)
# `case_url` is the signed link that proves the case on /m/ (lianxin/cases/follow_links.py);
# `follow_url` the page that asks for the tracking number and the last four digits.
RESIDENT_FOLLOW = (*RESIDENT_COMMON, "follow_url", "case_url")


@dataclass(frozen=True)
class Kind:
    code: str
    audience: str
    label: object
    placeholders: tuple[str, ...]


KINDS = {
    kind.code: kind
    for kind in (
        Kind("resident.code", RESIDENT, _("群众：手机验证码"), ("code", "minutes")),
        Kind("resident.registered", RESIDENT, _("群众：诉求已受理"), RESIDENT_FOLLOW),
        Kind(
            "resident.replied",
            RESIDENT,
            _("群众：诉求已答复"),
            (*RESIDENT_FOLLOW, "reply"),
        ),
        Kind("resident.resolved", RESIDENT, _("群众：诉求已办结"), RESIDENT_FOLLOW),
        Kind("resident.rate", RESIDENT, _("群众：请评价办理结果"), RESIDENT_FOLLOW),
        Kind(
            "staff.assigned",
            STAFF,
            _("工作人员：新派单"),
            (*COMMON, "unit", "role", "address", "reply_due"),
        ),
        Kind("staff.reply_due", STAFF, _("工作人员：答复即将到期"), (*COMMON, "unit", "reply_due")),
        Kind("staff.overdue", STAFF, _("工作人员：已逾期"), (*COMMON, "unit", "deadline", "due")),
        Kind("staff.returned", STAFF, _("工作人员：部门退单待审核"), (*COMMON, "unit", "reason")),
        Kind("staff.escalated", STAFF, _("工作人员：提级待批示"), (*COMMON, "unit", "note")),
        # lianxin/projects: a missed milestone or a missing progress report.
        Kind(
            "staff.project_overdue",
            STAFF,
            _("工作人员：办实事项目逾期"),
            ("project", "unit", "lapse", "due"),
        ),
    )
}

KIND_CHOICES = [(kind.code, kind.label) for kind in KINDS.values()]

# What each placeholder stands for, for the admin's help text and the error message.
PLACEHOLDER_LABELS = {
    "tracking_number": _("受理编号"),
    "title": _("诉求标题"),
    "follow_url": _("查询进度的网址"),
    "case_url": _("本诉求的专用链接（免输手机号后四位即可查看和评价）"),
    "reply": _("答复内容"),
    "unit": _("单位名称"),
    "role": _("承办角色"),
    "address": _("地址"),
    "reply_due": _("答复期限"),
    "deadline": _("逾期的期限（答复或办结）"),
    "due": _("期限日期"),
    "reason": _("退单理由"),
    "note": _("提级理由"),
    "code": _("验证码"),
    "minutes": _("有效分钟数"),
    "project": _("项目名称"),
    "lapse": _("逾期事项（未完成的时间节点或未报送的进度）"),
}


def placeholders_in(text: str) -> list[str]:
    """The placeholder names in `text`; ValueError for unbalanced braces or fancy fields."""
    names = []
    for _literal, field, spec, conversion in string.Formatter().parse(text):
        if field is None:
            continue
        if not field.isidentifier() or spec or conversion:
            # {0}, {a.b}, {a[0]}, {a:>10} and {a!r} would reach past the plain values.
            raise ValueError(field)
        names.append(field)
    return names


def validate_text(code: str, text: str) -> None:
    """Refuse a template whose placeholders its kind does not offer (errors in Chinese)."""
    kind = KINDS.get(code)
    if kind is None:
        raise ValidationError({"code": _("未知的通知类型。")})
    allowed = "、".join("{%s}" % name for name in kind.placeholders)  # noqa: UP031
    try:
        names = placeholders_in(text)
    except ValueError:
        raise ValidationError(
            {
                "text": _("模板中的花括号有误：占位符须写成 {名称}，可用的有：%(allowed)s。")
                % {"allowed": allowed}
            }
        ) from None
    unknown = [name for name in names if name not in kind.placeholders]
    if unknown:
        raise ValidationError(
            {
                "text": _("模板中的占位符 %(unknown)s 不能用于此类通知，可用的有：%(allowed)s。")
                % {"unknown": "、".join("{%s}" % name for name in unknown), "allowed": allowed}  # noqa: UP031
            }
        )


def render(text: str, values: dict) -> str:
    """Fill a validated template; a placeholder without a value becomes empty."""
    return string.Formatter().vformat(text, (), _Blank(values)).strip()


class _Blank(dict):
    def __missing__(self, key):
        return ""
