from lianxin.cases import actions
from lianxin.cases.models import Status
from lianxin.test import LianxinTestCase


class WholeLoopTest(LianxinTestCase):
    def test_a_case_goes_from_registration_to_closed(self):
        case = self.verified()
        visit = actions.do_record_return_visit(
            case, actor=self.resident, satisfaction="satisfied", solved=True
        )
        case = self.reload(case)
        self.assertEqual(case.status, Status.CLOSED)
        self.assertEqual(visit.method, "self")
        codes = list(case.events.values_list("code", flat=True))
        self.assertEqual(
            codes,
            [
                "cases.case.registered",
                "cases.case.dispatched",
                "cases.part.accepted",
                "cases.case.replied",
                "cases.case.resolved",
                "cases.case.verified",
                "cases.case.return_visited",
            ],
        )
