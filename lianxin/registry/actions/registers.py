"""Cadres and their pairs, and what every save action shares.

The save actions are idempotent by design, because imports call them row by row: a
household is found by its community and normalised address (`households.py`), a cadre by
his phone (or his name within his employer), a pair by its code. Saving what is already
there changes nothing and writes no event; saving a difference writes the difference.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, Literal, TypeVar

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianxin.cases.actions.intake import PHONE_RE
from lianxin.cases.rules import WorkflowError
from lianxin.orgs.models import Unit
from lianxin.registry import coverage_tally, rules
from lianxin.registry.models import (
    Building,
    Cadre,
    Household,
    Pair,
    PairMember,
    RegistryEvent,
)

Outcome = Literal["created", "updated", "unchanged"]
_Row = TypeVar("_Row")


@dataclass(frozen=True)
class Saved(Generic[_Row]):
    """What a save action did: the row, and whether it was created, updated or unchanged."""

    row: _Row
    outcome: Outcome
    changes: dict[str, Any]


def _event(code: str, actor, at, *, household=None, pair=None, **data) -> None:
    RegistryEvent.objects.create(
        code=code, actor=actor, at=at, household=household, pair=pair, data=data
    )


def _apply(row, values: dict) -> dict:
    """Set `values` on `row`; return {field: [old, new]} for what differed."""
    changes = {}
    for name, new in values.items():
        if isinstance(new, models.Model) or (new is None and _is_foreign_key(row, name)):
            # Compare ids: reading the old related row would cost a query per save.
            old_id, new_id = getattr(row, f"{name}_id"), new and new.pk
            if old_id != new_id:
                changes[name] = [old_id, new_id]
                setattr(row, name, new)
            continue
        old = getattr(row, name)
        if old != new:
            changes[name] = [_plain(old), _plain(new)]
            setattr(row, name, new)
    return changes


def _is_foreign_key(row, name: str) -> bool:
    return row._meta.get_field(name).is_relation


def _plain(value):
    if isinstance(value, (Unit, Building, Pair)):
        return value.pk
    if isinstance(value, Decimal):
        return str(value)  # a building's point; an event's data is JSON
    return value


def _phone(phone: str) -> str:
    phone = (phone or "").strip().replace(" ", "")
    if phone and not PHONE_RE.match(phone):
        raise WorkflowError("invalid", _("电话号码格式不正确：%(phone)s") % {"phone": phone})
    return phone


def _community_and_grid(community: Unit, grid: Unit | None) -> None:
    if community.kind != Unit.Kind.COMMUNITY:
        raise WorkflowError("invalid", _("“%(unit)s”不是社区/村。") % {"unit": community})
    if grid is not None and grid.parent_id != community.pk:
        raise WorkflowError(
            "invalid",
            _("网格“%(grid)s”不属于“%(community)s”。") % {"grid": grid, "community": community},
        )


def do_save_cadre(
    *,
    actor,
    name: str,
    employer: Unit,
    phone: str = "",
    party_member: bool = False,
    local: bool = True,
    experienced: bool = False,
    user=None,
    when: dt.datetime | None = None,
) -> Saved[Cadre]:
    """Create or update a cadre, found by phone, or by name within his employer."""
    at = when or timezone.now()
    name = (name or "").strip()
    if not name:
        raise WorkflowError("invalid", _("缺少干部姓名。"))
    phone = _phone(phone)
    rules.check("keep_pairs", actor, community=_community_of(employer))
    values = {
        "name": name,
        "employer": employer,
        "phone": phone,
        "party_member": party_member,
        "local": local,
        "experienced": experienced,
        "active": True,
    }
    if user is not None:
        values["user"] = user
    with transaction.atomic():
        found = Cadre.objects.select_for_update()
        cadre = (
            found.filter(phone=phone).first()
            if phone
            else found.filter(name=name, employer=employer).first()
        )
        if cadre is None:
            cadre = Cadre.objects.create(**values)
            _event("registry.cadre.created", actor, at, cadre=cadre.pk)
            return Saved(cadre, "created", {})
        changes = _apply(cadre, values)
        if not changes:
            return Saved(cadre, "unchanged", {})
        cadre.save()
        _event("registry.cadre.updated", actor, at, cadre=cadre.pk, changes=changes)
        return Saved(cadre, "updated", changes)


def _community_of(unit: Unit) -> Unit | None:
    """The community a cadre's employer sits in, if it is a community or a grid."""
    if unit.kind == Unit.Kind.COMMUNITY:
        return unit
    if unit.kind == Unit.Kind.GRID:
        return unit.parent
    return None


def do_save_pair(
    *, actor, code: str, community: Unit, cadres: list[Cadre], when: dt.datetime | None = None
) -> Saved[Pair]:
    """Create the pair `code` of these cadres, or replace the members who changed.

    A pair has two cadres; a pair of one is allowed while a replacement is found (the
    warnings say so). A cadre already in another pair is moved, and that pair keeps its
    history.
    """
    at = when or timezone.now()
    code = (code or "").strip()
    if not code:
        raise WorkflowError("invalid", _("缺少联户组编号。"))
    if not 1 <= len(cadres) <= 2 or len({c.pk for c in cadres}) != len(cadres):
        raise WorkflowError("invalid", _("联户组由两名不同的干部组成。"))
    _community_and_grid(community, None)
    rules.check("keep_pairs", actor, community=community)
    today = timezone.localdate(at)
    with transaction.atomic():
        pair = Pair.objects.select_for_update().filter(code=code).first()
        created = pair is None
        if pair is None:
            pair = Pair.objects.create(code=code, community=community)
            _event("registry.pair.created", actor, at, pair=pair)
        elif pair.community_id != community.pk:
            pair.community = community
            pair.save(update_fields=["community"])
        current = {m.cadre_id: m for m in pair.memberships.filter(until__isnull=True)}
        wanted = {c.pk for c in cadres}
        changes: dict[str, list[int]] = {}
        for cadre_id, member in current.items():
            if cadre_id not in wanted:
                member.until = today
                member.save(update_fields=["until"])
                changes.setdefault("left", []).append(cadre_id)
        for cadre in cadres:
            if cadre.pk in current:
                continue
            PairMember.objects.filter(cadre=cadre, until__isnull=True).update(until=today)
            PairMember.objects.create(pair=pair, cadre=cadre, since=today)
            changes.setdefault("joined", []).append(cadre.pk)
        if changes and not created:
            _event("registry.pair.members_changed", actor, at, pair=pair, **changes)
    outcome: Outcome = "created" if created else ("updated" if changes else "unchanged")
    return Saved(pair, outcome, changes)


def do_replace_pair_member(
    pair: Pair, *, actor, leaving: Cadre, joining: Cadre, when: dt.datetime | None = None
) -> Pair:
    """A cadre who moves on is replaced; the pair keeps its households and history."""
    current = list(pair.memberships.filter(until__isnull=True).select_related("cadre"))
    if leaving.pk not in {m.cadre_id for m in current}:
        raise WorkflowError("invalid", _("%(cadre)s不在该联户组中。") % {"cadre": leaving})
    cadres = [m.cadre for m in current if m.cadre_id != leaving.pk] + [joining]
    return do_save_pair(
        actor=actor, code=pair.code, community=pair.community, cadres=cadres, when=when
    ).row


def do_assign_household_to_pair(
    household: Household, *, actor, pair: Pair | None, when: dt.datetime | None = None
) -> Household:
    at = when or timezone.now()
    rules.check_household("keep_pairs", actor, household)
    if pair is not None and pair.community_id != household.community_id:
        raise WorkflowError("invalid", _("联户组与住户不在同一社区。"))
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=household.pk)
        if household.pair_id == (pair and pair.pk):
            return household
        old = household.pair_id
        before = coverage_tally.household_cell(household)
        household.pair = pair
        household.updated_at = at
        household.save(update_fields=["pair", "updated_at"])
        coverage_tally.moved(household.pk, before, coverage_tally.household_cell(household))
        _event(
            "registry.household.pair_assigned",
            actor,
            at,
            household=household,
            changes={"pair": [old, pair and pair.pk]},
        )
    return household


def pair_warnings(pair: Pair, cadres: list[Cadre] | None = None) -> list[str]:
    """The pairing rules the articles name, checked and flagged, not enforced:
    党员带非党, 老带新, 当地带外地.

    A list of pairs passes each pair's current cadres (prefetched), saving a query a pair.
    """
    if cadres is None:
        current = pair.memberships.filter(until__isnull=True).select_related("cadre")
        cadres = [m.cadre for m in current]
    warnings = []
    if len(cadres) < 2:
        warnings.append(str(_("联户组不足两人。")))
    if cadres and not any(c.party_member for c in cadres):
        warnings.append(str(_("组内没有党员（党员带非党）。")))
    if cadres and not any(c.experienced for c in cadres):
        warnings.append(str(_("组内没有有经验的干部（老带新）。")))
    if cadres and not any(c.local for c in cadres):
        warnings.append(str(_("组内没有本地干部（当地带外地）。")))
    return warnings
