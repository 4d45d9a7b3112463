"""The admin: the taxonomy and settings are edited there; cases are only read."""

from django.urls import reverse

from lianxin.test import LianxinTestCase


class AdminPagesTest(LianxinTestCase):
    def setUp(self):
        self.client.force_login(self.admin)

    def test_every_changelist_opens(self):
        self.in_progress()
        for name in (
            "cases_case",
            "cases_category",
            "orgs_unit",
            "orgs_districtsettings",
            "accounts_user",
            "accounts_membership",
            "workdays_dayoverride",
        ):
            with self.subTest(model=name):
                response = self.client.get(reverse(f"admin:{name}_changelist"))
                self.assertEqual(response.status_code, 200)

    def test_a_case_is_shown_but_cannot_be_changed_in_the_admin(self):
        case = self.in_progress()
        url = reverse("admin:cases_case_change", args=[case.pk])
        page = self.client.get(url)
        self.assertContains(page, case.tracking_number)
        self.client.post(url, {"status": "closed"})
        self.assertEqual(self.reload(case).status, "in_progress")

    def test_a_categorys_limit_and_department_are_edited_in_the_admin(self):
        url = reverse("admin:cases_category_change", args=[self.category.pk])
        response = self.client.post(
            url,
            {
                "code": "street_lights",
                "name": "路灯照明",
                "parent": self.top_category.pk,
                "default_unit": self.dept_c.pk,
                "resolution_working_days": 8,
                "active": "on",
                "sort_order": 0,
                "children-TOTAL_FORMS": 0,
                "children-INITIAL_FORMS": 0,
            },
        )
        self.assertEqual(response.status_code, 302)
        self.category.refresh_from_db()
        self.assertEqual(
            (self.category.default_unit, self.category.resolution_working_days), (self.dept_c, 8)
        )

    def test_a_role_in_the_wrong_kind_of_unit_is_refused(self):
        url = reverse("admin:accounts_membership_add")
        response = self.client.post(
            url, {"user": self.resident.pk, "unit": self.dept_a.pk, "role": "grid_worker"}
        )
        self.assertContains(response, "“网格员”不能设在职能部门类单位。")
