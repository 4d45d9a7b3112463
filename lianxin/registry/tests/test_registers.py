"""Saving households, cadres and pairs: idempotent, with a history, refused with a reason."""

from lianxin.cases.rules import WorkflowError
from lianxin.registry import actions
from lianxin.registry.addresses import address_key
from lianxin.registry.models import Household, PairMember, RegistryEvent
from lianxin.test import LianxinTestCase


class AddressKeyTest(LianxinTestCase):
    def test_one_flat_written_five_ways_has_one_key(self):
        spellings = [
            "福临苑3号楼2单元301室",
            "福临苑 3号楼 2-301",
            "福临苑３号楼二单元３０１",
            "福临苑3栋2门301",
            "福临苑3-2-301",
        ]
        self.assertEqual({address_key(a) for a in spellings}, {"福临苑3号楼2单元301室"})

    def test_village_numbers_in_chinese_become_digits(self):
        self.assertEqual(address_key("东村二组十五号"), "东村2组15号")
        self.assertNotEqual(address_key("东村二组十五号"), address_key("东村二组十六号"))


class SaveHouseholdTest(LianxinTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build_registers(cls)

    def save(self, **fields):
        values = {
            "actor": self.community_staff,
            "community": self.community,
            "grid": self.grid,
            "address": "福临苑3号楼2单元301室",
            "head_name": "王秀兰",
            "phone": "13812341234",
            "member_count": 2,
        }
        return actions.do_save_household(**{**values, **fields})

    def test_saving_the_same_household_again_changes_nothing(self):
        events = RegistryEvent.objects.count()
        saved = self.save(address="福临苑3-2-301")
        self.assertEqual(saved.outcome, "unchanged")
        self.assertEqual(saved.row, self.household)
        self.assertEqual(RegistryEvent.objects.count(), events)

    def test_a_difference_is_written_with_its_history(self):
        saved = self.save(phone="13912340000", member_count=3)
        self.assertEqual(saved.outcome, "updated")
        self.assertEqual(saved.changes["member_count"], [2, 3])
        event = RegistryEvent.objects.filter(household=self.household).last()
        self.assertEqual(event.code, "registry.household.updated")
        self.assertEqual(event.actor, self.community_staff)
        self.assertEqual(event.data["changes"]["phone"], ["13812341234", "13912340000"])

    def test_a_member_no_longer_listed_moves_out_and_is_kept(self):
        self.save(residents=[{"name": "王秀兰", "relation": "head", "tags": ["dibao"]}])
        members = {r.name: r.active for r in self.household.residents.all()}
        self.assertEqual(members, {"王秀兰": True, "赵国强": False})

    def test_bad_values_are_refused_with_a_reason_and_nothing_saved(self):
        before = Household.objects.count()
        cases = [
            ({"head_name": ""}, "户主"),
            ({"address": " "}, "地址"),
            ({"member_count": 0}, "整数"),
            ({"phone": "12345"}, "电话"),
            ({"grid": self.other_grid}, "不属于"),
            ({"community": self.street}, "不是社区"),
            ({"residents": [{"name": "甲", "tags": ["不存在"]}]}, "标签"),
        ]
        for fields, reason in cases:
            with self.subTest(fields=fields):
                with self.assertRaises(WorkflowError) as raised:
                    self.save(**{"address": "福临苑9号楼1单元101室", **fields})
                self.assertIn(reason, str(raised.exception.message))
        self.assertEqual(Household.objects.count(), before)

    def test_only_those_who_keep_the_register_may_write_it(self):
        for user in (self.handler_a, self.grid_worker, self.leader, self.resident):
            with self.subTest(user=user.username), self.assertRaises(WorkflowError):
                self.save(head_name="改名", actor=user)
        self.assertEqual(self.save(actor=self.street_staff, member_count=4).outcome, "updated")


class PairTest(LianxinTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build_registers(cls)

    def test_a_replaced_cadre_leaves_the_pair_its_households_and_history(self):
        newcomer = actions.do_save_cadre(
            actor=self.dispatcher, name="孙丽", employer=self.community, phone="13900000003"
        ).row
        actions.do_replace_pair_member(
            self.pair, actor=self.community_staff, leaving=self.cadre_b, joining=newcomer
        )
        current = set(
            PairMember.objects.filter(pair=self.pair, until__isnull=True).values_list(
                "cadre__name", flat=True
            )
        )
        self.assertEqual(current, {"张明", "孙丽"})
        self.assertTrue(PairMember.objects.filter(cadre=self.cadre_b, until__isnull=False))
        self.assertEqual(self.pair.households.count(), 2)

    def test_pairing_rules_are_flagged_not_enforced(self):
        self.assertEqual(actions.pair_warnings(self.pair), [])
        lone = actions.do_save_pair(
            actor=self.dispatcher, code="FL-02", community=self.community, cadres=[self.cadre_b]
        ).row
        warnings = " ".join(actions.pair_warnings(lone))
        for rule in ("不足两人", "党员带非党", "老带新", "当地带外地"):
            self.assertIn(rule, warnings)

    def test_saving_a_pair_again_changes_nothing(self):
        saved = actions.do_save_pair(
            actor=self.dispatcher,
            code="FL-01",
            community=self.community,
            cadres=[self.cadre_b, self.cadre_a],
        )
        self.assertEqual(saved.outcome, "unchanged")
