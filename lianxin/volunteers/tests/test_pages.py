"""The staff pages: scoped (not yours is a 404), residents masked, every form through its
action, the ledgers and the roster template."""

import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from lianxin.programs.models import WishClaim
from lianxin.volunteers import actions
from lianxin.volunteers.models import (
    Activity,
    Assignment,
    Participation,
    PartnerUnit,
    ReportIn,
    Team,
)
from lianxin.volunteers.tests.builders import VolunteersTestCase, png


class PagesTestCase(VolunteersTestCase):
    def setUp(self):
        super().setUp()
        self.red = self.team()
        self.zhang = self.member(self.red)
        self.li = self.member(self.red, name="李明", phone="13900003333")


class TeamPagesTest(PagesTestCase):
    def test_the_community_sees_its_teams_with_hours_and_residents_masked(self):
        self.activity(self.red, [(self.zhang, "2.5"), (self.li, "1")])
        self.client.force_login(self.community_staff)
        page = self.client.get(reverse("volunteers:teams"))
        self.assertContains(page, "福临社区红马甲志愿服务队")
        self.assertContains(page, "1 次活动，2 人次，3.5 小时，解决问题 0 个。")
        team = self.client.get(reverse("volunteers:team", args=[self.red.pk]))
        self.assertContains(team, "张**")
        self.assertContains(team, "139****1111")
        self.assertNotContains(team, "张桂芬")
        self.assertNotContains(team, "13900001111")

    def test_another_community_gets_a_404_and_an_empty_list(self):
        self.client.force_login(self.other_community_staff)
        self.assertEqual(
            self.client.get(reverse("volunteers:team", args=[self.red.pk])).status_code, 404
        )
        self.assertNotContains(self.client.get(reverse("volunteers:teams")), "红马甲")
        url = reverse("volunteers:record_activity", args=[self.red.pk])
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_a_resident_has_no_staff_pages(self):
        self.client.force_login(self.resident)
        # Not his: a 404, as for cases (a redirect to sign in would tell him nothing).
        for name in ("volunteers:teams", "volunteers:ranking", "volunteers:partners"):
            with self.subTest(page=name):
                self.assertEqual(self.client.get(reverse(name)).status_code, 404)

    def test_the_team_list_costs_the_same_queries_for_more_teams(self):
        self.client.force_login(self.dispatcher)
        url = reverse("volunteers:teams")
        self.client.get(url)
        with CaptureQueriesContext(connection) as two:
            self.client.get(url)
        for n in range(5):
            team = self.team(f"队伍{n}")
            self.activity(team, [(self.member(team, name=f"队员{n}", phone=""), 1)])
        with self.assertNumQueries(len(two.captured_queries)):
            self.client.get(url)

    def test_creating_a_team_and_adding_a_member(self):
        self.client.force_login(self.community_staff)
        response = self.client.post(
            reverse("volunteers:teams"), {"name": "银发互助队", "unit": self.community.pk}
        )
        team = Team.objects.get(name="银发互助队")
        self.assertRedirects(response, reverse("volunteers:team", args=[team.pk]))
        url = reverse("volunteers:team", args=[team.pk])
        response = self.client.post(url, {"name": "孙大爷", "phone": "13600001234", "leader": "on"})
        self.assertRedirects(response, url)
        self.assertTrue(team.members.get().leader)
        bad = self.client.post(url, {"name": "孙大爷", "phone": "123"})
        self.assertEqual(bad.status_code, 400)
        self.assertContains(bad, "电话号码格式不正确", status_code=400)

    def test_a_team_of_another_community_cannot_be_made(self):
        self.client.force_login(self.community_staff)
        response = self.client.post(
            reverse("volunteers:teams"), {"name": "x", "unit": self.other_community.pk}
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Team.objects.filter(name="x").exists())


class ActivityPagesTest(PagesTestCase):
    def url(self):
        return reverse("volunteers:record_activity", args=[self.red.pk])

    def test_recording_an_activity_with_hours_photo_and_a_case(self):
        case = self.register()
        self.client.force_login(self.community_staff)
        self.assertEqual(self.client.get(self.url()).status_code, 200)
        response = self.client.post(
            self.url(),
            {
                "title": "敬老院义诊",
                "date": "2026-06-16",
                "place": "福临敬老院",
                f"hours-{self.zhang.pk}": "2",
                f"hours-{self.li.pk}": "",
                "cases": case.tracking_number,
                "photos": [png()],
            },
        )
        activity = Activity.objects.get()
        self.assertRedirects(response, reverse("volunteers:activity", args=[activity.pk]))
        self.assertEqual(
            list(Participation.objects.values_list("member", "hours")), [(self.zhang.pk, 2)]
        )
        page = self.client.get(reverse("volunteers:activity", args=[activity.pk]))
        self.assertContains(page, case.tracking_number)
        photo = activity.photos.get()
        image = self.client.get(reverse("volunteers:activity_photo", args=[activity.pk, photo.pk]))
        self.assertEqual(image.status_code, 200)
        self.client.force_login(self.other_community_staff)
        self.assertEqual(
            self.client.get(reverse("volunteers:activity", args=[activity.pk])).status_code, 404
        )

    def test_refusals_come_back_on_the_form(self):
        self.client.force_login(self.community_staff)
        data = {"title": "x", "date": "2026-06-16", "place": "x"}
        nobody = self.client.post(self.url(), data)
        self.assertContains(nobody, "请至少登记一名参与队员", status_code=400)
        bad = self.client.post(self.url(), {**data, f"hours-{self.zhang.pk}": "30"})
        self.assertContains(bad, "0.5到24小时", status_code=400)
        unknown = self.client.post(
            self.url(), {**data, f"hours-{self.zhang.pk}": "1", "cases": "NO-SUCH"}
        )
        self.assertContains(unknown, "找不到", status_code=400)
        elsewhere = self.register(community=self.other_community, grid=self.other_grid)
        hidden = self.client.post(
            self.url(), {**data, f"hours-{self.zhang.pk}": "1", "cases": elsewhere.tracking_number}
        )
        self.assertContains(hidden, "找不到", status_code=400)
        self.assertFalse(Activity.objects.exists())

    def test_the_wrong_method_is_refused(self):
        self.client.force_login(self.community_staff)
        self.assertEqual(self.client.put(self.url()).status_code, 405)


class ReportInPagesTest(PagesTestCase):
    def test_the_community_registers_and_assigns_and_the_person_finishes(self):
        self.client.force_login(self.community_staff)
        response = self.client.post(
            reverse("volunteers:report_ins"),
            {
                "name": "经办人甲",
                "phone": "",
                "employer": self.dept_a.pk,
                "community": self.community.pk,
                "reported_on": "2026-06-01",
                "party_member": "on",
            },
        )
        self.assertRedirects(response, reverse("volunteers:report_ins"))
        report_in = ReportIn.objects.get()
        self.assertTrue(report_in.party_member)
        url = reverse("volunteers:report_in", args=[report_in.pk])
        response = self.client.post(url, {"kind": "service", "service": "为独居老人代购"})
        self.assertRedirects(response, url)
        assignment = Assignment.objects.get()
        finish = reverse("volunteers:finish_assignment", args=[assignment.pk])
        self.client.force_login(self.handler_b)
        self.assertEqual(self.client.post(finish, {"note": "x"}).status_code, 404)
        self.client.force_login(self.community_staff)
        self.client.post(finish, {"note": "已送达"})
        self.assertEqual(Assignment.objects.get().done_note, "已送达")
        listing = self.client.get(reverse("volunteers:report_ins"))
        self.assertContains(listing, "经办人甲")
        self.assertContains(listing, "1 / 1")

    def test_scope_of_the_report_ins(self):
        liu = self.report_in()
        self.client.force_login(self.other_community_staff)
        self.assertEqual(
            self.client.get(reverse("volunteers:report_in", args=[liu.pk])).status_code, 404
        )
        self.assertNotContains(self.client.get(reverse("volunteers:report_ins")), "刘建国")
        # His employer sees where its people serve; another department does not.
        self.client.force_login(self.handler_a)
        self.assertContains(self.client.get(reverse("volunteers:report_ins")), "刘建国")
        self.client.force_login(self.handler_b)
        self.assertNotContains(self.client.get(reverse("volunteers:report_ins")), "刘建国")
        url = reverse("volunteers:report_in", args=[liu.pk])
        self.client.force_login(self.handler_a)
        self.assertEqual(
            self.client.post(url, {"kind": "service", "service": "x"}).status_code, 404
        )

    def test_the_list_and_the_ranking_cost_the_same_queries_for_more_people(self):
        self.report_in()
        self.client.force_login(self.community_staff)
        pages = [reverse("volunteers:report_ins"), reverse("volunteers:ranking")]
        counted = []
        for url in pages:
            self.client.get(url)
            with CaptureQueriesContext(connection) as queries:
                self.client.get(url)
            counted.append(len(queries.captured_queries))
        for n, employer in enumerate((self.dept_a, self.dept_b, self.dept_c) * 2):
            liu = self.report_in(f"人{n}", f"1370000100{n}", employer=employer)
            actions.do_assign(liu, actor=self.dispatcher, kind="service", service="代购")
            member = actions.do_save_member(self.red, actor=self.dispatcher, report_in=liu).row
            self.activity(self.red, [(member, 1)])
        for url, count in zip(pages, counted, strict=True):
            with self.assertNumQueries(count):
                self.client.get(url)

    def test_the_ranking_orders_units_by_report_ins(self):
        self.report_in("甲", "13700000001", employer=self.dept_b)
        self.report_in("乙", "13700000002", employer=self.dept_b)
        self.report_in("丙", "13700000003", employer=self.dept_a)
        self.client.force_login(self.dispatcher)
        page = self.client.get(reverse("volunteers:ranking")).content.decode()
        self.assertLess(page.index("区住房和城乡建设局"), page.index("区城市管理局"))
        self.assertNotIn("公共企业", page)
        self.dept_b.public_enterprise = True
        self.dept_b.save(update_fields=["public_enterprise"])
        page = self.client.get(reverse("volunteers:ranking")).content.decode()
        self.assertIn("公共企业", page)


class PartnerPagesTest(PagesTestCase):
    def test_registering_a_partner_and_claiming_a_wish_for_it(self):
        wish = self.published()
        self.client.force_login(self.community_staff)
        response = self.client.post(
            reverse("volunteers:partners"),
            {"name": "青岛银行福临支行", "kind": "企业", "communities": [self.community.pk]},
        )
        partner = PartnerUnit.objects.get()
        url = reverse("volunteers:partner", args=[partner.pk])
        self.assertRedirects(response, url)
        response = self.client.post(url, {"wish": wish.pk, "promised_date": "2026-06-24"})
        self.assertRedirects(response, url)
        self.assertEqual(WishClaim.objects.get().partner, partner)
        self.assertContains(self.client.get(reverse("volunteers:partners")), "青岛银行福临支行")

    def test_another_community_cannot_claim_for_it(self):
        partner = actions.do_save_partner(
            actor=self.community_staff, name="银行", communities=[self.community]
        ).row
        wish = self.published()
        self.client.force_login(self.other_community_staff)
        url = reverse("volunteers:partner", args=[partner.pk])
        self.assertEqual(
            self.client.post(url, {"wish": wish.pk, "promised_date": "2026-06-24"}).status_code, 404
        )
        self.assertFalse(WishClaim.objects.exists())


class LedgerTest(PagesTestCase):
    def sheet(self, kind, **params):
        response = self.client.get(reverse("ledgers:export", args=[kind, "xlsx"]), params)
        self.assertEqual(response.status_code, 200)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return list(load_workbook(io.BytesIO(body)).active.values)

    def test_the_activity_ledger_masks_residents(self):
        self.activity(self.red, [(self.zhang, "2.5")])
        self.client.force_login(self.community_staff)
        rows = self.sheet("volunteer_activities")
        self.assertEqual(rows[0][:3], ("所属单位", "队伍名称", "共建单位"))
        self.assertEqual((rows[1][6], rows[1][8]), ("张**", 2.5))
        self.assertNotIn("张桂芬", str(rows))

    def test_the_report_in_ledger_has_each_person_and_his_work(self):
        self.report_in()
        self.client.force_login(self.community_staff)
        rows = self.sheet("report_ins")
        self.assertEqual(rows[1][2:6], ("刘建国", "137****2222", "区城市管理局", "是"))
        self.client.force_login(self.other_community_staff)
        self.assertEqual(len(self.sheet("report_ins")), 1)

    def test_the_roster_templates(self):
        self.client.force_login(self.community_staff)
        for kind, first in (("teams", "队伍名称"), ("reportins", "姓名")):
            response = self.client.get(reverse("volunteers:import_template", args=[kind]))
            book = load_workbook(io.BytesIO(response.content))
            self.assertEqual(book.active["A1"].value, first)
        missing = reverse("volunteers:import_template", args=["nope"])
        self.assertEqual(self.client.get(missing).status_code, 404)
