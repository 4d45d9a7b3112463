"""The service menu brought to a state through the real actions, by the test district's
cast (`lianxin.test.District` with `build_registers`): the office keeps the menu, the
pair's cadre orders on a visit, department A provides, the resident rates."""

import importlib

from lianxin.programs import actions
from lianxin.programs.models import OrderChannel, Service, ServiceOrder
from lianxin.registry.models import Tag

DONE_NOTE = "已上门完成认证，老人身体状况良好。"


def seed_tags() -> None:
    """The district's tags as the registry's data migration seeds them: a
    TransactionTestCase's flush removes them, and the menu's lines name them."""
    seeded = importlib.import_module("lianxin.registry.migrations.0002_seed_tags")
    for order, (code, name, group) in enumerate(seeded.TAGS):
        Tag.objects.get_or_create(
            code=code, defaults={"name": name, "group": group, "sort_order": order}
        )


class Services:
    """Mixin for whatever holds the cast (after `build_registers`)."""

    def service(self, *, tags=(), **fields) -> Service:
        values = {
            "actor": self.dispatcher,
            "name": "上门理发",
            "provider": self.dept_a,
            "working_days": 3,
            "description": "为行动不便的老人上门理发。",
            "tags": [Tag.objects.get(code=code) for code in tags],
        }
        return actions.do_save_service(None, **{**values, **fields})

    def ordered(self, service=None, household=None, **fields) -> ServiceOrder:
        values = {"actor": self.cadre_user, "channel": OrderChannel.VISIT}
        return actions.do_order_service(
            service or self.service(), household or self.household, **{**values, **fields}
        )

    def accepted(self, **fields) -> ServiceOrder:
        return actions.do_accept_order(self.ordered(**fields), actor=self.handler_a)

    def done(self, **fields) -> ServiceOrder:
        return actions.do_complete_order(
            self.accepted(**fields), actor=self.handler_a, note=DONE_NOTE
        )
