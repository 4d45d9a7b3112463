"""Households with their residents: saved one at a time, or a chunk of an import at once.

`do_save_household` (a page, a test, the demo) and `do_save_households` (an import's chunk)
are one code path: the single save is a chunk of one. A household is found by its
community and normalised address; saving what is already there changes nothing and writes
no event, saving a difference writes the difference and one event with it.

1. Each row is checked on its own (`_checked`: the values, the actor's right in that
   community, the residents' tags); a row that fails comes back as its WorkflowError and
   the other rows go on.
2. The chunk's households already in the register are read and locked in one query, the
   residents of those whose members are listed, and their tags, in two more.
3. Each row is compared with the register in the chunk's order, in memory (`_Chunk.save`):
   a household met twice in one chunk is compared the second time with what the first
   made of it, as though it had been saved in between.
4. What differs is written with bulk_create/bulk_update, in `_Chunk.write`, the one place
   a household's row, its residents and its events are written.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianxin.cases.rules import WorkflowError
from lianxin.orgs.models import DistrictSettings, Unit
from lianxin.registry import coverage_tally, idnumbers, rules
from lianxin.registry.actions.registers import Outcome, Saved, _apply, _community_and_grid, _phone
from lianxin.registry.addresses import address_key
from lianxin.registry.models import Building, Household, RegistryEvent, Resident, Tag

# The household's own columns an import may change (its address as first written stays,
# and its pair is kept by `do_assign_household_to_pair`).
SAVED_FIELDS = [
    "kind",
    "grid",
    "building",
    "entrance",
    "room",
    "head_name",
    "phone",
    "member_count",
    "note",
    "active",
    "updated_at",
]
RESIDENT_FIELDS = ["relation", "birth_year", "phone", "active", "id_number_encrypted"]
_Place = tuple[int, str]  # (community id, address key): a household's identity


@dataclass
class HouseholdRow:
    """What a row of a list (or a form) says of one household.

    `residents`, when given, is the whole list of members ({name, relation, birth_year,
    phone, tags: [tag codes or names]}): members are matched by name, and a member no
    longer listed is marked as moved out, not deleted (his visits and cases keep their
    history). None leaves the members as they are.
    """

    community: Unit
    address: str
    head_name: str
    phone: str = ""
    member_count: int = 1
    grid: Unit | None = None
    building: Building | None = None
    kind: str = Household.Kind.URBAN
    entrance: str = ""
    room: str = ""
    note: str = ""
    residents: list[dict] | None = None


def do_save_household(
    *,
    actor,
    community: Unit,
    address: str,
    head_name: str,
    phone: str = "",
    member_count: int = 1,
    grid: Unit | None = None,
    building: Building | None = None,
    kind: str = Household.Kind.URBAN,
    entrance: str = "",
    room: str = "",
    note: str = "",
    residents: list[dict] | None = None,
    when: dt.datetime | None = None,
) -> Saved[Household]:
    """Create the household at `address` in `community`, or bring it up to these values
    (see `HouseholdRow` for `residents`)."""
    row = HouseholdRow(
        community=community,
        address=address,
        head_name=head_name,
        phone=phone,
        member_count=member_count,
        grid=grid,
        building=building,
        kind=kind,
        entrance=entrance,
        room=room,
        note=note,
        residents=residents,
    )
    (saved,) = do_save_households([row], actor=actor, when=when)
    if isinstance(saved, WorkflowError):
        raise saved
    return saved


def do_save_households(
    rows: Sequence[HouseholdRow], *, actor, when: dt.datetime | None = None
) -> list[Saved[Household] | WorkflowError]:
    """Save a chunk of households in one transaction; for each row, what was done or why
    it was refused (a refused row writes nothing, the others go in).

    The chunk is read with a handful of queries whatever its size; keep it to a few
    hundred rows (an import's chunk), since the rows' keys go into IN lists.
    """
    at = when or timezone.now()
    tags = _tags_by_label()
    id_numbers_on = DistrictSettings.load().id_numbers_enabled
    rights: dict = {}
    checked: list[_Checked | WorkflowError] = []
    for row in rows:
        try:
            checked.append(
                _checked(row, actor=actor, tags=tags, rights=rights, id_numbers_on=id_numbers_on)
            )
        except WorkflowError as error:
            checked.append(error)
    with transaction.atomic():
        chunk = _Chunk(at, actor)
        chunk.read([c for c in checked if isinstance(c, _Checked)])
        # The coverage tally counts the chunk's households before and after its writes,
        # in its transaction, so that the tally and the register commit together.
        existing = [household.pk for household in chunk.households.values()]
        with coverage_tally.recounting(existing) as recount:
            results = [c if isinstance(c, WorkflowError) else chunk.save(c) for c in checked]
            chunk.write()
            recount.add(household.pk for household in chunk.created)
    return results


@dataclass(frozen=True)
class _Member:
    name: str
    values: dict
    tag_ids: frozenset[int]
    # Checked, in the clear: "" when the list gives none (the stored number then stays).
    id_number: str = ""


@dataclass(frozen=True)
class _Checked:
    community: Unit
    key: str
    values: dict
    members: list[_Member] | None

    @property
    def place(self) -> _Place:
        return (self.community.pk, self.key)


def _tags_by_label() -> dict[str, int]:
    """Tag ids by code and by name: a list may give either."""
    found: dict[str, int] = {}
    for pk, code, name in Tag.objects.values_list("pk", "code", "name"):
        found[code] = found[name] = pk
    return found


def _checked(
    row: HouseholdRow, *, actor, tags: dict[str, int], rights: dict, id_numbers_on: bool
) -> "_Checked":
    """The row's values as they will be saved; raise WorkflowError for the first problem."""
    _community_and_grid(row.community, row.grid)
    address = (row.address or "").strip()
    head_name = (row.head_name or "").strip()
    if not address:
        raise WorkflowError("invalid", _("缺少地址。"))
    if not head_name:
        raise WorkflowError("invalid", _("缺少户主姓名。"))
    count = row.member_count
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise WorkflowError("invalid", _("人口必须是不小于1的整数。"))
    # The right depends only on the place here (no pair), so a chunk asks once a place.
    place = (row.community.pk, row.grid and row.grid.pk)
    if place not in rights:
        try:
            rules.check("keep_household", actor, community=row.community, grid_id=place[1])
            rights[place] = None
        except WorkflowError as error:
            rights[place] = error
    if rights[place] is not None:
        raise rights[place]
    values = {
        "kind": row.kind,
        "grid": row.grid,
        "building": row.building,
        "address": address,
        "entrance": row.entrance,
        "room": row.room,
        "head_name": head_name,
        "phone": _phone(row.phone),
        "member_count": count,
        "note": row.note,
        "active": True,
    }
    _fit(Household, values)
    members = None if row.residents is None else _members(row.residents, tags, id_numbers_on)
    return _Checked(row.community, address_key(address), values, members)


def _members(listed: list[dict], tags: dict[str, int], id_numbers_on: bool) -> list[_Member]:
    members, seen = [], set()
    for entry in listed:
        name = (entry.get("name") or "").strip()
        if not name or name in seen:
            continue
        seen.add(name)
        tag_ids = set()
        for label in entry.get("tags") or ():
            if label not in tags:
                raise WorkflowError("invalid", _("未知的人员标签：%(tag)s") % {"tag": label})
            tag_ids.add(tags[label])
        values = {
            "relation": entry.get("relation") or Resident.Relation.OTHER,
            "birth_year": entry.get("birth_year"),
            "phone": _phone(entry.get("phone", "")),
            "active": True,
        }
        _fit(Resident, {"name": name})
        id_number = _id_number(name, entry.get("id_number"), id_numbers_on)
        members.append(_Member(name, values, frozenset(tag_ids), id_number))
    return members


def _id_number(name: str, value, id_numbers_on: bool) -> str:
    """The member's identity number checked, or "" if none was given; refused where the
    district has not turned the field on."""
    if not (value or "").strip():
        return ""
    if not id_numbers_on:
        raise WorkflowError(
            "invalid", _("本区未开启身份证号登记，不能保存%(name)s的身份证号。") % {"name": name}
        )
    try:
        return idnumbers.clean(value)
    except idnumbers.BadIdNumber as bad:
        raise WorkflowError(
            "invalid",
            _("%(name)s的身份证号有误：%(reason)s") % {"name": name, "reason": bad.message},
        ) from None


def _fit(model, values: dict) -> None:
    """Refuse text longer than its column: the database would refuse the whole chunk."""
    for name, value in values.items():
        limit = getattr(model._meta.get_field(name), "max_length", None)
        if limit and isinstance(value, str) and len(value) > limit:
            raise WorkflowError(
                "invalid",
                _("“%(value)s”超过%(field)s的长度上限（%(limit)d字）。")
                % {
                    "value": value,
                    "field": model._meta.get_field(name).verbose_name,
                    "limit": limit,
                },
            )


@dataclass
class _Chunk:
    """What one chunk finds in the register, what it makes of it, and the writing of it."""

    at: dt.datetime
    actor: Any
    households: dict[_Place, Household] = field(default_factory=dict)
    members: dict[_Place, dict[str, Resident]] = field(default_factory=dict)
    tags: dict[tuple[_Place, str], frozenset[int]] = field(default_factory=dict)
    created: list[Household] = field(default_factory=list)
    changed: dict[int, Household] = field(default_factory=dict)
    new_members: list[tuple[_Place, Resident]] = field(default_factory=list)
    changed_members: dict[int, Resident] = field(default_factory=dict)
    retagged: dict[int, tuple[_Place, str]] = field(default_factory=dict)
    events: list[RegistryEvent] = field(default_factory=list)

    def read(self, checked: list[_Checked]) -> None:
        places = {c.place for c in checked}
        if not places:
            return
        found = Household.objects.select_for_update().filter(
            community_id__in={p[0] for p in places}, address_key__in={p[1] for p in places}
        )
        for household in found.order_by("pk"):
            place = (household.community_id, household.address_key)
            if place in places:
                self.households[place] = household
        listed = {c.place for c in checked if c.members is not None}
        place_of = {h.pk: p for p, h in self.households.items() if p in listed}
        by_pk: dict[int, tuple[_Place, str]] = {}
        residents = Resident.objects.filter(household_id__in=place_of).order_by("pk")
        for resident in residents:
            place = place_of[resident.household_id]
            # Two residents of one name: the later one stands for the name, as it always has.
            self.members.setdefault(place, {})[resident.name] = resident
            by_pk[resident.pk] = (place, resident.name)
            self.tags[(place, resident.name)] = frozenset()
        tagged: dict[int, set[int]] = {}
        through = Resident.tags.through.objects.filter(resident_id__in=by_pk)
        for resident_id, tag_id in through.values_list("resident_id", "tag_id"):
            tagged.setdefault(resident_id, set()).add(tag_id)
        for place, members in self.members.items():
            for name, resident in members.items():
                self.tags[(place, name)] = frozenset(tagged.get(resident.pk, ()))

    def save(self, checked: _Checked) -> Saved[Household]:
        place, values = checked.place, dict(checked.values)
        household = self.households.get(place)
        changes: dict = {}
        outcome: Outcome
        if household is None:
            household = Household(
                community=checked.community,
                address_key=checked.key,
                created_at=self.at,
                updated_at=self.at,
                **values,
            )
            self.households[place] = household
            self.created.append(household)
            self._event("registry.household.created", household, {})
            outcome = "created"
        else:
            # The address as first written stays: another spelling of it is no change.
            values.pop("address")
            changes = _apply(household, values)
            outcome = "updated" if changes else "unchanged"
        if checked.members is not None:
            member_changes = self._save_members(place, household, checked.members)
            if member_changes:
                changes["residents"] = member_changes
                outcome = "updated" if outcome == "unchanged" else outcome
        if outcome == "updated":
            household.updated_at = self.at
            if household.pk is not None:
                self.changed[household.pk] = household
            self._event("registry.household.updated", household, {"changes": changes})
        return Saved(household, outcome, changes)

    def _save_members(self, place: _Place, household: Household, listed: list[_Member]):
        """Bring the household's members to `listed`; return a line per change."""
        existing = self.members.setdefault(place, {})
        changes, seen = [], set()
        for member in listed:
            seen.add(member.name)
            resident = existing.get(member.name)
            if resident is None:
                resident = Resident(household=household, name=member.name, **member.values)
                if member.id_number:
                    resident.id_number_encrypted = idnumbers.encrypt(member.id_number)
                existing[member.name] = resident
                self.tags[(place, member.name)] = member.tag_ids
                self.new_members.append((place, resident))
                changes.append(f"+{member.name}")
                continue
            differs = _apply(resident, member.values)
            # Encrypted afresh each time, so compared in the clear; a list without the
            # column leaves the stored number as it is.
            if member.id_number and idnumbers.decrypt(resident.id_number_encrypted) != (
                member.id_number
            ):
                resident.id_number_encrypted = idnumbers.encrypt(member.id_number)
                differs["id_number"] = True
            if differs and resident.pk is not None:
                self.changed_members[resident.pk] = resident
            if self.tags[(place, member.name)] != member.tag_ids:
                self.tags[(place, member.name)] = member.tag_ids
                if resident.pk is not None:
                    self.retagged[resident.pk] = (place, member.name)
                differs["tags"] = True
            if differs:
                changes.append(f"~{member.name}")
        for name, resident in existing.items():
            if name not in seen and resident.active:
                resident.active = False
                if resident.pk is not None:
                    self.changed_members[resident.pk] = resident
                changes.append(f"-{name}")
        return changes

    def _event(self, code: str, household: Household, data: dict) -> None:
        # The household may not have its id yet: bulk_create below takes it once it has.
        self.events.append(
            RegistryEvent(code=code, actor=self.actor, at=self.at, household=household, data=data)
        )

    def write(self) -> None:
        """Every write of a chunk of households, in one place."""
        Household.objects.bulk_create(self.created)
        if self.changed:
            Household.objects.bulk_update(list(self.changed.values()), SAVED_FIELDS)
        Resident.objects.bulk_create([resident for _place, resident in self.new_members])
        if self.changed_members:
            Resident.objects.bulk_update(list(self.changed_members.values()), RESIDENT_FIELDS)
        Through = Resident.tags.through
        if self.retagged:
            Through.objects.filter(resident_id__in=self.retagged).delete()
        tagged = [(r.pk, self.tags[(place, r.name)]) for place, r in self.new_members]
        tagged += [(pk, self.tags[key]) for pk, key in self.retagged.items()]
        Through.objects.bulk_create(
            Through(resident_id=pk, tag_id=tag_id) for pk, tag_ids in tagged for tag_id in tag_ids
        )
        RegistryEvent.objects.bulk_create(self.events)
