"""A case as the text models see it: one builder for the duplicates and the topics.

A person is counted once whether he signed in or left his phone: a topic's hotness
counts the people who reported, and most residents report by phone without an account.
"""

from lianxin.cases.models import Case
from lianxin.intel import topics
from lianxin.intel.duplicates import profile
from lianxin.intel.nearby import FIELDS, as_report
from lianxin.intel.topicsync import recent_reports
from lianxin.test import LianxinTestCase, at

NOW = at(2026, 11, 3, 9)


class CaseReportTest(LianxinTestCase):
    def report_of(self, case):
        return as_report(Case.objects.values(*FIELDS).get(pk=case.pk))

    def test_a_signed_in_resident_is_known_by_his_account(self):
        case = self.register(when=NOW, resident=self.resident, resident_phone="13812341234")
        self.assertEqual(self.report_of(case).resident, self.resident.pk)

    def test_a_resident_without_an_account_is_known_by_his_phone(self):
        case = self.register(when=NOW, resident=None, resident_phone="13900000001")
        self.assertEqual(self.report_of(case).resident, "13900000001")

    def test_a_case_with_neither_is_nobody_in_particular(self):
        case = self.register(when=NOW, resident=None, resident_phone="")
        self.assertIsNone(self.report_of(case).resident)

    def test_the_topics_count_two_calls_from_one_phone_as_one_resident(self):
        for title in ("福临苑3号楼门口路灯不亮", "福临苑3号楼路灯坏了好几天"):
            self.register(when=NOW, title=title, resident=None, resident_phone="13900000001")
        self.register(when=NOW, title="福临苑3号楼门前路灯不亮", resident=None, resident_phone="")
        reports = recent_reports(NOW)
        self.assertEqual(len(reports), 3)
        topic = topics.Topic(members=[profile(report) for report in reports])
        self.assertEqual((topic.size, topic.residents), (3, 2))
