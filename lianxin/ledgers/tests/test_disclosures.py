"""Every view of a resident's whole phone number is logged, and the office reads the log."""

import csv
import io

import time_machine
from django.urls import reverse

from lianxin.accounts.models import Disclosure
from lianxin.test import LianxinTestCase, at


def logged(user=None):
    rows = Disclosure.objects.order_by("pk")
    if user is not None:
        rows = rows.filter(user=user)
    return list(rows.values_list("subject", "object_id", "fields", "place"))


@time_machine.travel(at(2026, 6, 17), tick=False)
class PhoneViewsAreLoggedTest(LianxinTestCase):
    def test_the_return_visit_list_logs_each_phone_it_shows(self):
        shown, anonymous = self.verified(), self.verified(resident_phone="", resident=None)
        self.client.force_login(self.dispatcher)
        page = self.client.get(reverse("workbench:return_visits"))
        self.assertContains(page, "13812341234")
        self.assertEqual(
            logged(self.dispatcher), [("case", shown.pk, "phone", "workbench:return_visits")]
        )
        self.assertNotIn(anonymous.pk, [row[1] for row in logged()])

    def test_the_case_page_logs_the_handler_who_sees_the_whole_phone(self):
        case = self.in_progress()
        self.client.force_login(self.handler_a)
        self.assertContains(
            self.client.get(reverse("workbench:case", args=[case.pk])), "13812341234"
        )
        self.assertEqual(logged(self.handler_a), [("case", case.pk, "phone", "workbench:case")])

    def test_a_masked_phone_is_not_logged(self):
        case = self.in_progress()
        self.client.force_login(self.leader)
        page = self.client.get(reverse("workbench:case", args=[case.pk]))
        self.assertContains(page, "138****1234")
        self.assertNotContains(page, "13812341234")
        self.assertEqual(logged(), [])

    def test_the_call_list_export_logs_its_phones_once_written(self):
        case = self.verified()
        self.client.force_login(self.dispatcher)
        response = self.client.get(reverse("ledgers:export", args=["return_visit_calls", "csv"]))
        self.assertIn("13812341234", b"".join(response.streaming_content).decode("utf-8-sig"))
        self.assertEqual(
            logged(self.dispatcher), [("case", case.pk, "phone", "ledgers:return_visit_calls")]
        )


@time_machine.travel(at(2026, 6, 17), tick=False)
class DisclosureLogPageTest(LianxinTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build_registers(cls)

    def setUp(self):
        self.case = self.in_progress()
        self.other = self.in_progress(resident_name="陈建华", resident_phone="13812345678")
        with time_machine.travel(at(2026, 6, 10), tick=False):
            self.view_case(self.handler_a, self.case)
        with time_machine.travel(at(2026, 6, 16), tick=False):
            self.view_case(self.handler_a, self.other)
            self.client.force_login(self.community_staff)
            self.client.get(reverse("registry:household", args=[self.household.pk]))
        self.client.logout()

    def view_case(self, user, case):
        self.client.force_login(user)
        self.client.get(reverse("workbench:case", args=[case.pk]))

    def page(self, user=None, **params):
        self.client.force_login(user or self.dispatcher)
        return self.client.get(reverse("ledgers:disclosures"), params)

    def test_the_office_reads_who_saw_what_and_when(self):
        page = self.page()
        self.assertEqual(page.status_code, 200)
        rows = page.context["rows"]
        self.assertEqual(
            [(r["row"].user, r["name"], r["fields"]) for r in rows],
            [
                (self.community_staff, self.household.address, "电话、标签"),
                (self.handler_a, self.other.tracking_number, "电话"),
                (self.handler_a, self.case.tracking_number, "电话"),
            ],
        )
        self.assertContains(page, reverse("workbench:case", args=[self.case.pk]))
        self.assertContains(page, "2026-06-10 10:00:00")
        # The log itself shows no phone unmasked, and reading it is not logged.
        self.assertNotContains(page, "13812341234")
        self.assertEqual(Disclosure.objects.filter(user=self.dispatcher).count(), 0)

    def names(self, **params):
        return [r["name"] for r in self.page(**params).context["rows"]]

    def test_filter_by_staff_member(self):
        self.assertEqual(self.names(viewer="community_staff"), [self.household.address])
        self.assertEqual(len(self.names(viewer="handler_a")), 2)

    def test_filter_by_case_resident_or_household(self):
        self.assertEqual(self.names(about=self.case.tracking_number), [self.case.tracking_number])
        # 王秀兰 is the first case's resident and the household's head.
        self.assertEqual(
            self.names(about="王秀兰"), [self.household.address, self.case.tracking_number]
        )
        self.assertEqual(self.names(about="13812345678"), [self.other.tracking_number])
        self.assertEqual(self.names(subject="household"), [self.household.address])

    def test_filter_by_date(self):
        self.assertEqual(
            self.names(start="2026-06-10", end="2026-06-10"), [self.case.tracking_number]
        )
        self.assertEqual(len(self.names(start="2026-06-16")), 2)
        page = self.page(start="2026-06-16", end="2026-06-10")
        self.assertContains(page, "起始日期不能晚于结束日期。")
        self.assertEqual(page.context["rows"], [])

    def test_the_log_is_paginated_in_a_constant_number_of_queries(self):
        for _ in range(60):
            self.view_case(self.handler_a, self.case)
        self.client.force_login(self.dispatcher)
        with self.assertNumQueries(6):  # session, user, standing, count, page, their cases
            page = self.client.get(reverse("ledgers:disclosures"), {"viewer": "handler_a"})
        self.assertEqual(len(page.context["rows"]), 50)
        second = self.page(viewer="handler_a", page=2)
        self.assertEqual(len(second.context["rows"]), 12)
        self.assertContains(self.page(viewer="handler_a"), "viewer=handler_a&amp;page=2")

    def test_the_log_exports_with_the_pages_filters(self):
        self.client.force_login(self.dispatcher)
        response = self.client.get(
            reverse("ledgers:export", args=["disclosures", "csv"]), {"viewer": "handler_a"}
        )
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        self.assertEqual(rows[0][:3], ["时间", "查看人", "账号"])
        self.assertEqual(
            [row[4] for row in rows[1:]], [self.other.tracking_number, self.case.tracking_number]
        )

    def test_administrators_read_it_too(self):
        self.assertEqual(self.page(self.admin).status_code, 200)

    def test_nobody_else_finds_the_log(self):
        for user in (self.handler_a, self.leader, self.community_staff, self.resident):
            self.assertEqual(self.page(user).status_code, 404, user)
            self.client.force_login(user)
            export = self.client.get(reverse("ledgers:export", args=["disclosures", "csv"]))
            self.assertEqual(export.status_code, 404, user)
        self.client.logout()
        self.assertEqual(self.client.get(reverse("ledgers:disclosures")).status_code, 302)

    def test_the_link_is_in_the_office_bar_only(self):
        self.assertContains(self.page(), reverse("ledgers:disclosures"))
        self.client.force_login(self.handler_a)
        home = self.client.get(reverse("workbench:home"))
        self.assertNotContains(home, reverse("ledgers:disclosures"))
