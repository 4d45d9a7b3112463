"""The inbox: each role's work queues, counted, and each count opening exactly its cases."""

import time_machine
from django.urls import reverse

from lianxin.cases.queues import queue_cases, queue_counts
from lianxin.test import LianxinTestCase, at


class InboxTest(LianxinTestCase):
    def setUp(self):
        self.new = self.register()
        self.assigned = self.dispatched()
        self.working = self.in_progress()
        self.returned = self.case_in("returned")
        self.resolved_case = self.resolved()
        self.verified_case = self.verified()
        self.late = self.dispatched(when=at(2026, 1, 5))  # long past its reply deadline

    def counts(self, user):
        return {queue.code: count for queue, count in queue_counts(user)}

    def test_the_office_sees_what_waits_on_the_office(self):
        counts = self.counts(self.dispatcher)
        self.assertEqual(counts["to_dispatch"], 1)
        self.assertEqual(counts["returned"], 1)
        self.assertEqual(counts["to_verify"], 1)
        self.assertEqual(counts["to_revisit"], 1)
        self.assertGreaterEqual(counts["overdue"], 1)
        self.assertNotIn("to_accept", counts)

    def test_a_department_sees_what_it_must_accept_and_handle(self):
        counts = self.counts(self.handler_a)
        self.assertEqual(counts["to_accept"], 2)  # `assigned` and `late`
        self.assertEqual(counts["in_progress"], 1)
        self.assertNotIn("to_dispatch", counts)
        self.assertEqual(self.counts(self.handler_b)["to_accept"], 0)

    def test_every_count_opens_exactly_its_cases(self):
        for user in (self.dispatcher, self.handler_a, self.grid_worker, self.leader):
            for queue, count in queue_counts(user):
                with self.subTest(user=user.username, queue=queue.code):
                    self.client.force_login(user)
                    response = self.client.get(reverse("workbench:cases"), {"queue": queue.code})
                    self.assertEqual(response.context["page"].paginator.count, count)
                    self.assertEqual(queue_cases(user, queue.code).count(), count)

    def test_leaders_see_overdue_cases_by_unit_and_each_count_opens_its_cases(self):
        self.client.force_login(self.leader)
        page = self.client.get(reverse("workbench:home"))
        rows = page.context["overdue_by_unit"]
        self.assertEqual([(r["lead_unit__name"], r["count"]) for r in rows], [("区城市管理局", 1)])
        listed = self.client.get(
            reverse("workbench:cases"), {"queue": "overdue", "unit": self.dept_a.pk}
        )
        self.assertEqual([case for case, _ in listed.context["rows"]], [self.late])

    def test_a_queue_that_is_not_yours_is_not_found(self):
        self.client.force_login(self.handler_a)
        response = self.client.get(reverse("workbench:cases"), {"queue": "to_verify"})
        self.assertEqual(response.status_code, 404)

    def test_the_inbox_page_counts_in_a_fixed_number_of_queries(self):
        self.client.force_login(self.dispatcher)
        # Session, user, memberships, all the counts, the overdue cases by unit, and the
        # visits due among the households one visits (his pairs, then all their counts).
        with self.assertNumQueries(7):
            page = self.client.get(reverse("workbench:home"))
        self.assertContains(page, "待核查")

    def test_a_resident_who_signs_in_here_lands_on_his_own_cases(self):
        self.client.force_login(self.resident)
        self.assertRedirects(self.client.get(reverse("workbench:home")), reverse("portal:mine"))

    def test_signing_in_lands_on_the_inbox(self):
        response = self.client.post(
            reverse("login"), {"username": "handler_a", "password": "pw-handler_a"}
        )
        self.assertRedirects(response, reverse("workbench:home"))


class FilterTest(LianxinTestCase):
    def test_filters_narrow_the_list_and_keep_what_was_chosen(self):
        phone = self.register(channel="phone", title="供暖不热")
        self.register(channel="patrol")
        self.client.force_login(self.dispatcher)
        page = self.client.get(reverse("workbench:cases"), {"channel": "phone"})
        self.assertEqual([case for case, _ in page.context["rows"]], [phone])
        self.assertContains(page, '<option value="phone" selected>')

    def test_a_backwards_date_range_is_explained_and_not_applied(self):
        self.register()
        self.client.force_login(self.dispatcher)
        page = self.client.get(
            reverse("workbench:cases"),
            {"registered_from": "2026-10-10", "registered_to": "2026-10-01"},
        )
        self.assertContains(page, "结束日期不能早于开始日期。")
        self.assertEqual(page.context["page"].paginator.count, 1)

    def test_sorting_by_deadline_puts_the_nearest_first(self):
        # Both run against their reply deadline (the resolution is never due before it).
        later = self.register(category=None, when=at(2026, 9, 3))  # reply due 14 September
        sooner = self.register(when=at(2026, 9, 2))  # reply due 11 September
        self.client.force_login(self.dispatcher)
        page = self.client.get(reverse("workbench:cases"), {"sort": "deadline"})
        self.assertEqual([case for case, _ in page.context["rows"]], [sooner, later])

    @time_machine.travel(at(2026, 10, 13, 10), tick=False)
    def test_overdue_and_due_soon_filters(self):
        late = self.dispatched(when=at(2026, 9, 20), category=None)  # reply due 30 September
        soon = self.dispatched(when=at(2026, 9, 30), category=None)  # due 15 October: 2 left
        self.dispatched(when=at(2026, 10, 12), category=None)  # due 21 October
        self.client.force_login(self.dispatcher)
        for choice, expected in (("overdue", [late]), ("due_soon", [soon])):
            with self.subTest(deadline=choice):
                page = self.client.get(reverse("workbench:cases"), {"deadline": choice})
                self.assertEqual([case for case, _ in page.context["rows"]], expected)


class InboxPageTest(LianxinTestCase):
    def test_the_page_title_is_just_the_title(self):
        self.dispatched(when=at(2026, 1, 5))
        self.client.force_login(self.leader)
        page = self.client.get(reverse("workbench:home")).content.decode()
        title = page[page.index("<title>") : page.index("</title>")]
        self.assertNotIn("<", title[len("<title>") :])
