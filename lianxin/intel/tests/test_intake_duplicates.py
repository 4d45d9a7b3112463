"""Probable duplicates on the case page: found, not found, scoped, merged and linked."""

from django.urls import reverse

from lianxin.cases import actions
from lianxin.cases.models import CaseEvent, Status
from lianxin.test import LianxinTestCase


class DuplicatesTest(LianxinTestCase):
    def setUp(self):
        self.first = self.register()  # the lamp at 福临苑3号楼
        self.second = self.register(
            title="3号楼门前路灯坏了",
            text="晚上黑漆漆的，福临苑3号楼门口那盏路灯一直不亮。",
            resident=None,
            resident_phone="13900001111",
        )

    def panel(self, case, user=None):
        self.client.force_login(user or self.dispatcher)
        return self.client.get(reverse("intel:case_duplicates", args=[case.pk]))

    def test_the_case_page_loads_the_panel(self):
        self.client.force_login(self.dispatcher)
        response = self.client.get(reverse("workbench:case", args=[self.second.pk]))
        self.assertContains(response, reverse("intel:case_duplicates", args=[self.second.pk]))

    def test_the_same_lamp_is_found_with_reasons_and_actions(self):
        response = self.panel(self.second)
        self.assertContains(response, self.first.tracking_number)
        self.assertContains(response, "同一网格")
        self.assertContains(response, "内容相似度")
        self.assertContains(
            response, reverse("workbench:case_action", args=[self.second.pk, "merge"])
        )
        self.assertContains(response, reverse("intel:link_case", args=[self.second.pk]))

    def test_another_problem_or_another_grid_is_not_found(self):
        rubbish = self.register(
            title="福临苑小区垃圾无人清运", text="垃圾桶满了好几天没人清理，气味难闻。"
        )
        elsewhere = self.register(
            title="3号楼门前路灯坏了",
            text="青峰小区3号楼门口路灯一直不亮。",
            address="青峰小区3号楼",
            grid=self.other_grid,
        )
        response = self.panel(rubbish)
        self.assertContains(response, "附近没有相似的未办结诉求")
        response = self.panel(elsewhere)
        self.assertContains(response, "附近没有相似的未办结诉求")

    def test_closed_or_merged_cases_are_not_offered(self):
        actions.do_void_case(self.first, actor=self.dispatcher, reason="测试数据")
        self.assertContains(self.panel(self.second), "附近没有相似的未办结诉求")

    def test_only_cases_the_user_may_see_are_offered(self):
        # dept_b holds the second case only; the first (never dispatched to it) stays hidden.
        actions.do_dispatch_case(self.second, actor=self.dispatcher, unit=self.dept_b)
        response = self.panel(self.second, self.handler_b)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, self.first.tracking_number)
        self.assertNotContains(response, "本件并入")  # and a department may not merge
        self.assertEqual(self.panel(self.second, self.other_grid_worker).status_code, 404)

    def test_grid_worker_sees_duplicates_but_may_not_merge(self):
        response = self.panel(self.second, self.grid_worker)
        self.assertContains(response, self.first.tracking_number)
        self.assertNotContains(response, "本件并入")

    def test_merge_from_the_panel(self):
        self.client.force_login(self.dispatcher)
        self.client.post(
            reverse("workbench:case_action", args=[self.second.pk, "merge"]),
            {"into": self.first.tracking_number},
        )
        second = self.reload(self.second)
        self.assertEqual(second.status, Status.MERGED)
        self.assertEqual(second.merged_into_id, self.first.pk)

    def test_link_records_an_event_on_both_cases(self):
        self.client.force_login(self.dispatcher)
        response = self.client.post(
            reverse("intel:link_case", args=[self.second.pk]), {"other": self.first.pk}
        )
        self.assertRedirects(response, reverse("workbench:case", args=[self.second.pk]))
        for case, other in ((self.second, self.first), (self.first, self.second)):
            event = CaseEvent.objects.get(case=case, code="cases.case.linked")
            self.assertEqual(event.data, {"linked": other.pk})
            self.assertFalse(event.public)
        self.assertEqual(self.reload(self.second).status, Status.REGISTERED)

    def test_link_wrong_method_and_wrong_actor(self):
        self.client.force_login(self.dispatcher)
        url = reverse("intel:link_case", args=[self.second.pk])
        self.assertEqual(self.client.get(url).status_code, 405)
        self.client.force_login(self.grid_worker)
        self.client.post(url, {"other": self.first.pk})
        self.assertFalse(CaseEvent.objects.filter(code="cases.case.linked").exists())
