"""Corrections to a household's data: proposed by those who visit, decided by its community.

A visit finds that the phone changed or a member moved away; the cadre proposes the
change, the community (or the office) approves or rejects it, and an approved change is
applied the way a save is and kept in the household's history.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianxin.cases.rules import WorkflowError
from lianxin.registry import coverage_tally, rules
from lianxin.registry.actions.registers import _apply, _event, _phone
from lianxin.registry.models import Household, HouseholdCorrection, Visit

# What a correction may change; the address is the household's identity and is not one.
CORRECTABLE = {
    "head_name": _("户主"),
    "phone": _("联系电话"),
    "member_count": _("人口"),
    "entrance": _("单元/组"),
    "room": _("室/门牌号"),
    "note": _("备注"),
    "active": _("在册"),
}


def _clean(field: str, value):
    if field not in CORRECTABLE:
        raise WorkflowError("invalid", _("“%(field)s”不能通过更正修改。") % {"field": field})
    if field == "phone":
        return _phone(str(value or ""))
    if field == "member_count":
        try:
            number = int(str(value))
        except ValueError:
            number = 0
        if number < 1:
            raise WorkflowError("invalid", _("人口必须是不小于1的整数。"))
        return number
    if field == "active":
        return bool(value)
    value = str(value or "").strip()
    if field == "head_name" and not value:
        raise WorkflowError("invalid", _("缺少户主姓名。"))
    return value


def do_propose_correction(
    household: Household,
    *,
    actor,
    changes: dict,
    visit: Visit | None = None,
    reason: str = "",
    when: dt.datetime | None = None,
) -> HouseholdCorrection:
    """Propose new values ({field: new value}) for the household; the community decides."""
    at = when or timezone.now()
    rules.check_household("propose_correction", actor, household)
    proposed = {}
    for field, new in changes.items():
        new = _clean(field, new)
        old = getattr(household, field)
        if old != new:
            proposed[field] = [old, new]
    if not proposed:
        raise WorkflowError("invalid", _("更正内容与现有信息相同。"))
    with transaction.atomic():
        correction = HouseholdCorrection.objects.create(
            household=household,
            visit=visit,
            changes=proposed,
            proposed_by=actor,
            proposed_at=at,
            reason=reason.strip()[:200],
        )
        _event(
            "registry.correction.proposed",
            actor,
            at,
            household=household,
            correction=correction.pk,
            changes=proposed,
        )
    return correction


def do_decide_correction(
    correction: HouseholdCorrection,
    *,
    actor,
    approve: bool,
    reason: str = "",
    when: dt.datetime | None = None,
) -> HouseholdCorrection:
    """Approve (and apply) or reject a proposed correction, once."""
    at = when or timezone.now()
    rules.check_household("decide_correction", actor, correction.household)
    with transaction.atomic():
        correction = HouseholdCorrection.objects.select_for_update().get(pk=correction.pk)
        if correction.status != HouseholdCorrection.Status.PROPOSED:
            raise WorkflowError("conflict", _("该更正已审核。"))
        correction.status = (
            HouseholdCorrection.Status.APPROVED if approve else HouseholdCorrection.Status.REJECTED
        )
        correction.decided_by, correction.decided_at = actor, at
        if reason.strip():
            correction.reason = reason.strip()[:200]
        correction.save(update_fields=["status", "decided_by", "decided_at", "reason"])
        household = Household.objects.select_for_update().get(pk=correction.household_id)
        applied = {}
        if approve:
            values = {
                field: _clean(field, new) for field, (_old, new) in correction.changes.items()
            }
            before = coverage_tally.household_cell(household)
            applied = _apply(household, values)
            if applied:
                household.updated_at = at
                household.save(update_fields=[*applied, "updated_at"])
                # Moved away (or back): its visits and dues leave the figures with it.
                coverage_tally.moved(household.pk, before, coverage_tally.household_cell(household))
        _event(
            "registry.household.corrected" if approve else "registry.correction.rejected",
            actor,
            at,
            household=household,
            correction=correction.pk,
            changes=applied,
        )
    return correction
