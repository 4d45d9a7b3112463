"""The staff case pages: scoped lists, scoped detail, and actions posted through the URL."""

from unittest.mock import patch

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lianxin.cases.models import Case, Status
from lianxin.test import LianxinTestCase, at
from lianxin.workbench.case_actions import HANDLERS
from lianxin.workbench.paging import CappedPaginator


class CaseListTest(LianxinTestCase):
    def test_sign_in_is_required(self):
        response = self.client.get(reverse("workbench:cases"))
        self.assertRedirects(response, reverse("login") + "?next=" + reverse("workbench:cases"))

    def test_a_department_lists_only_its_cases(self):
        mine = self.dispatched()
        theirs = self.dispatched(unit=self.dept_b)
        self.client.force_login(self.handler_a)
        response = self.client.get(reverse("workbench:cases"))
        self.assertContains(response, mine.tracking_number)
        self.assertNotContains(response, theirs.tracking_number)

    def test_the_list_runs_the_same_queries_for_one_case_or_many(self):
        self.client.force_login(self.dispatcher)
        self.dispatched()
        with CaptureQueriesContext(connection) as one:
            self.client.get(reverse("workbench:cases"))
        for _ in range(12):
            self.dispatched(co_units=[self.dept_b])
        with self.assertNumQueries(len(one.captured_queries)):
            response = self.client.get(reverse("workbench:cases"))
        self.assertEqual(len(response.context["rows"]), 13)

    def test_a_page_lists_its_cases_newest_first_and_the_next_page_goes_on(self):
        made = [self.register(when=at(2026, 11, day)) for day in (2, 4, 3)]
        newest_first = sorted(made, key=lambda case: case.registered_at, reverse=True)
        self.client.force_login(self.dispatcher)
        with patch("lianxin.workbench.views.PAGE_SIZE", 2):
            first = self.client.get(reverse("workbench:cases"))
            second = self.client.get(reverse("workbench:cases"), {"page": 2})
        listed = [case for case, _ in first.context["rows"] + second.context["rows"]]
        self.assertEqual(listed, newest_first)
        # The rows come with their units and category: no query per row.
        self.assertEqual(listed[0].category.name, self.category.name)

    def test_the_date_filters_keep_an_iso_date_the_browser_picker_reads(self):
        self.client.force_login(self.dispatcher)
        response = self.client.get(reverse("workbench:cases"), {"registered_from": "2026-11-01"})
        self.assertContains(response, 'type="date" name="registered_from" value="2026-11-01"')

    def test_search_finds_chinese_words_in_title_and_text(self):
        found = self.register(title="小区门口井盖松动", text="井盖一踩就响，晚上很危险。")
        other = self.register()
        self.client.force_login(self.dispatcher)
        response = self.client.get(reverse("workbench:cases"), {"q": "井盖"})
        self.assertContains(response, found.tracking_number)
        self.assertNotContains(response, other.tracking_number)

    def test_a_list_longer_than_the_count_cap_says_more_than_instead_of_counting(self):
        for _ in range(4):
            self.register()
        self.client.force_login(self.dispatcher)
        with mock_cap(3):
            response = self.client.get(reverse("workbench:cases"))
            self.assertTrue(response.context["page"].paginator.capped)
        self.assertContains(response, "超过 3 件")
        with mock_cap(4):
            response = self.client.get(reverse("workbench:cases"))
            self.assertFalse(response.context["page"].paginator.capped)
        self.assertContains(response, "共 4 件")


def mock_cap(cap):
    return patch.object(CappedPaginator, "cap", cap)


class CaseDetailTest(LianxinTestCase):
    def test_a_case_of_another_department_is_not_found(self):
        case = self.dispatched()
        self.client.force_login(self.handler_b)
        self.assertEqual(
            self.client.get(reverse("workbench:case", args=[case.pk])).status_code, 404
        )
        self.assertEqual(self.client.get(reverse("workbench:case", args=[99999])).status_code, 404)

    def test_the_phone_is_masked_on_the_case_page_except_for_the_handling_unit(self):
        case = self.dispatched()
        for user in (self.grid_worker, self.dispatcher, self.leader):
            self.client.force_login(user)
            page = self.client.get(reverse("workbench:case", args=[case.pk]))
            self.assertContains(page, "138****1234")
            self.assertNotContains(page, "13812341234")
        self.client.force_login(self.handler_a)
        page = self.client.get(reverse("workbench:case", args=[case.pk]))
        self.assertContains(page, "13812341234")

    def test_only_the_actions_the_user_may_take_are_offered(self):
        case = self.dispatched()
        self.client.force_login(self.handler_a)
        page = self.client.get(reverse("workbench:case", args=[case.pk])).content.decode()
        self.assertIn(reverse("workbench:case_action", args=[case.pk, "accept"]), page)
        self.assertNotIn(reverse("workbench:case_action", args=[case.pk, "dispatch"]), page)

    def test_markup_in_a_concern_is_shown_as_text(self):
        case = self.register(
            title="<script>alert(1)</script>", text='"><img src=x onerror=alert(1)> 路灯不亮'
        )
        self.client.force_login(self.dispatcher)
        for url in (reverse("workbench:case", args=[case.pk]), reverse("workbench:cases")):
            page = self.client.get(url).content.decode()
            self.assertNotIn("<script>alert(1)</script>", page)
            self.assertNotIn("<img src=x", page)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", page)


class CaseActionTest(LianxinTestCase):
    def post(self, user, case, action, **data):
        self.client.force_login(user)
        return self.client.post(reverse("workbench:case_action", args=[case.pk, action]), data)

    def test_the_office_dispatches_through_the_page(self):
        case = self.register()
        response = self.post(
            self.dispatcher, case, "dispatch", unit=self.dept_a.pk, instruction="请尽快核实"
        )
        self.assertRedirects(response, reverse("workbench:case", args=[case.pk]))
        case = self.reload(case)
        self.assertEqual((case.status, case.lead_unit), (Status.DISPATCHED, self.dept_a))

    def test_the_office_sets_the_grid_while_dispatching(self):
        case = self.register(grid=None)
        self.post(self.dispatcher, case, "dispatch", unit=self.dept_a.pk, grid=self.other_grid.pk)
        self.assertEqual(self.reload(case).street, self.other_street)

    def test_actions_must_be_posted(self):
        case = self.register()
        self.client.force_login(self.dispatcher)
        url = reverse("workbench:case_action", args=[case.pk, "dispatch"])
        self.assertEqual(self.client.get(url).status_code, 405)

    def test_a_refused_action_says_why_and_changes_nothing(self):
        case = self.register()
        response = self.post(self.grid_worker, case, "dispatch", unit=self.dept_a.pk)
        self.assertEqual(self.reload(case).status, Status.REGISTERED)
        self.assertContains(response, "您无权对该诉求执行“派单”。", status_code=400)

    def test_every_action_on_another_departments_case_is_not_found(self):
        case = self.in_progress()
        part = case.parts.get()
        before = (self.reload(case).status, case.events.count())
        for action in [*HANDLERS, "check_in"]:
            with self.subTest(action=action):
                response = self.post(
                    self.handler_b, case, action, part=part.pk, note="x", reason="x", text="x" * 20
                )
                self.assertEqual(response.status_code, 404)
        self.assertEqual((self.reload(case).status, case.events.count()), before)

    def test_a_part_of_another_case_cannot_be_smuggled_in(self):
        mine = self.dispatched()
        theirs = self.dispatched(unit=self.dept_b)
        response = self.post(self.handler_a, mine, "accept", part=theirs.parts.get().pk)
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.reload(theirs).status, Status.DISPATCHED)

    def test_a_post_without_the_csrf_token_is_refused(self):
        case = self.register()
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.dispatcher)
        url = reverse("workbench:case_action", args=[case.pk, "dispatch"])
        self.assertEqual(client.post(url, {"unit": self.dept_a.pk}).status_code, 403)
        self.assertEqual(Case.objects.get(pk=case.pk).status, Status.REGISTERED)

    def test_the_whole_loop_through_the_pages(self):
        case = self.register()
        self.post(self.dispatcher, case, "dispatch", unit=self.dept_a.pk)
        self.post(self.handler_a, case, "accept", part=case.parts.get().pk)
        self.post(self.handler_a, case, "reply", text="已安排维修人员三个工作日内更换灯具。")
        self.post(self.handler_a, case, "resolve", note="已更换灯具，夜间照明恢复正常。")
        self.post(self.dispatcher, case, "verify", passed="1", on_site="on")
        # The resident rates on his own page in /m/; the staff pages are not his.
        self.client.force_login(self.resident)
        rate = reverse("portal:rate", args=[case.pk])
        self.client.post(rate, {"satisfaction": "satisfied", "solved": "yes"})
        self.assertEqual(self.reload(case).status, Status.CLOSED)
        self.assertEqual(
            list(case.events.values_list("code", "actor__username")),
            [
                ("cases.case.registered", "grid_worker"),
                ("cases.case.dispatched", "dispatcher"),
                ("cases.part.accepted", "handler_a"),
                ("cases.case.replied", "handler_a"),
                ("cases.case.resolved", "handler_a"),
                ("cases.case.verified", "dispatcher"),
                ("cases.case.return_visited", "resident"),
            ],
        )


class InPlaceActionTest(LianxinTestCase):
    def test_an_htmx_action_returns_the_case_fragment_updated(self):
        case = self.dispatched()
        self.client.force_login(self.handler_a)
        response = self.client.post(
            reverse("workbench:case_action", args=[case.pk, "accept"]),
            {"part": case.parts.get().pk},
            headers={"HX-Request": "true"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "<html")
        self.assertContains(response, "已完成：接单")
        self.assertContains(response, '<span class="status s-in_progress">办理中</span>', html=True)

    def test_a_refusal_in_place_shows_the_reason(self):
        case = self.register()
        self.client.force_login(self.grid_worker)
        response = self.client.post(
            reverse("workbench:case_action", args=[case.pk, "dispatch"]),
            {"unit": self.dept_a.pk},
            headers={"HX-Request": "true"},
        )
        self.assertContains(response, "您无权对该诉求执行“派单”。")

    def test_a_unit_that_returns_a_case_goes_back_to_its_inbox(self):
        case = self.dispatched()
        self.client.force_login(self.handler_a)
        url = reverse("workbench:case_action", args=[case.pk, "return"])
        data = {"part": case.parts.get().pk, "reason": "不属于本部门职责"}
        response = self.client.post(url, data, headers={"HX-Request": "true"})
        self.assertEqual(response["HX-Redirect"], reverse("workbench:home"))

    def test_without_javascript_a_return_also_lands_on_the_inbox(self):
        case = self.dispatched()
        self.client.force_login(self.handler_a)
        url = reverse("workbench:case_action", args=[case.pk, "return"])
        response = self.client.post(url, {"part": case.parts.get().pk, "reason": "不属于本部门"})
        self.assertRedirects(response, reverse("workbench:home"))


class EveryOfferedActionHasAHandlerTest(LianxinTestCase):
    def test_each_rule_can_be_posted(self):
        from lianxin.cases.rules import RULES

        self.assertEqual(set(RULES) - set(HANDLERS), {"check_in"})  # check-in posts as accept


class RefusedFormTest(LianxinTestCase):
    """A refusal puts the form back open, with what was typed, under the reason."""

    def test_a_refused_note_comes_back_open_with_its_box_ticked_and_one_message(self):
        case = self.register()
        self.client.force_login(self.dispatcher)
        url = reverse("workbench:case_action", args=[case.pk, "note"])
        response = self.client.post(url, {"note": "   ", "public": "on"})
        page = response.content.decode()
        self.assertEqual(response.status_code, 400)
        self.assertEqual(page.count("请填写办理记录。"), 1)
        note_form = page.split("<summary>办理记录</summary>", 1)[0].rsplit("<details", 1)[1]
        self.assertEqual(note_form.strip(), "open>")
        self.assertIn('name="public" checked', page)

    def test_a_refused_dispatch_keeps_the_unit_the_note_and_the_co_units(self):
        case = self.register()
        self.client.force_login(self.dispatcher)
        url = reverse("workbench:case_action", args=[case.pk, "split"])
        note = "请城管局牵头，三日内到现场查看。"
        # The same unit as lead and co-handler is refused by the action.
        data = {"unit": self.dept_a.pk, "co_units": [self.dept_a.pk], "instruction": note}
        response = self.client.post(url, data, headers={"HX-Request": "true"})
        page = response.content.decode()
        self.assertEqual(self.reload(case).status, Status.REGISTERED)
        self.assertIn(f">{note}</textarea>", page)
        self.assertIn(f'value="{self.dept_a.pk}" checked', page)
        self.assertRegex(page, rf'<option value="{self.dept_a.pk}" data-code="[^"]*" selected>')


class UnitPickerTest(LianxinTestCase):
    def picker(self, case):
        self.client.force_login(self.dispatcher)
        page = self.client.get(reverse("workbench:case", args=[case.pk])).content.decode()
        return page.split('id="dispatch-unit"', 1)[1].split("</select>", 1)[0]

    def test_nothing_is_chosen_until_the_dispatcher_picks(self):
        picker = self.picker(self.register())
        self.assertIn("required", picker.split(">", 1)[0])
        self.assertNotIn("selected", picker)

    def test_units_are_grouped_by_kind_with_the_categorys_unit_first(self):
        case = self.register()
        picker = self.picker(case)
        labels = [part.split('"', 1)[0] for part in picker.split('<optgroup label="')[1:]]
        # The test district has no public enterprise, so that group is left out.
        self.assertEqual(labels, ["推荐", "职能部门", "街镇", "社区", "网格"])
        recommended = picker.split('<optgroup label="推荐">', 1)[1].split("</optgroup>")[0]
        self.assertIn(f'value="{case.category.default_unit_id}"', recommended)

    def test_units_dispatched_to_lately_come_first(self):
        first, second = self.register(), self.register()
        self.client.force_login(self.dispatcher)
        self.client.post(
            reverse("workbench:case_action", args=[first.pk, "dispatch"]), {"unit": self.dept_b.pk}
        )
        recommended = self.picker(second).split('<optgroup label="推荐">', 1)[1]
        recommended = recommended.split("</optgroup>")[0]
        self.assertIn(f'value="{self.dept_b.pk}"', recommended)
