"""Following a case with its tracking number and the last four digits of the phone."""

import time_machine
from django.test import Client, override_settings
from django.urls import reverse

from lianxin.cases import actions
from lianxin.cases.models import Case
from lianxin.test import LianxinTestCase, at

NEUTRAL = "未找到相符的诉求，请核对受理编号和手机号后四位。"


class FollowTest(LianxinTestCase):
    url = reverse("portal:follow")

    def follow(self, case_or_number, digits="1234", client=None, address=None):
        if address is not None:
            client = Client(REMOTE_ADDR=address)
        number = getattr(case_or_number, "tracking_number", case_or_number)
        return (client or self.client).post(
            self.url, {"tracking_number": number, "phone_last4": digits}
        )

    def test_the_right_number_and_digits_open_the_case(self):
        case = self.replied()
        response = self.follow(case, "1234")
        self.assertRedirects(response, reverse("portal:case", args=[case.pk]))
        page = self.client.get(response.url)
        self.assertContains(page, case.tracking_number)
        self.assertContains(page, "已答复")
        self.assertContains(page, "已安排维修人员本周五前更换灯具")  # the reply
        self.assertContains(page, "答复期限")
        self.assertContains(page, "办结期限")
        self.assertContains(page, "登记受理")
        self.assertContains(page, "答复群众")

    def test_the_number_is_read_in_any_case_and_spacing(self):
        case = self.register()
        response = self.follow(f"  {case.tracking_number.lower()} ", "1234")
        self.assertRedirects(response, reverse("portal:case", args=[case.pk]))

    def test_wrong_digits_and_a_wrong_number_get_the_same_message(self):
        case = self.register()
        wrong_digits = self.follow(case, "9999")
        wrong_number = self.follow("LX-1999-000001", "1234")
        for response in (wrong_digits, wrong_number):
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, NEUTRAL)
        self.assertEqual(self.client.get(reverse("portal:case", args=[case.pk])).status_code, 404)

    def test_a_case_without_a_phone_cannot_be_followed(self):
        case = self.register(resident=None, resident_phone="")
        self.assertContains(self.follow(case, "----"), "请填写4位数字")
        self.assertContains(self.follow(case, "0000"), NEUTRAL)

    @override_settings(PORTAL_FOLLOW_FAILURES_PER_ADDRESS=5)
    def test_guessing_is_throttled_per_address_whatever_the_session(self):
        case = self.register()
        other = self.register(title="另一件诉求")
        with time_machine.travel(at(2026, 3, 10, 9), tick=False):
            for _ in range(5):
                self.follow(case, "0000", address="10.0.0.1")
            # Even the right digits, and from a new session (the cookie dropped).
            response = self.follow(case, "1234", address="10.0.0.1")
            self.assertContains(response, "查询次数过多")
            self.assertContains(self.follow(other, "1234", address="10.0.0.1"), "查询次数过多")
            self.assertRedirects(
                self.follow(case, "1234", address="10.0.0.2"), f"/m/cases/{case.pk}/"
            )
        with time_machine.travel(at(2026, 3, 10, 9, 16), tick=False):
            self.assertRedirects(
                self.follow(other, "1234", address="10.0.0.1"), f"/m/cases/{other.pk}/"
            )

    @override_settings(PORTAL_FOLLOW_FAILURES_PER_CASE=20)
    def test_a_tracking_number_guessed_from_many_addresses_is_locked_for_the_day(self):
        case = self.register()
        other = self.register(title="另一件诉求")
        with time_machine.travel(at(2026, 3, 10, 9), tick=False):
            for i in range(20):
                self.follow(case, f"{i:04d}", address=f"10.0.1.{i}")
            response = self.follow(case, "1234", address="10.0.2.1")
            self.assertContains(response, "该受理编号今日查询失败次数过多")
            self.assertRedirects(
                self.follow(other, "1234", address="10.0.2.1"), f"/m/cases/{other.pk}/"
            )
        with time_machine.travel(at(2026, 3, 11, 9), tick=False):
            self.assertRedirects(
                self.follow(case, "1234", address="10.0.2.1"), f"/m/cases/{case.pk}/"
            )

    def test_a_case_page_is_404_without_proof(self):
        case = self.register()
        self.assertEqual(self.client.get(reverse("portal:case", args=[case.pk])).status_code, 404)
        self.client.force_login(self.other_resident)
        self.assertEqual(self.client.get(reverse("portal:case", args=[case.pk])).status_code, 404)

    def test_the_owner_sees_his_case_without_the_digits(self):
        case = self.register()
        self.client.force_login(self.resident)
        self.assertContains(self.client.get(reverse("portal:case", args=[case.pk])), case.title)

    def test_the_timeline_hides_internal_events_notes_and_staff_names(self):
        case = self.in_progress()
        Case.objects.filter(pk=case.pk).update(title="路灯")
        actions.do_add_note(case, actor=self.handler_a, note="内部备注：费用待局长签字")
        actions.do_add_note(case, actor=self.handler_a, note="维修队已到现场查看。", public=True)
        actions.do_escalate_case(case, actor=self.dispatcher, note="涉及多部门，需领导协调")
        self.handler_a.full_name = "赵经办"
        self.handler_a.save()
        self.dispatcher.full_name = "钱派单"
        self.dispatcher.save()
        self.follow(case)

        page = self.client.get(reverse("portal:case", args=[case.pk]))

        self.assertContains(page, "派单")
        self.assertContains(page, "区城市管理局")  # the unit is named
        self.assertContains(page, "维修队已到现场查看。")  # a note staff published
        for hidden in ("内部备注", "费用待局长签字", "需领导协调", "提级", "赵经办", "钱派单"):
            self.assertNotContains(page, hidden)
        for username in ("handler_a", "dispatcher", "grid_worker"):
            self.assertNotContains(page, username)

    def test_the_dispatch_instruction_stays_internal(self):
        case = self.register()
        actions.do_dispatch_case(
            case, actor=self.dispatcher, unit=self.dept_a, instruction="请优先处理，注意与物业沟通"
        )
        self.follow(case)
        page = self.client.get(reverse("portal:case", args=[case.pk]))
        self.assertContains(page, "派单")
        self.assertNotContains(page, "注意与物业沟通")

    def test_the_full_phone_is_not_shown(self):
        case = self.register()
        self.follow(case)
        page = self.client.get(reverse("portal:case", args=[case.pk]))
        self.assertNotContains(page, "13812341234")

    def test_wrong_method(self):
        self.assertEqual(self.client.put(self.url).status_code, 405)
        case = self.register()
        self.follow(case)
        self.assertEqual(self.client.post(reverse("portal:case", args=[case.pk])).status_code, 405)

    def test_csrf_is_enforced(self):
        case = self.register()
        response = self.follow(case, client=Client(enforce_csrf_checks=True))
        self.assertEqual(response.status_code, 403)
