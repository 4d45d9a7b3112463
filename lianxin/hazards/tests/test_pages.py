"""The hazards' pages through their URLs: scope (404 outside it), masking and its log, the
inspection form, every action's happy path, wrong method and wrong actor, the signed links,
the notice PDF, the ledger."""

import io
import re

import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from lianxin.accounts.models import Disclosure
from lianxin.hazards import links
from lianxin.hazards.models import Hazard, HazardStatus, Inspection, InspectionKind, Notice
from lianxin.hazards.tests.builders import HAZARD_TEXT, MEASURES, REQUIREMENTS
from lianxin.hazards.tests.test_actions import HazardTestCase, jpeg_with_gps
from lianxin.test import at

H = HazardStatus


class ScopeTests(HazardTestCase):
    def test_who_sees_a_hazard(self):
        hazard = self.noticed()
        url = reverse("hazards:hazard", args=[hazard.pk])
        seen = (
            self.dispatcher,
            self.leader,
            self.handler_a,
            self.street_staff,
            self.handler_b,
            self.community_staff,
            self.grid_worker,
        )
        for user in seen:
            self.client.force_login(user)
            self.assertEqual(self.client.get(url).status_code, 200, user)
        for user in (self.handler_c, self.other_grid_worker, self.resident):
            self.client.force_login(user)
            self.assertEqual(self.client.get(url).status_code, 404, user)
        self.client.logout()
        self.assertEqual(self.client.get(url).status_code, 302)

    def test_the_contact_is_masked_unless_the_work_needs_it_and_unmasking_is_logged(self):
        hazard = self.hazard()
        url = reverse("hazards:hazard", args=[hazard.pk])
        self.client.force_login(self.community_staff)
        page = self.client.get(url).content.decode()
        self.assertIn("周**", page)
        self.assertIn("139****5678", page)
        self.assertNotIn("13912345678", page)
        self.assertFalse(Disclosure.objects.exists())
        for user in (self.dispatcher, self.handler_b, self.handler_a):
            self.client.force_login(user)
            self.assertContains(self.client.get(url), "13912345678")
        self.assertEqual(
            Disclosure.objects.filter(subject="hazard_place", object_id=self.factory.pk).count(), 3
        )

    def test_lists_hold_only_the_users_scope(self):
        mine = self.hazard()
        theirs = self.hazard(place=self.estate, text="青峰花园消防通道被占用")
        self.client.force_login(self.community_staff)
        page = self.client.get(reverse("hazards:hazards")).content.decode()
        self.assertIn(reverse("hazards:hazard", args=[mine.pk]), page)
        self.assertNotIn(reverse("hazards:hazard", args=[theirs.pk]), page)
        campaign = self.client.get(reverse("hazards:campaign", args=[self.campaign.pk]))
        self.assertNotContains(campaign, "青峰花园")
        self.assertNotContains(campaign, "自查链接")
        self.client.force_login(self.handler_a)
        campaign = self.client.get(reverse("hazards:campaign", args=[self.campaign.pk]))
        self.assertContains(campaign, "青峰花园")
        self.assertContains(campaign, "自查链接")
        self.client.force_login(self.handler_c)
        self.assertEqual(
            self.client.get(reverse("hazards:campaign", args=[self.campaign.pk])).status_code, 404
        )
        self.client.force_login(self.resident)
        self.assertEqual(self.client.get(reverse("hazards:home")).status_code, 404)

    def test_the_nav_link_is_for_those_who_have_the_pages(self):
        self.client.force_login(self.community_staff)
        self.assertContains(self.client.get(reverse("hazards:home")), 'href="/hazards/"')
        self.client.force_login(self.leader)
        self.assertContains(self.client.get(reverse("hazards:home")), "隐患排查")


class InspectionPageTests(HazardTestCase):
    def test_an_inspection_through_the_pages(self):
        self.client.force_login(self.handler_a)
        start = reverse("hazards:start_inspection", args=[self.campaign.pk, self.factory.pk])
        self.assertEqual(self.client.get(start).status_code, 405)
        response = self.client.post(start, {"kind": "spot_check"})
        inspection = Inspection.objects.get()
        self.assertRedirects(response, reverse("hazards:inspection", args=[inspection.pk]))
        self.assertEqual(inspection.kind, InspectionKind.SPOT_CHECK)
        page = self.client.get(response.url)
        self.assertContains(page, 'id="live-score"')
        items = list(self.campaign.items.all())
        score = reverse("hazards:score_item", args=[inspection.pk, items[0].pk])
        self.assertEqual(
            self.client.post(score, {"points": "15"}).json(), {"score": 15, "max_score": 100}
        )
        self.assertEqual(self.client.post(score, {"points": "99"}).status_code, 400)
        self.client.force_login(self.handler_b)
        self.assertEqual(self.client.post(score, {"points": "1"}).json()["error"], "forbidden")
        self.client.force_login(self.handler_a)
        add = reverse("hazards:add_hazard", args=[inspection.pk])
        self.assertEqual(
            self.client.post(add, {"text": "", "severity": "general"}).status_code, 400
        )
        response = self.client.post(
            add, {"text": HAZARD_TEXT, "severity": "major", "photos": [jpeg_with_gps()]}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Hazard.objects.get().photos.count(), 1)
        submit = reverse("hazards:submit_inspection", args=[inspection.pk])
        partial = {f"score_{items[1].pk}": "30"}
        self.assertContains(
            self.client.post(submit, partial), "还有2个检查项未打分", status_code=400
        )
        full = {f"score_{item.pk}": str(item.points) for item in items[1:]}
        self.assertRedirects(
            self.client.post(submit, full), reverse("hazards:campaign", args=[self.campaign.pk])
        )
        inspection.refresh_from_db()
        self.assertEqual((inspection.status, inspection.score), (Inspection.Status.SUBMITTED, 95))
        self.assertNotContains(
            self.client.get(reverse("hazards:inspection", args=[inspection.pk])),
            "提交检查</button>",
        )

    def test_the_self_check_link(self):
        token = links.self_check_token(self.campaign.pk, self.factory.pk)
        url = reverse("hazards:self_check", args=[token])
        self.assertEqual(self.client.get(url[:-3] + "xx/").status_code, 404)
        self.assertContains(self.client.get(url), "福临五金加工厂")
        items = list(self.campaign.items.all())
        data = {f"score_{item.pk}": str(item.points) for item in items}
        data.update({"filled_by": "周建国", "hazard_1": "配电箱未上锁", "severity_1": "general"})
        with time_machine.travel(at(2026, 5, 6), tick=False):
            self.assertContains(self.client.post(url, data), "自查已提交")
            self.assertContains(
                self.client.post(url, {**data, f"score_{items[0].pk}": "x"}),
                "须是整数",
                status_code=400,
            )
        inspection = Inspection.objects.get()
        self.assertEqual(
            (inspection.kind, inspection.filled_by), (InspectionKind.SELF_CHECK, "周建国")
        )
        self.assertEqual(inspection.hazards.get().text, "配电箱未上锁")


class HazardPageTests(HazardTestCase):
    def test_notice_fix_reinspection_and_relapse_through_the_pages(self):
        hazard = self.hazard()
        url = reverse("hazards:hazard", args=[hazard.pk])
        issue = reverse("hazards:hazard_action", args=[hazard.pk, "issue_notice"])
        self.client.force_login(self.handler_b)
        self.assertNotContains(self.client.get(url), "下发整改通知单</button>")
        refused = self.client.post(issue, {"requirements": REQUIREMENTS}, follow=True)
        self.assertContains(refused, "您无权")
        self.assertFalse(Notice.objects.exists())
        self.client.force_login(self.handler_a)
        self.assertEqual(self.client.get(issue).status_code, 405)
        self.assertContains(
            self.client.post(issue, {"requirements": ""}), "field invalid", status_code=400
        )
        self.assertRedirects(
            self.client.post(issue, {"requirements": REQUIREMENTS, "working_days": "3"}), url
        )
        notice = Notice.objects.get()
        page = self.client.get(url)
        self.assertContains(page, notice.number)
        self.assertContains(page, "责任方报告整改的链接")
        # The party reports the fix through the notice's link, without an account.
        self.client.logout()
        fix = reverse("hazards:fix_report", args=[links.fix_token(notice.pk)])
        self.assertContains(self.client.get(fix), REQUIREMENTS)
        self.assertEqual(
            self.client.post(fix, {"measures": MEASURES, "reporter_name": "周建国"}).status_code,
            302,
        )
        self.assertContains(self.client.get(fix), "已报告")
        self.assertEqual(
            self.client.post(fix, {"measures": MEASURES, "reporter_name": "周"}).status_code, 404
        )
        # The inspector comes back: relapsed, then a new notice.
        self.client.force_login(self.handler_a)
        reinspect = reverse("hazards:hazard_action", args=[hazard.pk, "reinspect"])
        self.assertContains(
            self.client.post(reinspect, {"passed": "0"}), "反弹情况", status_code=400
        )
        self.assertRedirects(
            self.client.post(reinspect, {"passed": "0", "note": "出口又被堵"}), url
        )
        hazard.refresh_from_db()
        self.assertEqual((hazard.status, hazard.relapse_count), (H.OPEN, 1))
        self.assertContains(self.client.get(url), "反弹1次")
        self.assertEqual(
            self.client.post(
                reverse("hazards:hazard_action", args=[hazard.pk, "nope"])
            ).status_code,
            404,
        )

    def test_referral_through_the_page(self):
        hazard = self.noticed()
        refer = reverse("hazards:hazard_action", args=[hazard.pk, "refer"])
        self.client.force_login(self.handler_a)
        response = self.client.post(refer, {"note": "需住建部门拆除违建"})
        self.assertEqual(response.status_code, 302)
        hazard.refresh_from_db()
        page = self.client.get(reverse("hazards:hazard", args=[hazard.pk]))
        self.assertContains(page, hazard.case.tracking_number)

    def test_the_ledger_in_the_offices_layout(self):
        hazard = self.fixed()
        self.hazard(text="配电箱门缺失")
        self.client.force_login(self.community_staff)
        response = self.client.get(reverse("ledgers:export", args=["hazards", "xlsx"]))
        self.assertEqual(response.status_code, 200)
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(
            list(rows[0]),
            [
                "检查日期",
                "单位名称",
                "隐患描述",
                "整改措施",
                "责任人",
                "整改期限",
                "整改情况",
                "复查日期",
                "复查人",
            ],
        )
        first = rows[1]
        self.assertEqual(
            first[1:5], ("福临五金加工厂", HAZARD_TEXT, MEASURES, "福临五金加工厂 周建国")
        )
        self.assertEqual((first[6], first[8]), ("已整改", "handler_a"))
        self.assertEqual(rows[2][6], "待下发整改")
        self.assertEqual(len(rows), 3)
        self.assertTrue(re.match(r"attachment; filename", response["Content-Disposition"]))
        del hazard

    def test_figures_and_the_map_layer(self):
        self.fixed()
        self.noticed()
        self.client.force_login(self.street_staff)
        self.assertContains(self.client.get(reverse("hazards:figures")), "整改率")
        data = self.client.get(reverse("geo:hazard_points")).json()
        self.assertEqual(len(data["features"]), 2)
        self.assertEqual(
            sorted(f["properties"]["status"] for f in data["features"]), ["fixed", "rectifying"]
        )
        self.client.force_login(self.handler_c)
        self.assertEqual(self.client.get(reverse("geo:hazard_points")).json()["features"], [])
        self.client.logout()
        self.assertEqual(self.client.get(reverse("geo:hazard_points")).status_code, 401)


class QueryCountTests(HazardTestCase):
    """A list page costs the same number of queries for 2 rows as for 6."""

    def count(self, url):
        self.client.force_login(self.dispatcher)
        self.client.get(url)  # warm the per-process memos (settings, calendars)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(queries)

    def test_lists_do_not_query_per_row(self):
        for _n in range(2):
            self.fixed()
        pages = [
            reverse("hazards:hazards"),
            reverse("hazards:campaign", args=[self.campaign.pk]),
            reverse("hazards:home"),
            reverse("hazards:figures"),
        ]
        before = [self.count(url) for url in pages]
        for _n in range(4):
            self.noticed()
            self.inspect(self.village)
        self.assertEqual([self.count(url) for url in pages], before)
