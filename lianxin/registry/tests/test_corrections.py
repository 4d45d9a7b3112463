"""Corrections: those who visit propose, the community decides, and an approved change is
applied and kept in the household's history."""

from django.urls import reverse

from lianxin.cases.rules import WorkflowError
from lianxin.registry import actions
from lianxin.registry.models import HouseholdCorrection, RegistryEvent
from lianxin.test import LianxinTestCase, at


class CorrectionActionsTest(LianxinTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build_registers(cls)

    def propose(self, actor=None, **changes):
        return actions.do_propose_correction(
            self.household,
            actor=actor or self.outside_cadre_user,
            changes=changes or {"phone": "13812349999", "member_count": 3},
            when=at(2026, 3, 3),
        )

    def test_the_pair_proposes_and_the_community_approves(self):
        correction = self.propose()
        self.assertEqual(
            correction.changes, {"phone": ["13812341234", "13812349999"], "member_count": [2, 3]}
        )
        self.household.refresh_from_db()
        self.assertEqual(self.household.phone, "13812341234", "nothing changes until approved")
        actions.do_decide_correction(
            correction, actor=self.community_staff, approve=True, when=at(2026, 3, 4)
        )
        self.household.refresh_from_db()
        self.assertEqual((self.household.phone, self.household.member_count), ("13812349999", 3))
        event = RegistryEvent.objects.get(code="registry.household.corrected")
        self.assertEqual(event.data["correction"], correction.pk)
        self.assertEqual(event.data["changes"]["phone"], ["13812341234", "13812349999"])
        with self.assertRaises(WorkflowError):
            actions.do_decide_correction(correction, actor=self.dispatcher, approve=False)

    def test_a_rejected_correction_changes_nothing(self):
        correction = self.propose(actor=self.grid_worker, head_name="王秀英")
        actions.do_decide_correction(
            correction, actor=self.dispatcher, approve=False, reason="核实无误"
        )
        correction.refresh_from_db()
        self.assertEqual((correction.status, correction.reason), ("rejected", "核实无误"))
        self.household.refresh_from_db()
        self.assertEqual(self.household.head_name, "王秀兰")

    def test_who_may_propose_and_decide(self):
        for actor in (self.street_staff, self.handler_a, self.other_grid_worker):
            with self.subTest(actor.username), self.assertRaises(WorkflowError):
                self.propose(actor=actor)
        correction = self.propose()
        for actor in (self.street_staff, self.grid_worker, self.outside_cadre_user):
            with self.subTest(actor.username), self.assertRaises(WorkflowError):
                actions.do_decide_correction(correction, actor=actor, approve=True)

    def test_bad_or_empty_changes_are_refused(self):
        for changes, reason in (
            ({"phone": "12345"}, "电话号码格式不正确"),
            ({"member_count": "0"}, "人口必须是不小于1的整数"),
            ({"address": "别处"}, "不能通过更正修改"),
            ({"phone": "13812341234"}, "与现有信息相同"),
        ):
            with self.subTest(changes), self.assertRaises(WorkflowError) as refused:
                self.propose(**changes)
            self.assertIn(reason, str(refused.exception.message))
        self.assertFalse(HouseholdCorrection.objects.exists())


class CorrectionPagesTest(LianxinTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build_registers(cls)

    def test_propose_on_the_card_then_approve(self):
        self.client.force_login(self.grid_worker)
        url = reverse("registry:propose_correction", args=[self.household.pk])
        response = self.client.post(url, {"phone": "13812349999", "reason": "换号了"})
        self.assertRedirects(response, reverse("registry:household", args=[self.household.pk]))
        correction = HouseholdCorrection.objects.get()
        self.assertEqual(correction.reason, "换号了")
        page = self.client.get(reverse("registry:household", args=[self.household.pk]))
        self.assertContains(page, "待审核")
        self.assertNotContains(page, "采纳</button>", msg_prefix="a grid worker does not decide")

        self.client.force_login(self.community_staff)
        decide = reverse("registry:decide_correction", args=[correction.pk])
        self.assertContains(
            self.client.get(reverse("registry:household", args=[self.household.pk])), decide
        )
        self.client.post(decide, {"decision": "approve"})
        self.household.refresh_from_db()
        self.assertEqual(self.household.phone, "13812349999")
        page = self.client.get(reverse("registry:household", args=[self.household.pk]))
        self.assertContains(page, "更正已采纳")

    def test_wrong_method_and_wrong_actor(self):
        url = reverse("registry:propose_correction", args=[self.household.pk])
        self.client.force_login(self.grid_worker)
        self.assertEqual(self.client.get(url).status_code, 405)
        self.client.force_login(self.other_grid_worker)
        self.assertEqual(self.client.post(url, {"phone": "13812349999"}).status_code, 404)
        self.client.force_login(self.street_staff)
        response = self.client.post(url, {"phone": "13812349999"}, follow=True)
        self.assertContains(response, "无权")
        self.assertFalse(HouseholdCorrection.objects.exists())

        correction = actions.do_propose_correction(
            self.household, actor=self.grid_worker, changes={"phone": "13812349999"}
        )
        decide = reverse("registry:decide_correction", args=[correction.pk])
        self.client.force_login(self.community_staff)
        self.assertEqual(self.client.get(decide).status_code, 405)
        self.client.force_login(self.other_grid_worker)
        self.assertEqual(self.client.post(decide, {"decision": "approve"}).status_code, 404)
        self.client.force_login(self.grid_worker)
        self.assertContains(self.client.post(decide, {"decision": "approve"}, follow=True), "无权")
        correction.refresh_from_db()
        self.assertEqual(correction.status, "proposed")
