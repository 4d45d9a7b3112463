"""Residents saying "me too" (附议) instead of filing the same problem again, and the office
linking two cases that are related but not the same."""

import datetime as dt
import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Actor
from lianxin.cases.access import is_staff
from lianxin.cases.actions.common import lock_case, now_or, record
from lianxin.cases.actions.intake import PHONE_RE
from lianxin.cases.models import Case, CaseSupport
from lianxin.cases.rules import BEFORE_RESOLUTION, WorkflowError, check
from lianxin.text import clean_text

# Supporting is open to anyone, visitors included, so it has no row in the RULES table
# (whose rows are the staff pages' actions, each with a workbench handler): while the
# problem is still being worked on, before it is reported solved.
SUPPORTABLE = BEFORE_RESOLUTION
SUPPORT_LABEL = _("附议")


@transaction.atomic
def do_support_case(
    case: Case,
    *,
    actor: Actor,
    phone: str = "",
    comment: str = "",
    when: dt.datetime | None = None,
) -> CaseSupport:
    """Add one resident's support to an open case: `support_count` + 1 and a public event.

    Anyone may support, as on the public submit page: a signed-in resident (his account
    counts once), or a visitor who leaves a phone number (the number counts once). Staff
    do not support; they merge or link. The case's own resident cannot support it.
    """
    case = lock_case(case)
    if case.status not in SUPPORTABLE:
        raise WorkflowError(
            "invalid_transition",
            _("诉求当前状态为“%(status)s”，不能执行“%(action)s”。")
            % {"status": case.get_status_display(), "action": SUPPORT_LABEL},
        )
    resident = None
    if actor is not None and actor.is_authenticated:
        if is_staff(actor):
            raise WorkflowError("forbidden", _("工作人员不能附议，请使用合并或关联。"))
        resident = actor
    phone = re.sub(r"\s", "", phone or "") or (resident.phone if resident is not None else "")
    if not phone and resident is None:
        raise WorkflowError("phone_required", _("请填写手机号，以便办理结果告知您。"))
    if phone and not PHONE_RE.match(phone):
        raise WorkflowError(
            "invalid_phone", _("联系电话格式不正确，请填写11位手机号或带区号的固话。")
        )
    comment = clean_text(comment)
    if len(comment) > 500:
        raise WorkflowError("comment_too_long", _("补充说明不能超过500个字。"))
    own = (resident is not None and case.resident_id == resident.pk) or (
        phone and phone == case.resident_phone
    )
    if own:
        raise WorkflowError("own_case", _("这是您本人反映的诉求，无需附议。"))
    already = CaseSupport.objects.filter(case=case)
    if (resident is not None and already.filter(resident=resident).exists()) or (
        phone and already.filter(phone=phone).exists()
    ):
        raise WorkflowError("already_supported", _("您已附议过该诉求，每人只能附议一次。"))
    at = now_or(when)
    try:
        with transaction.atomic():  # a savepoint: the refusal below must leave nothing
            support = CaseSupport.objects.create(
                case=case, resident=resident, phone=phone, comment=comment, at=at
            )
    except IntegrityError:  # the same person, twice at once: the row lock makes this rare
        raise WorkflowError(
            "already_supported", _("您已附议过该诉求，每人只能附议一次。")
        ) from None
    case.support_count += 1
    case.save(update_fields=["support_count"])
    record(
        case,
        "cases.case.supported",
        actor=resident,
        unit_id=None,
        at=at,
        from_status=case.status,
        public=True,
        data={"support": support.pk, "count": case.support_count},
    )
    return support


@transaction.atomic
def do_link_cases(
    case: Case, *, actor: Actor, other: Case, note: str = "", when: dt.datetime | None = None
) -> Case:
    """Mark two open cases as related (the same place, a similar problem) without merging:
    each keeps its own handling, and each timeline points at the other. Linking is the
    lesser sibling of merging, so it takes the merge rule's right: the office, while the
    cases are still being handled."""
    first, second = sorted([case.pk, other.pk])
    locked = {pk: lock_case(pk) for pk in (first, second)}  # in pk order: no deadlock
    case, other = locked[case.pk], locked[other.pk]
    acting_unit = check("merge", actor, case)
    check("merge", actor, other)
    if case.pk == other.pk:
        raise WorkflowError("link_to_self", _("不能把诉求关联到它自己。"))
    at = now_or(when)
    note = clean_text(note)
    for one, another in ((case, other), (other, case)):
        record(
            one,
            "cases.case.linked",
            actor=actor,
            unit_id=acting_unit,
            at=at,
            from_status=one.status,
            note=note or another.tracking_number,
            data={"linked": another.pk},
        )
    return case
