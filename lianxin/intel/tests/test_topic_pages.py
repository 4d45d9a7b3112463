"""Topics: grouped from recent open cases, seen by the office, handled together case by case."""

from django.urls import reverse

from lianxin.cases import actions
from lianxin.cases.models import CaseEvent, Status
from lianxin.intel.models import Topic
from lianxin.intel.topicsync import refresh_topics
from lianxin.test import LianxinTestCase

LAMPS = [
    ("福临苑3号楼门口路灯不亮", "福临苑小区3号楼门口的路灯坏了，晚上看不清路。", "13900000001"),
    ("福临苑3号楼路灯坏了好几天", "3号楼门口路灯一直不亮，老人出门不方便。", "13900000002"),
    ("福临苑小区3号楼门前路灯不亮", "路灯坏了一个多星期没人修。", "13900000003"),
]


class TopicsTest(LianxinTestCase):
    def setUp(self):
        self.lamps = [
            self.register(title=t, text=x, resident=None, resident_phone=p) for t, x, p in LAMPS
        ]
        self.other = self.register(
            title="福临苑小区垃圾无人清运", text="垃圾桶满了好几天没人清理。"
        )
        [self.topic] = refresh_topics()

    def test_refresh_groups_the_same_problem_at_the_same_place(self):
        self.assertEqual(
            set(self.topic.memberships.values_list("case_id", flat=True)),
            {c.pk for c in self.lamps},
        )
        self.assertEqual((self.topic.case_count, self.topic.resident_count), (3, 3))
        self.assertGreater(self.topic.hotness, 0)
        self.assertIn("路灯", self.topic.title)

    def test_refresh_keeps_the_topic_and_drops_it_when_its_cases_end(self):
        self.lamps.append(
            self.register(title="3号楼门口路灯不亮", text="福临苑3号楼路灯坏了没人修。")
        )
        [again] = refresh_topics()
        self.assertEqual(again.pk, self.topic.pk)
        self.assertEqual(again.case_count, 4)
        for case in self.lamps:
            actions.do_void_case(case, actor=self.dispatcher, reason="测试数据")
        self.assertEqual(refresh_topics(), [])
        self.assertFalse(Topic.objects.get(pk=self.topic.pk).active)

    def test_the_office_sees_the_list_and_may_refresh(self):
        self.client.force_login(self.dispatcher)
        response = self.client.get(reverse("intel:topics"))
        self.assertContains(response, reverse("intel:topic", args=[self.topic.pk]))
        self.assertContains(response, "立即更新专题")
        response = self.client.post(reverse("intel:topic_refresh"))
        self.assertRedirects(response, reverse("intel:topics"))

    def test_residents_and_units_without_its_cases_do_not(self):
        self.client.force_login(self.resident)
        self.assertEqual(self.client.get(reverse("intel:topics")).status_code, 404)
        self.client.force_login(self.handler_b)
        self.assertNotContains(self.client.get(reverse("intel:topics")), self.topic.title)
        self.assertEqual(
            self.client.get(reverse("intel:topic", args=[self.topic.pk])).status_code, 404
        )
        self.assertEqual(self.client.post(reverse("intel:topic_refresh")).status_code, 404)

    def test_the_office_dispatches_all_and_may_not_reply(self):
        self.client.force_login(self.dispatcher)
        response = self.client.get(reverse("intel:topic", args=[self.topic.pk]))
        self.assertContains(response, "统一派单")
        self.assertNotContains(response, "统一答复群众")
        self.assertNotContains(response, "统一办结")
        response = self.client.post(
            reverse("intel:topic_batch", args=[self.topic.pk, "dispatch"]),
            {"dispatch-cases": [c.pk for c in self.lamps], "dispatch-unit": self.dept_a.pk},
        )
        self.assertRedirects(response, reverse("intel:topic", args=[self.topic.pk]))
        for case in self.lamps:
            case = self.reload(case)
            self.assertEqual((case.status, case.lead_unit_id), (Status.DISPATCHED, self.dept_a.pk))
        response = self.client.post(
            reverse("intel:topic_batch", args=[self.topic.pk, "reply"]),
            {"reply-cases": [self.lamps[0].pk], "reply-text": "已安排维修，本周内修好。"},
        )
        self.assertEqual(response.status_code, 404)

    def test_the_lead_unit_replies_to_every_case_at_once(self):
        for case in self.lamps:
            case = actions.do_dispatch_case(case, actor=self.dispatcher, unit=self.dept_a)
            actions.do_accept_part(case.parts.get(), actor=self.handler_a)
        self.client.force_login(self.handler_a)
        page = self.client.get(reverse("intel:topic", args=[self.topic.pk]))
        self.assertContains(page, "统一答复群众")
        self.assertNotContains(page, "统一派单")
        reply = "已安排维修人员本周五前更换3号楼门口灯具，请您耐心等待。"
        response = self.client.post(
            reverse("intel:topic_batch", args=[self.topic.pk, "reply"]),
            {"reply-cases": [c.pk for c in self.lamps], "reply-text": reply},
        )
        self.assertRedirects(response, reverse("intel:topic", args=[self.topic.pk]))
        for case in self.lamps:
            case = self.reload(case)
            self.assertEqual((case.status, case.reply_text), (Status.REPLIED, reply))
            self.assertEqual(
                CaseEvent.objects.filter(case=case, code="cases.case.replied").count(), 1
            )
        # Each resident still rates his own case after the batch resolution and verification.
        self.client.post(
            reverse("intel:topic_batch", args=[self.topic.pk, "resolve"]),
            {
                "resolve-cases": [c.pk for c in self.lamps],
                "resolve-note": "已更换3号楼门口灯具，恢复照明。",
            },
        )
        first = actions.do_verify_case(
            self.reload(self.lamps[0]), actor=self.dispatcher, passed=True, on_site=False
        )
        actions.do_record_return_visit(
            first, actor=self.dispatcher, satisfaction="satisfied", solved=True
        )
        self.assertEqual(self.reload(self.lamps[0]).status, Status.CLOSED)
        self.assertEqual(self.reload(self.lamps[1]).status, Status.RESOLVED)

    def test_a_bad_batch_loses_nothing_and_says_why(self):
        self.client.force_login(self.dispatcher)
        response = self.client.post(
            reverse("intel:topic_batch", args=[self.topic.pk, "dispatch"]),
            {"dispatch-cases": [c.pk for c in self.lamps]},
        )
        self.assertContains(response, "请选择主办单位。", status_code=400)
        self.assertTrue(all(self.reload(c).status == Status.REGISTERED for c in self.lamps))
        self.assertEqual(
            self.client.get(
                reverse("intel:topic_batch", args=[self.topic.pk, "dispatch"])
            ).status_code,
            405,
        )
