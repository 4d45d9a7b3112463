"""Buildings and shops: saved the way households are, idempotent by normalised address.

A building is found by its community and normalised address; a shop by its community,
normalised address and name (several shops share a ground floor). Saving what is already
there changes nothing and writes no event.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianxin.cases.rules import WorkflowError
from lianxin.orgs.models import Unit
from lianxin.registry import rules
from lianxin.registry.actions.registers import (
    Saved,
    _apply,
    _community_and_grid,
    _event,
    _phone,
)
from lianxin.registry.addresses import address_key
from lianxin.registry.models import Building, Shop


def do_save_building(
    *,
    actor,
    community: Unit,
    name: str,
    address: str,
    grid: Unit | None = None,
    kind: str = Building.Kind.BUILDING,
    floors: int | None = None,
    entrances: int | None = None,
    declared_households: int | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    when: dt.datetime | None = None,
) -> Saved:
    """Create the building at `address` in `community`, or bring it up to these values."""
    at = when or timezone.now()
    _community_and_grid(community, grid)
    name, address = (name or "").strip(), (address or "").strip()
    if not name:
        raise WorkflowError("invalid", _("缺少楼栋名称。"))
    if not address:
        raise WorkflowError("invalid", _("缺少地址。"))
    rules.check("keep_places", actor, community=community, grid_id=grid and grid.pk)
    key = address_key(address)
    values = {
        "kind": kind,
        "grid": grid,
        "name": name,
        "floors": floors,
        "entrances": entrances,
        "declared_households": declared_households,
        "latitude": latitude,
        "longitude": longitude,
    }
    return _save_matched(
        Building,
        "building",
        match={"community": community, "address_key": key},
        created={"address": address},
        values=values,
        actor=actor,
        at=at,
    )


def do_save_shop(
    *,
    actor,
    community: Unit,
    name: str,
    address: str,
    grid: Unit | None = None,
    building: Building | None = None,
    operator: str = "",
    phone: str = "",
    trade: str = "",
    when: dt.datetime | None = None,
) -> Saved:
    """Create the shop `name` at `address` in `community`, or bring it up to these values."""
    at = when or timezone.now()
    _community_and_grid(community, grid)
    name, address = (name or "").strip(), (address or "").strip()
    if not name:
        raise WorkflowError("invalid", _("缺少店名。"))
    if not address:
        raise WorkflowError("invalid", _("缺少地址。"))
    rules.check("keep_places", actor, community=community, grid_id=grid and grid.pk)
    key = address_key(address)
    values = {
        "grid": grid,
        "building": building,
        "operator": (operator or "").strip(),
        "phone": _phone(phone),
        "trade": (trade or "").strip(),
        "active": True,
    }
    return _save_matched(
        Shop,
        "shop",
        match={"community": community, "address_key": key, "name": name},
        created={"address": address},
        values=values,
        actor=actor,
        at=at,
    )


def _save_matched(model, noun: str, *, match: dict, created: dict, values: dict, actor, at):
    """Create the row `match` finds none of, or bring the one it finds up to `values`;
    write an event (`registry.<noun>.created/updated`) only for what changed."""
    with transaction.atomic():
        row = model.objects.select_for_update().filter(**match).first()
        if row is None:
            row = model.objects.create(**match, **created, **values)
            _event(f"registry.{noun}.created", actor, at, **{noun: row.pk})
            return Saved(row, "created", {})
        changes = _apply(row, values)
        if not changes:
            return Saved(row, "unchanged", {})
        row.save()
        _event(f"registry.{noun}.updated", actor, at, **{noun: row.pk}, changes=changes)
        return Saved(row, "updated", changes)
