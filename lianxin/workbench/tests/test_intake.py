"""Staff recording concerns for residents, a forum's suggestions, and the return-visit list."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from lianxin.cases.models import Case, Status
from lianxin.test import LianxinTestCase


class IntakeTest(LianxinTestCase):
    def form(self, **changes):
        data = {
            "channel": "phone",
            "resident_name": "赵大爷",
            "resident_phone": "13912345678",
            "grid": self.grid.pk,
            "address": "福临苑小区5号楼",
            "category": self.category.pk,
            "urgency": "normal",
            "title": "楼道灯坏了",
            "text": "5号楼2单元楼道灯坏了半个月。",
            "key": "k1",
        }
        data.update(changes)
        return data

    def test_a_call_is_registered_on_the_residents_behalf(self):
        self.client.force_login(self.dispatcher)
        response = self.client.post(reverse("workbench:intake"), self.form())
        case = Case.objects.get()
        self.assertRedirects(response, reverse("workbench:case", args=[case.pk]))
        self.assertEqual(
            (case.channel, case.recorded_by, case.grid), ("phone", self.dispatcher, self.grid)
        )

    def test_a_leader_records_what_he_heard_at_a_visit(self):
        # Leaders are staff: they pass the staff gate and the intake page is theirs too.
        self.client.force_login(self.leader)
        response = self.client.post(reverse("workbench:intake"), self.form(channel="visit"))
        case = Case.objects.get()
        self.assertRedirects(response, reverse("workbench:case", args=[case.pk]))
        self.assertEqual((case.recorded_by, case.status), (self.leader, Status.REGISTERED))

    def test_the_same_form_sent_twice_makes_one_case(self):
        self.client.force_login(self.grid_worker)
        self.client.post(reverse("workbench:intake"), self.form(channel="visit"))
        self.client.post(reverse("workbench:intake"), self.form(channel="visit"))
        self.assertEqual(Case.objects.count(), 1)

    def test_bad_input_is_explained_and_what_was_typed_is_kept(self):
        self.client.force_login(self.dispatcher)
        response = self.client.post(
            reverse("workbench:intake"), self.form(resident_phone="12345", title="")
        )
        self.assertEqual(Case.objects.count(), 0)
        self.assertContains(response, "这个字段是必填项。")
        self.assertContains(response, 'value="12345"')
        self.assertContains(response, "5号楼2单元楼道灯坏了半个月。")
        response = self.client.post(reverse("workbench:intake"), self.form(resident_phone="12345"))
        self.assertContains(response, "联系电话格式不正确")
        self.assertEqual(Case.objects.count(), 0)

    def test_residents_have_no_intake_page(self):
        self.client.force_login(self.resident)
        self.assertEqual(self.client.get(reverse("workbench:intake")).status_code, 404)


class ForumTest(LianxinTestCase):
    def test_a_forums_suggestions_are_registered_and_offered_for_claiming(self):
        self.client.force_login(self.community_staff)
        data = {
            "forum-grid": self.grid.pk,
            "forum-address": "福临社区党群服务中心",
            "forum-meeting": "福临社区居民议事会",
            "forum-held_on": "2026-06-10",
            "s-TOTAL_FORMS": 3,
            "s-INITIAL_FORMS": 0,
            "s-MIN_NUM_FORMS": 1,
            "s-MAX_NUM_FORMS": 30,
            "s-0-title": "增设电动车充电桩",
            "s-0-text": "小区电动车多，充电难。",
            "s-1-title": "修缮健身器材",
            "s-1-text": "广场健身器材老化。",
        }
        response = self.client.post(reverse("workbench:forum"), data)
        self.assertRedirects(response, reverse("workbench:home"))
        cases = Case.objects.order_by("pk")
        self.assertEqual([c.title for c in cases], ["增设电动车充电桩", "修缮健身器材"])
        self.assertTrue(all(c.open_for_claim and c.channel == "meeting" for c in cases))
        self.assertTrue(cases[0].text.startswith("2026-06-10 福临社区居民议事会："))

    def test_a_forum_needs_at_least_one_suggestion(self):
        self.client.force_login(self.community_staff)
        data = {
            "forum-grid": self.grid.pk,
            "forum-address": "福临社区",
            "forum-meeting": "议事会",
            "forum-held_on": "2026-06-10",
            "s-TOTAL_FORMS": 2,
            "s-INITIAL_FORMS": 0,
            "s-MIN_NUM_FORMS": 1,
            "s-MAX_NUM_FORMS": 30,
        }
        response = self.client.post(reverse("workbench:forum"), data)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(Case.objects.count(), 0)

    def test_a_forum_cannot_be_held_in_the_future(self):
        self.client.force_login(self.community_staff)
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        data = {
            "forum-grid": self.grid.pk,
            "forum-address": "福临社区",
            "forum-meeting": "议事会",
            "forum-held_on": tomorrow.isoformat(),
            "s-TOTAL_FORMS": 1,
            "s-INITIAL_FORMS": 0,
            "s-MIN_NUM_FORMS": 1,
            "s-MAX_NUM_FORMS": 30,
            "s-0-title": "增设电动车充电桩",
            "s-0-text": "小区电动车多，充电难。",
        }
        response = self.client.post(reverse("workbench:forum"), data)
        self.assertContains(response, "会议日期不能晚于今天。")
        self.assertEqual(Case.objects.count(), 0)


class IntakeDefaultsTest(LianxinTestCase):
    def initial(self, user):
        self.client.force_login(user)
        return self.client.get(reverse("workbench:intake")).context["form"].initial

    def test_the_office_seat_starts_on_the_phone_channel(self):
        self.assertEqual(self.initial(self.dispatcher), {"channel": "phone"})

    def test_a_grid_worker_starts_on_patrol_in_his_own_grid(self):
        self.assertEqual(
            self.initial(self.grid_worker), {"channel": "patrol", "grid": self.grid.pk}
        )

    def test_the_channel_last_used_comes_back(self):
        self.client.force_login(self.dispatcher)
        self.client.post(
            reverse("workbench:intake"),
            {
                "channel": "visit",
                "grid": self.grid.pk,
                "address": "福临苑小区5号楼",
                "urgency": "normal",
                "title": "楼道灯坏了",
                "text": "5号楼2单元楼道灯坏了半个月。",
                "key": "k1",
            },
        )
        self.assertEqual(Case.objects.get().channel, "visit")
        self.assertEqual(self.initial(self.dispatcher)["channel"], "visit")

    def test_required_fields_are_marked(self):
        self.client.force_login(self.dispatcher)
        page = self.client.get(reverse("workbench:intake")).content.decode()
        self.assertIn('<label for="id_title">标题 <span class="required"', page)
        self.assertIn('<label for="id_resident_name">群众姓名</label>', page)


class CallerCasesTest(LianxinTestCase):
    def test_the_callers_earlier_cases_are_shown_as_his_phone_is_typed(self):
        mine = self.dispatched(resident_phone="13912345678", title="楼道灯坏了")
        theirs = self.dispatched(unit=self.dept_b, resident_phone="13912345678")
        self.register(resident_phone="13800000000")
        self.client.force_login(self.handler_a)
        url = reverse("workbench:caller_cases")
        page = self.client.post(url, {"resident_phone": "139-1234-5678"}).content.decode()
        self.assertIn(mine.tracking_number, page)
        self.assertNotIn(theirs.tracking_number, page)  # not his to see
        self.assertIn("该来电号码此前的诉求（1 件）", page)
        nothing = self.client.post(url, {"resident_phone": "13700000000"}).content.decode()
        self.assertIn("该号码此前没有诉求记录。", nothing)

    def test_the_phone_never_travels_in_a_url(self):
        self.client.force_login(self.dispatcher)
        self.assertEqual(self.client.get(reverse("workbench:caller_cases")).status_code, 405)
        page = self.client.get(reverse("workbench:intake")).content.decode()
        self.assertIn('hx-post="/intake/caller/"', page)


class ReturnVisitListTest(LianxinTestCase):
    def test_the_office_sees_the_whole_phone_and_records_the_result_in_one_step(self):
        case = self.verified()
        self.client.force_login(self.dispatcher)
        page = self.client.get(reverse("workbench:return_visits"))
        self.assertContains(page, "13812341234")
        response = self.client.post(
            reverse("workbench:case_action", args=[case.pk, "return_visit"]),
            {
                "method": "phone",
                "satisfaction": "satisfied",
                "solved": "1",
                "next": "return_visits",
            },
        )
        self.assertRedirects(response, reverse("workbench:return_visits"))
        self.assertEqual(self.reload(case).status, Status.CLOSED)

    def test_only_the_office_has_the_list(self):
        for user in (self.handler_a, self.leader, self.resident):
            self.client.force_login(user)
            self.assertEqual(self.client.get(reverse("workbench:return_visits")).status_code, 404)

    def test_no_answer_is_preset_for_the_resident(self):
        self.verified()
        self.client.force_login(self.dispatcher)
        page = self.client.get(reverse("workbench:return_visits")).content.decode()
        form = page.split('class="visit"', 1)[1].split("</form>", 1)[0]
        self.assertIn('<option value="">请选择</option><option value="satisfied">', form)
        self.assertNotIn("selected", form)
        self.assertIn('name="solved" required><option value="">请选择</option>', form)

    def test_a_call_that_reached_nobody_comes_back_the_next_working_day(self):
        called = self.verified(title="楼道灯坏了")
        waiting = self.verified(title="井盖松动")
        self.client.force_login(self.dispatcher)
        url = reverse("workbench:case_action", args=[called.pk, "unreached_call"])
        response = self.client.post(url, {"note": "无人接听", "next": "return_visits"})
        self.assertRedirects(response, reverse("workbench:return_visits"))
        called = self.reload(called)
        self.assertEqual((called.status, called.unreached_calls), (Status.VERIFIED, 1))
        self.assertEqual(called.satisfaction, "")  # no verdict invented
        page = self.client.get(reverse("workbench:return_visits")).content.decode()
        # The one still to call is first; the unreached one waits below with its next try.
        self.assertLess(page.index("井盖松动"), page.index("楼道灯坏了"))
        self.assertIn("未接通 1 次", page)
        self.assertIn(f"{timezone.localtime(called.call_again_at):%m-%d %H:%M} 再次回访", page)
        self.assertEqual(self.reload(waiting).unreached_calls, 0)

    def test_the_list_is_searched_by_name_or_title(self):
        self.verified(title="楼道灯坏了", resident_name="孙丽华")
        self.verified(title="井盖松动", resident_name="李建国")
        self.client.force_login(self.dispatcher)
        url = reverse("workbench:return_visits")
        page = self.client.get(url, {"q": "孙丽华"}).content.decode()
        self.assertIn("楼道灯坏了", page)
        self.assertNotIn("井盖松动", page)
        self.assertIn("共 1 件", self.client.get(url, {"q": "井盖"}).content.decode())
