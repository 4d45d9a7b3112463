"""The test builders reach each state through the real actions, wherever they are used: in
the base test case and, through the `cast` fixture, in a plain pytest function."""

import pytest

from lianxin.cases.models import Case, Status
from lianxin.test import LianxinTestCase, at


@pytest.mark.parametrize("status", list(Status))
def test_a_pytest_function_brings_a_case_to_each_state(cast, status):
    case = cast.case_in(status)
    assert Case.objects.get(pk=case.pk).status == status
    assert case.events.filter(code="cases.case.registered").count() == 1


def test_the_steps_take_the_moments_they_are_given(cast):
    moments = [at(2026, 11, 2, 9), at(2026, 11, 2, 10), at(2026, 11, 3), at(2026, 11, 5)]
    case = cast.through(moments, until="replied")
    assert (case.status, case.registered_at, case.replied_at) == (
        Status.REPLIED,
        moments[0],
        moments[3],
    )


class BuildersInATestCaseTest(LianxinTestCase):
    def test_the_same_builders_serve_a_test_case(self):
        case = self.through([at(2026, 11, 2, 9), at(2026, 11, 2, 10)], until="dispatched")
        self.assertEqual((case.status, case.lead_unit), (Status.DISPATCHED, self.dept_a))
        self.assertEqual(self.case_in(Status.CLOSED).status, Status.CLOSED)
