"""Who sees which case: the scope of every role, and 404 for a case that is not yours."""

from django.http import Http404

from lianxin.cases import actions
from lianxin.cases.access import access_case_by_id, may_see_full_phone
from lianxin.cases.models import Case
from lianxin.test import LianxinTestCase


class ScopeTest(LianxinTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        t = cls
        # In grid 1, handled by department A, reported by the resident.
        cls.case_a = actions.do_dispatch_case(
            LianxinTestCase.register(t), actor=t.dispatcher, unit=t.dept_a
        )
        # In grid 2, handled by department B with C co-handling, reported by another resident.
        cls.case_b = actions.do_dispatch_case(
            LianxinTestCase.register(t, grid=t.other_grid, resident=t.other_resident),
            actor=t.dispatcher,
            unit=t.dept_b,
            co_units=[t.dept_c],
        )
        # Not yet dispatched, in grid 1.
        cls.case_new = LianxinTestCase.register(t)
        # Offered to every department for claiming, in grid 2.
        cls.case_offered = LianxinTestCase.register(
            t,
            grid=t.other_grid,
            resident=t.other_resident,
            actor=t.dispatcher,
            open_for_claim=True,
        )

    def visible(self, user):
        return set(Case.objects.visible_to(user))

    def test_each_role_sees_its_own_scope(self):
        everything = {self.case_a, self.case_b, self.case_new, self.case_offered}
        expected = {
            "dispatcher": everything,
            "leader": everything,
            "admin": everything,
            "handler_a": {self.case_a, self.case_offered},
            "head_a": {self.case_a, self.case_offered},
            "handler_b": {self.case_b, self.case_offered},
            "handler_c": {self.case_b, self.case_offered},
            "grid_worker": {self.case_a, self.case_new},
            "community_staff": {self.case_a, self.case_new},
            "street_staff": {self.case_a, self.case_new},
            "other_grid_worker": {self.case_b, self.case_offered},
            "resident": {self.case_a, self.case_new},
            "other_resident": {self.case_b, self.case_offered},
        }
        for username, cases in expected.items():
            with self.subTest(user=username):
                self.assertEqual(self.visible(getattr(self, username)), cases)

    def test_a_case_not_yours_is_a_404_like_a_missing_one(self):
        for pk in (self.case_a.pk, 999_999, "not-a-number"):
            with self.subTest(pk=pk), self.assertRaises(Http404):
                access_case_by_id(self.handler_b, pk)
        self.assertEqual(access_case_by_id(self.handler_a, self.case_a.pk), self.case_a)

    def test_a_department_that_returned_a_case_no_longer_sees_it(self):
        case = self.dispatched()
        actions.do_return_part(case.parts.get(), actor=self.handler_a, reason="不属于本部门")
        self.assertNotIn(case, self.visible(self.handler_a))

    def test_anonymous_visitors_see_nothing(self):
        from django.contrib.auth.models import AnonymousUser

        self.assertEqual(self.visible(AnonymousUser()), set())

    def test_the_whole_phone_is_for_the_office_and_the_handling_unit(self):
        self.assertFalse(may_see_full_phone(self.dispatcher, self.case_a))  # see return visits
        self.assertTrue(may_see_full_phone(self.handler_a, self.case_a))
        self.assertTrue(may_see_full_phone(self.resident, self.case_a))
        self.assertFalse(may_see_full_phone(self.grid_worker, self.case_a))
        self.assertFalse(may_see_full_phone(self.leader, self.case_a))
