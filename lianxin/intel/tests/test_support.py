"""Residents: "similar reports nearby" before submitting, and "me too" (附议)."""

from django.urls import reverse

from lianxin.cases import actions
from lianxin.cases.models import CaseEvent, CaseSupport
from lianxin.cases.rules import WorkflowError
from lianxin.test import LianxinTestCase


class SimilarNearbyTest(LianxinTestCase):
    def setUp(self):
        self.case = self.register(address="福临苑小区3号楼东侧", building="3号楼")

    def similar(self, **params):
        query = {"title": "福临苑小区3号楼门口路灯坏了", "text": "", "address": "福临苑小区"}
        query.update(params)
        return self.client.get(reverse("intel:similar"), query)

    def test_the_submit_page_asks_for_similar_reports(self):
        response = self.client.get(reverse("portal:submit"))
        self.assertContains(response, reverse("intel:similar"))

    def test_shows_the_open_case_nearby_and_nothing_private(self):
        response = self.similar()
        self.assertContains(response, self.case.title)
        self.assertContains(response, "我也反映")
        self.assertContains(response, "福临社区")  # the rough place: the community
        self.assertContains(response, "0人附议")
        for private in (
            "王秀兰",
            "13812341234",
            "东侧",
            "老人出门",
            self.case.tracking_number,
        ):
            self.assertNotContains(response, private)

    def test_a_title_with_a_name_phone_and_flat_is_shown_blanked(self):
        # The box and the support page are for anyone: a title is a visitor's own words.
        self.case.title = "福临苑小区3号楼2单元502室王秀兰家门口路灯坏了，电话0532-88881234"
        self.case.save(update_fields=["title"])
        for response in (
            self.similar(),
            self.client.get(reverse("intel:support", args=[self.case.pk])),
        ):
            self.assertContains(response, "福临苑小区3号楼***")
            for private in ("502", "王秀兰", "88881234"):
                self.assertNotContains(response, private)

    def test_by_map_point_alone(self):
        self.case.latitude, self.case.longitude = "36.066100", "120.382600"
        self.case.save(update_fields=["latitude", "longitude"])  # as if pinned on the map
        response = self.similar(address="", latitude="36.0662", longitude="120.3827")
        self.assertContains(response, self.case.title)

    def test_nothing_for_another_problem_or_too_little_text(self):
        self.assertNotContains(self.similar(title="福临苑小区垃圾无人清运"), "我也反映")
        self.assertNotContains(self.similar(title="灯", address="福临苑小区"), "我也反映")
        self.assertNotContains(self.similar(address=""), "我也反映")


class MeTooTest(LianxinTestCase):
    def setUp(self):
        self.case = self.register()
        self.url = reverse("intel:support", args=[self.case.pk])

    def test_a_visitor_supports_with_his_phone(self):
        response = self.client.post(self.url, {"phone": "139 0000 2222", "comment": "我家门口也是"})
        self.assertContains(response, "已为您附议")
        self.assertEqual(self.reload(self.case).support_count, 1)
        support = CaseSupport.objects.get(case=self.case)
        self.assertEqual((support.phone, support.resident), ("13900002222", None))
        event = CaseEvent.objects.get(case=self.case, code="cases.case.supported")
        self.assertTrue(event.public)
        # The resident's own timeline shows it.
        self.client.force_login(self.resident)
        self.assertContains(self.client.get(reverse("portal:case", args=[self.case.pk])), "附议")

    def test_a_second_me_too_from_the_same_phone_is_refused_in_chinese(self):
        self.client.post(self.url, {"phone": "13900002222"})
        response = self.client.post(self.url, {"phone": "13900002222"})
        self.assertContains(response, "您已附议过该诉求，每人只能附议一次。")
        self.assertEqual(self.reload(self.case).support_count, 1)
        self.assertEqual(CaseSupport.objects.count(), 1)

    def test_a_visitor_without_phone_first_sees_the_form_then_an_error(self):
        response = self.client.post(self.url, {"phone": ""})
        self.assertContains(response, "确认附议")
        self.assertNotContains(response, "请填写手机号")
        response = self.client.post(self.url, {"phone": "", "confirm": "1"})
        self.assertContains(response, "请填写手机号")
        self.assertEqual(self.reload(self.case).support_count, 0)

    def test_a_signed_in_resident_supports_once(self):
        self.client.force_login(self.other_resident)
        self.client.post(self.url, {"phone": ""})
        self.assertEqual(CaseSupport.objects.get().resident, self.other_resident)
        response = self.client.post(self.url, {"phone": "13900003333"})
        self.assertContains(response, "每人只能附议一次")
        self.assertEqual(self.reload(self.case).support_count, 1)

    def test_own_case_staff_and_closed_cases_are_refused(self):
        with self.assertRaises(WorkflowError) as own:
            actions.do_support_case(self.case, actor=self.resident)
        self.assertEqual(own.exception.code, "own_case")
        with self.assertRaises(WorkflowError) as staff:
            actions.do_support_case(self.case, actor=self.grid_worker, phone="13900004444")
        self.assertEqual(staff.exception.code, "forbidden")
        resolved = self.resolved()
        with self.assertRaises(WorkflowError) as late:
            actions.do_support_case(resolved, actor=None, phone="13900004444")
        self.assertEqual(late.exception.code, "invalid_transition")
        voided = actions.do_void_case(self.register(), actor=self.dispatcher, reason="测试数据")
        self.assertEqual(
            self.client.post(
                reverse("intel:support", args=[voided.pk]), {"phone": "13900004444"}
            ).status_code,
            404,
        )
        self.assertEqual(CaseSupport.objects.count(), 0)

    def test_bad_phone_is_refused(self):
        response = self.client.post(self.url, {"phone": "12345"})
        self.assertContains(response, "联系电话格式不正确")
        self.assertEqual(self.reload(self.case).support_count, 0)
