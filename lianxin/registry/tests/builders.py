"""Small builders for the registers, on top of the test district (lianxin.test.District):
each goes through the registry's actions, as the pages and imports do."""

from lianxin.accounts.models import Role
from lianxin.registry import actions
from lianxin.registry.models import Attachment, Zone
from lianxin.test import make_user


class Registers:
    """Mixin for a test case built with `District`: a pair of cadres in 福临社区 with two
    households, a household of the other community, and a department attached to a 片区."""

    @classmethod
    def build_registers(cls, target) -> None:
        office = target.dispatcher
        target.cadre_user = make_user("cadre_zhang", Role.COMMUNITY_STAFF, target.community)
        target.outside_cadre_user = make_user("cadre_li")  # a cadre with no staff role
        target.cadre_a = actions.do_save_cadre(
            actor=office,
            name="张明",
            employer=target.community,
            phone="13900000001",
            party_member=True,
            experienced=True,
            user=target.cadre_user,
        ).row
        target.cadre_b = actions.do_save_cadre(
            actor=office,
            name="李娜",
            employer=target.dept_b,
            phone="13900000002",
            local=False,
            user=target.outside_cadre_user,
        ).row
        target.pair = actions.do_save_pair(
            actor=office,
            code="FL-01",
            community=target.community,
            cadres=[target.cadre_a, target.cadre_b],
        ).row
        target.household = actions.do_save_household(
            actor=office,
            community=target.community,
            grid=target.grid,
            address="福临苑3号楼2单元301室",
            head_name="王秀兰",
            phone="13812341234",
            member_count=2,
            residents=[
                {"name": "王秀兰", "relation": "head", "birth_year": 1948, "tags": ["dibao"]},
                {
                    "name": "赵国强",
                    "relation": "spouse",
                    "birth_year": 1946,
                    "tags": ["lao_junren"],
                },
            ],
        ).row
        target.neighbour = actions.do_save_household(
            actor=office,
            community=target.community,
            grid=target.grid,
            address="福临苑3号楼2单元302室",
            head_name="陈建华",
            phone="13812345678",
            member_count=3,
        ).row
        target.household, target.neighbour = (
            actions.do_assign_household_to_pair(household, actor=office, pair=target.pair)
            for household in (target.household, target.neighbour)
        )
        target.far_household = actions.do_save_household(
            actor=office,
            community=target.other_community,
            grid=target.other_grid,
            address="青峰路12号1单元101室",
            head_name="刘芳",
            phone="13700001111",
        ).row
        target.zone = Zone.objects.create(name="福临片区", street=target.street)
        target.zone.grids.set([target.grid])
        Attachment.objects.create(
            kind=Attachment.Kind.DEPARTMENT_ZONE, department=target.dept_a, zone=target.zone
        )
