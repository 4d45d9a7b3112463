"""The unit picker on the case page: ~250 units, grouped as a seat thinks of them.

A plain list of every unit with the first one selected made a careless submit
dispatch to a community. The picker starts empty, puts the category's unit and the
units this person chose lately first, and groups the rest by kind; the page's
script adds a filter box (by name or code, e.g. "cgj" for 城管局).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from lianxin.orgs.models import Unit

RECENT_SESSION_KEY = "workbench.recent_units"
RECENT_KEPT = 6

# In the order a dispatcher reaches for them.
GROUPS = [
    ("department", _("职能部门")),
    ("enterprise", _("公共企业")),
    ("street", _("街镇")),
    ("community", _("社区")),
    ("grid", _("网格")),
]


@dataclass(frozen=True)
class PickerUnit:
    pk: int
    name: str  # with its parents for communities and grids: names repeat across streets
    code: str
    group: str


def group_of(unit: Unit) -> str:
    if unit.kind == Unit.Kind.DEPARTMENT:
        return "enterprise" if unit.public_enterprise else "department"
    return str(unit.kind)


def picker_units() -> list[PickerUnit]:
    units = Unit.objects.handling().select_related("parent__parent").order_by("sort_order", "pk")
    found = []
    for unit in units:
        name = unit.name
        if unit.kind in (Unit.Kind.COMMUNITY, Unit.Kind.GRID) and unit.parent:
            name = f"{unit.parent.name} {unit.name}"
        found.append(PickerUnit(unit.pk, name, unit.code, group_of(unit)))
    return found


def picker_groups(
    units: list[PickerUnit], *, suggested: int | None = None, recent: Sequence[int] = ()
) -> list[tuple[str, list[PickerUnit]]]:
    """The option groups: 推荐 (the category's unit, then recent ones), then each kind."""
    by_pk = {unit.pk: unit for unit in units}
    first = [pk for pk in [suggested, *recent] if pk in by_pk]
    groups = []
    if first:
        groups.append((str(_("推荐")), [by_pk[pk] for pk in dict.fromkeys(first)]))
    for key, label in GROUPS:
        members = [unit for unit in units if unit.group == key]
        if members:
            groups.append((str(label), members))
    return groups


def remember_units(session, unit_pks: list[int]) -> None:
    """Put the units just chosen at the head of this person's recent list."""
    recent = [pk for pk in session.get(RECENT_SESSION_KEY, []) if pk not in unit_pks]
    session[RECENT_SESSION_KEY] = [*unit_pks, *recent][:RECENT_KEPT]


def recent_units(session) -> list[int]:
    return list(session.get(RECENT_SESSION_KEY, []))
