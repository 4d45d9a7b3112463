"""Places to inspect and the campaigns that inspect them: set up by the office."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Actor
from lianxin.cases.access import standing_of
from lianxin.cases.actions.intake import PHONE_RE
from lianxin.errors import WorkflowError
from lianxin.hazards import rules
from lianxin.hazards.actions.common import event, now_or, point, required
from lianxin.hazards.models import Campaign, ChecklistItem, Place, PlaceKind, Topic
from lianxin.orgs.models import Unit
from lianxin.text import clean_text

MAX_ITEMS = 100
MAX_ITEM_POINTS = 100
MAX_WORKING_DAYS = 60


def _require_office(actor: Actor, what) -> None:
    if not rules.is_office(actor):
        raise WorkflowError("forbidden", _("只有连心办可以%(what)s。") % {"what": what})


def may_save_place(actor: Actor, community: Unit) -> bool:
    """The office for any place; a street's or community's staff for places in its area."""
    standing = standing_of(actor)
    if standing.office or standing.admin:
        return True
    return community.pk in standing.community_ids or community.parent_id in standing.street_ids


@dataclass
class Saved:
    place: Place
    created: bool
    changed: bool


def do_save_place(
    *,
    actor: Actor,
    kind: str,
    name: str,
    community: Unit,
    responsible_unit: Unit,
    grid: Unit | None = None,
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    latitude=None,
    longitude=None,
    when: dt.datetime | None = None,
) -> Saved:
    """Register a place, or update the one of the same name in the same community (the
    import's key): saving the same row twice changes nothing the second time."""
    at = now_or(when)
    if kind not in PlaceKind.values:
        raise WorkflowError("invalid_kind", _("检查对象类型无效。"))
    name = required(name, "name", _("单位名称"), 100, one_line=True)
    if community is None or community.kind != Unit.Kind.COMMUNITY:
        raise WorkflowError("invalid_community", _("请选择所在社区/村。"))
    if grid is not None and (grid.kind != Unit.Kind.GRID or grid.parent_id != community.pk):
        raise WorkflowError("invalid_grid", _("网格须属于所选社区/村。"))
    if responsible_unit is None or responsible_unit.kind not in Unit.HANDLING_KINDS:
        raise WorkflowError("invalid_unit", _("请选择有效的责任单位。"))
    if not may_save_place(actor, community):
        raise WorkflowError("forbidden", _("您无权登记该社区的检查对象。"))
    contact_phone = (contact_phone or "").replace(" ", "").strip()
    if contact_phone and not PHONE_RE.match(contact_phone):
        raise WorkflowError("invalid_phone", _("联系电话格式不正确。"))
    located = point(latitude, longitude)
    values = {
        "kind": kind,
        "grid": grid,
        "street_id": community.parent_id,
        "responsible_unit": responsible_unit,
        "address": clean_text(address, one_line=True)[:200],
        "contact_name": clean_text(contact_name, one_line=True)[:50],
        "contact_phone": contact_phone,
        "latitude": located[0] if located else None,
        "longitude": located[1] if located else None,
    }
    unit_id = min(rules.unit_ids(actor), default=None)
    with transaction.atomic():
        place = Place.objects.select_for_update().filter(community=community, name=name).first()
        if place is None:
            place = Place.objects.create(community=community, name=name, created_at=at, **values)
            event("hazards.place.created", actor=actor, unit_id=unit_id, at=at, name=name)
            return Saved(place, True, True)
        changed = [field for field, value in values.items() if getattr(place, field) != value]
        if not changed:
            return Saved(place, False, False)
        for field in changed:
            setattr(place, field, values[field])
        place.save(update_fields=changed)
        event(
            "hazards.place.updated", actor=actor, unit_id=unit_id, at=at, name=name, fields=changed
        )
        return Saved(place, False, True)


def _items(items: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    cleaned = []
    for raw_text, points in items:
        item_text = clean_text(raw_text, one_line=True)
        if not item_text:
            continue
        if not isinstance(points, int) or not 0 < points <= MAX_ITEM_POINTS:
            raise WorkflowError(
                "invalid_points",
                _("检查项“%(item)s”的分值须在1到%(n)d之间。")
                % {"item": item_text[:20], "n": MAX_ITEM_POINTS},
            )
        cleaned.append((item_text[:200], points))
    if not cleaned:
        raise WorkflowError("items_required", _("请至少填写一个检查项。"))
    if len(cleaned) > MAX_ITEMS:
        raise WorkflowError("too_many_items", _("检查项不能超过%(n)d个。") % {"n": MAX_ITEMS})
    return cleaned


def do_create_campaign(
    *,
    actor: Actor,
    name: str,
    topic: str,
    starts_on: dt.date,
    ends_on: dt.date,
    group_units: Iterable[Unit],
    items: Iterable[tuple[str, int]],
    places: Iterable[Place] = (),
    rectify_working_days: int = 10,
    when: dt.datetime | None = None,
) -> Campaign:
    """A campaign with its checklist, inspection group and places (the office's)."""
    at = now_or(when)
    _require_office(actor, _("组织专项检查"))
    name = required(name, "name", _("专项名称"), 100, one_line=True)
    if topic not in Topic.values:
        raise WorkflowError("invalid_topic", _("专项类别无效。"))
    if not isinstance(starts_on, dt.date) or not isinstance(ends_on, dt.date):
        raise WorkflowError("invalid_period", _("请填写检查期间。"))
    if ends_on < starts_on:
        raise WorkflowError("invalid_period", _("结束日期不能早于开始日期。"))
    if not 1 <= rectify_working_days <= MAX_WORKING_DAYS:
        raise WorkflowError(
            "invalid_days", _("整改期限须在1到%(n)d个工作日之间。") % {"n": MAX_WORKING_DAYS}
        )
    units = [unit for unit in group_units if unit is not None]
    if not units or any(unit.kind not in Unit.HANDLING_KINDS for unit in units):
        raise WorkflowError("invalid_group", _("请从部门、街道、社区中选择检查组成员单位。"))
    checklist = _items(items)
    standing = standing_of(actor)
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name,
            topic=topic,
            starts_on=starts_on,
            ends_on=ends_on,
            rectify_working_days=rectify_working_days,
            created_by=actor if actor is not None and actor.is_authenticated else None,
            created_at=at,
        )
        campaign.group_units.set(units)
        ChecklistItem.objects.bulk_create(
            ChecklistItem(campaign=campaign, order=n, text=item_text, points=points)
            for n, (item_text, points) in enumerate(checklist, start=1)
        )
        campaign.places.set(list(places))
        event(
            "hazards.campaign.created",
            actor=actor,
            unit_id=standing.office_unit_id,
            at=at,
            campaign=campaign,
            units=[unit.pk for unit in units],
            items=len(checklist),
        )
    return campaign


def do_add_campaign_places(
    campaign: Campaign, *, actor: Actor, places: Iterable[Place], when: dt.datetime | None = None
) -> int:
    """Put more places in a campaign's scope; returns how many were new to it."""
    at = now_or(when)
    _require_office(actor, _("调整检查对象"))
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        have = set(campaign.places.values_list("pk", flat=True))
        fresh = [place for place in places if place.pk not in have]
        if fresh:
            campaign.places.add(*fresh)
            event(
                "hazards.campaign.places_added",
                actor=actor,
                unit_id=standing_of(actor).office_unit_id,
                at=at,
                campaign=campaign,
                places=[place.pk for place in fresh],
            )
    return len(fresh)
