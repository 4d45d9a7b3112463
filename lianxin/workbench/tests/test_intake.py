"""Staff recording concerns for residents, a forum's suggestions, and the return-visit list."""

from django.urls import reverse

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
        self.assertTrue(cases[0].text.startswith("福临社区居民议事会"))

    def test_a_forum_needs_at_least_one_suggestion(self):
        self.client.force_login(self.community_staff)
        data = {
            "forum-grid": self.grid.pk,
            "forum-address": "福临社区",
            "forum-meeting": "议事会",
            "s-TOTAL_FORMS": 2,
            "s-INITIAL_FORMS": 0,
            "s-MIN_NUM_FORMS": 1,
            "s-MAX_NUM_FORMS": 30,
        }
        response = self.client.post(reverse("workbench:forum"), data)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(Case.objects.count(), 0)


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
