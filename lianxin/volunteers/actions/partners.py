"""Partner units (共建单位 / 红色合伙人): organisations paired with communities.

A partner runs activities through its own team (`Team.partner`) and claims wishes of its
paired communities through `lianxin.programs.actions.do_claim_wish(partner=…)`, which its
community records for it.
"""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Actor
from lianxin.errors import WorkflowError
from lianxin.orgs.models import Unit
from lianxin.volunteers import rules
from lianxin.volunteers.actions.common import Saved, apply, event, now, phone, text
from lianxin.volunteers.models import PartnerUnit


def do_save_partner(
    *,
    actor: Actor,
    name: str,
    communities: Iterable[Unit],
    kind: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    services: str = "",
    when: dt.datetime | None = None,
) -> Saved[PartnerUnit]:
    """Register a partner unit paired with `communities` (or update it, found by name).

    The actor keeps every community he pairs it with or unpairs it from (the office keeps
    them all): a community cannot pair another community's partner away."""
    at = now(when)
    name = text(name, "name", _("单位名称"), 100)
    values = {
        "kind": text(kind, "kind", _("单位类型"), 30, required=False),
        "contact_name": text(contact_name, "contact_name", _("联系人"), 50, required=False),
        "contact_phone": phone(contact_phone),
        "services": text(services, "services", _("共建内容"), 300, required=False),
        "active": True,
    }
    wanted = {unit.pk: unit for unit in communities}
    if not wanted:
        raise WorkflowError("communities_required", _("请选择结对社区。"))
    if any(unit.kind != Unit.Kind.COMMUNITY for unit in wanted.values()):
        raise WorkflowError("invalid_community", _("共建单位只能与社区/村结对。"))
    with transaction.atomic():
        partner = PartnerUnit.objects.select_for_update().filter(name=name).first()
        had = set(partner.communities.values_list("pk", flat=True)) if partner else set()
        touched = had ^ set(wanted)
        for unit in Unit.objects.filter(pk__in=touched) if touched else ():
            rules.check("keep_partner", actor, unit=unit)
        if partner is None:
            partner = PartnerUnit.objects.create(name=name, created_at=at, **values)
            partner.communities.set(wanted.values())
            event(
                "volunteers.partner.registered",
                actor,
                at,
                partner=partner,
                data={"communities": sorted(wanted)},
            )
            return Saved(partner, "created", {})
        changes = apply(partner, values)
        if changes:
            partner.save(update_fields=list(changes))
        if touched:
            partner.communities.set(wanted.values())
            changes["communities"] = [sorted(had), sorted(wanted)]
        if not changes:
            return Saved(partner, "unchanged", {})
        event("volunteers.partner.updated", actor, at, partner=partner, data={"changes": changes})
        return Saved(partner, "updated", changes)
