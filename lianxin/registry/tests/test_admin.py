"""The registers in the admin: administrators look, the actions write."""

from django.urls import reverse

from lianxin.test import LianxinTestCase


class RegistryAdminTest(LianxinTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build_registers(cls)

    def test_households_cadres_and_pairs_are_read_only(self):
        self.client.force_login(self.admin)
        for model, obj in (
            ("household", self.household),
            ("cadre", self.cadre_a),
            ("pair", self.pair),
        ):
            with self.subTest(model):
                changelist = reverse(f"admin:registry_{model}_changelist")
                self.assertEqual(self.client.get(changelist).status_code, 200)
                change = reverse(f"admin:registry_{model}_change", args=[obj.pk])
                page = self.client.get(change)
                self.assertEqual(page.status_code, 200)
                self.assertNotContains(page, 'name="_save"')
                self.assertEqual(self.client.post(change, {}).status_code, 403)
                add = reverse(f"admin:registry_{model}_add")
                self.assertEqual(self.client.get(add).status_code, 403)
        page = self.client.get(reverse("admin:registry_household_change", args=[self.household.pk]))
        self.assertContains(page, "赵国强")
        self.assertNotContains(page, "13812341234")
        self.household.refresh_from_db()
        self.assertEqual(self.household.head_name, "王秀兰")
