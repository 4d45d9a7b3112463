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
    Outcome,
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
    with transaction.atomic():
        building = (
            Building.objects.select_for_update()
            .filter(community=community, address_key=key)
            .first()
        )
        if building is None:
            building = Building.objects.create(
                community=community, address=address, address_key=key, **values
            )
            _event("registry.building.created", actor, at, building=building.pk)
            return Saved(building, "created", {})
        changes = _apply(building, values)
        if not changes:
            return Saved(building, "unchanged", {})
        building.save()
        _event("registry.building.updated", actor, at, building=building.pk, changes=changes)
        return Saved(building, "updated", changes)


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
    with transaction.atomic():
        shop = (
            Shop.objects.select_for_update()
            .filter(community=community, address_key=key, name=name)
            .first()
        )
        if shop is None:
            shop = Shop.objects.create(
                community=community, name=name, address=address, address_key=key, **values
            )
            _event("registry.shop.created", actor, at, shop=shop.pk)
            outcome: Outcome = "created"
            return Saved(shop, outcome, {})
        changes = _apply(shop, values)
        if not changes:
            return Saved(shop, "unchanged", {})
        shop.save()
        _event("registry.shop.updated", actor, at, shop=shop.pk, changes=changes)
        return Saved(shop, "updated", changes)
