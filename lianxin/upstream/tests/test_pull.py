from decimal import Decimal
from unittest import mock

from lianxin.accounts.models import Membership, Role
from lianxin.cases import actions
from lianxin.cases.models import Case, CaseEvent, Channel, Status
from lianxin.geo import coords
from lianxin.upstream.models import UpstreamOrder, UpstreamSettings
from lianxin.upstream.tests.base import UpstreamTestCase


class PullNewOrdersTest(UpstreamTestCase):
    def test_new_orders_become_city_cases_with_the_mapped_category(self):
        self.fake.add_order(
            "QD-1", self.later(hours=-2), media_url="https://12345.example.gov.cn/m/1.jpg"
        )
        self.fake.add_order(
            "QD-2",
            self.later(hours=-1),
            service_code="NOISE",
            service_name="噪音扰民",
            description="晚上十点以后楼下烧烤店噪音很大。",
            address="海岚路18号",
            lat=None,
            long=None,
        )
        summary = self.exchange(self.t0)
        self.assertEqual((summary["pull"].created, summary["pull"].failed), (2, 0))

        first = self.order("QD-1").case
        self.assertEqual(first.channel, Channel.CITY)
        self.assertEqual(first.status, Status.REGISTERED)
        self.assertEqual(first.category, self.category)  # LIGHT is mapped
        self.assertEqual(first.recorded_by, self.dispatcher)
        self.assertEqual(first.address, "福临苑小区3号楼")
        self.assertEqual(first.latitude, Decimal("36.107201"))
        self.assertEqual(first.registered_at, self.later(hours=-2).replace(microsecond=0))
        self.assertEqual(
            first.text,
            "福临苑小区3号楼门口的路灯坏了一个多星期，晚上看不清路。\n\n"
            "（市级平台工单号：QD-1）\n市级平台照片：https://12345.example.gov.cn/m/1.jpg",
        )
        self.assertTrue(first.title.startswith("路灯故障："))

        second = self.order("QD-2").case
        self.assertIsNone(second.category)  # unmapped, no default: the office sorts it
        self.assertIsNone(second.latitude)
        self.assertEqual(self.settings_now().pull_cursor, self.t0)

    def test_points_from_a_chinese_map_are_stored_in_wgs84(self):
        self.config.coordinate_datum = "gcj02"
        self.config.save()
        self.fake.add_order("QD-1", self.later(hours=-2), lat=36.107201, long=120.468803)
        self.fake.add_order("QD-2", self.later(hours=-1), lat=95, long=120.4)  # nonsense
        self.exchange(self.t0)
        case = self.order("QD-1").case
        lat, lon = coords.to_wgs84(36.107201, 120.468803, "gcj02")
        six = Decimal("0.000001")
        expected = (Decimal(lat).quantize(six), Decimal(lon).quantize(six))
        self.assertEqual((case.latitude, case.longitude), expected)
        # GCJ-02 lies some hundreds of metres off WGS-84 here: the conversion did happen.
        self.assertGreater(abs(float(case.longitude) - 120.468803), 0.003)
        # A point that makes no sense is dropped; the order still becomes a case.
        self.assertIsNone(self.order("QD-2").case.latitude)

    def test_default_category_for_unmapped_service_codes(self):
        self.config.default_category = self.top_category
        self.config.save()
        self.fake.add_order("QD-3", self.later(hours=-1), service_code="OTHER")
        self.exchange(self.t0)
        self.assertEqual(self.order("QD-3").case.category, self.top_category)

    def test_pulling_again_creates_nothing_new(self):
        self.fake.add_order("QD-1", self.later(hours=-2))
        self.fake.add_order("QD-2", self.later(hours=-1))
        self.exchange(self.t0)
        events = CaseEvent.objects.count()
        second = self.exchange(self.later(minutes=5))
        third = self.exchange(self.later(minutes=10))
        self.assertEqual(Case.objects.filter(channel=Channel.CITY).count(), 2)
        self.assertEqual(UpstreamOrder.objects.count(), 2)
        self.assertEqual(CaseEvent.objects.count(), events)
        self.assertEqual((second["pull"].created, second["pull"].unchanged), (0, 2))
        self.assertEqual(third["pull"].created, 0)

    def test_each_window_starts_at_the_cursor_less_the_overlap(self):
        self.exchange(self.t0)
        self.exchange(self.later(minutes=5))
        window = [q for q in self.fake.gets if "start_date" in q][-1]
        self.assertEqual(window["start_date"], _w3c(self.later(minutes=-5)))
        self.assertEqual(window["end_date"], _w3c(self.later(minutes=5)))
        self.assertEqual(window["jurisdiction_id"], "qingdao")

    def test_when_upstream_caps_its_answer_the_next_window_starts_from_the_last_order(self):
        for n in (3, 2, 1):
            self.fake.add_order(f"QD-{n}", self.later(hours=-n))
        self.fake.limit = 2
        with mock.patch("lianxin.upstream.pull.SPEC_LIMIT", 2):
            self.exchange(self.t0)
            self.assertEqual(
                self.settings_now().pull_cursor, self.later(hours=-2).replace(microsecond=0)
            )
            self.assertEqual(UpstreamOrder.objects.count(), 2)
            self.exchange(self.later(minutes=5))
        self.assertEqual(
            sorted(UpstreamOrder.objects.values_list("upstream_id", flat=True)),
            ["QD-1", "QD-2", "QD-3"],
        )
        self.assertEqual(Case.objects.count(), 3)

    def test_a_crash_on_one_order_spares_the_others_and_reads_the_window_again(self):
        from lianxin.upstream import pull

        self.fake.add_order("QD-1", self.later(hours=-2))
        self.fake.add_order("QD-2", self.later(hours=-1))
        real = pull.apply_order

        def crash_on_second(config, order, **kwargs):
            if order.upstream_id == "QD-2":
                raise RuntimeError("disk full")
            return real(config, order, **kwargs)

        with mock.patch.object(pull, "apply_order", crash_on_second):
            result = self.exchange(self.t0)["pull"]
        self.assertEqual((result.created, result.failed), (1, 1))
        config = self.settings_now()
        self.assertIn("QD-2: RuntimeError: disk full", config.last_pull_error)
        # The next window starts where this one did.
        self.assertEqual(config.pull_cursor, self.later(days=-1, minutes=5))
        self.exchange(self.later(minutes=5))
        self.assertEqual(Case.objects.count(), 2)
        self.assertEqual(self.settings_now().pull_cursor, self.later(minutes=5))

    def test_an_order_already_closed_upstream_is_not_registered(self):
        self.fake.add_order("QD-9", self.later(hours=-1), status="closed")
        self.exchange(self.t0)
        self.assertFalse(UpstreamOrder.objects.exists())
        self.assertFalse(Case.objects.exists())

    def test_a_malformed_order_is_skipped_and_the_rest_registered(self):
        self.fake.add_order("QD-1", self.later(hours=-1))
        self.fake.add_order("", self.later(hours=-1))  # no id
        result = self.exchange(self.t0)["pull"]
        self.assertEqual((result.created, result.failed), (1, 1))
        self.assertIn("service_request_id", self.settings_now().last_pull_error)

    def test_an_order_that_cannot_be_registered_is_kept_and_registered_later(self):
        # The integration account is no longer staff: registration is refused.
        Membership.objects.filter(user=self.dispatcher).update(role=Role.RESIDENT)
        self.fake.add_order("QD-1", self.later(hours=-1))
        result = self.exchange(self.t0)["pull"]
        self.assertEqual(result.failed, 1)
        order = self.order("QD-1")
        self.assertIsNone(order.case)
        self.assertTrue(order.import_error)
        self.assertFalse(Case.objects.exists())

        Membership.objects.filter(user=self.dispatcher).update(role=Role.DISPATCHER)
        self.dispatcher = type(self.dispatcher).objects.get(pk=self.dispatcher.pk)
        result = self.exchange(self.later(minutes=5))["pull"]
        self.assertEqual(result.created, 1)
        order = self.order("QD-1")
        self.assertEqual(order.case.channel, Channel.CITY)
        self.assertEqual(order.import_error, "")


class PollingScheduleTest(UpstreamTestCase):
    def test_the_pull_keeps_to_the_polling_interval(self):
        self.exchange(self.t0)
        self.fake.add_order("QD-1", self.later(minutes=1))
        gets = len(self.fake.gets)
        self.exchange(self.later(minutes=4))
        self.assertEqual(len(self.fake.gets), gets)  # not yet due
        self.assertFalse(UpstreamOrder.objects.exists())
        self.exchange(self.later(minutes=5))
        self.assertEqual(self.order("QD-1").case.channel, Channel.CITY)

    def test_nothing_is_asked_of_upstream_when_disabled(self):
        UpstreamSettings.objects.filter(pk=1).update(enabled=False)
        self.fake.add_order("QD-1", self.later(hours=-1))
        self.assertEqual(self.exchange(self.t0), {"enabled": False})
        self.assertEqual(self.fake.gets, [])
        self.assertFalse(Case.objects.exists())


class UpstreamChangesTest(UpstreamTestCase):
    def setUp(self):
        super().setUp()
        self.fake.add_order("QD-1", self.later(hours=-2))
        self.exchange(self.t0)
        self.case = self.order("QD-1").case

    def notes(self):
        return list(
            CaseEvent.objects.filter(case=self.case, code="cases.case.note_added").values_list(
                "note", flat=True
            )
        )

    def test_a_changed_description_becomes_one_internal_note(self):
        self.fake.change("QD-1", self.later(minutes=1), description="路灯不亮，而且灯杆有些倾斜。")
        result = self.exchange(self.later(minutes=5))["pull"]
        self.assertEqual(result.updated, 1)
        self.assertEqual(self.notes(), ["市级平台更新了诉求内容：路灯不亮，而且灯杆有些倾斜。"])
        note = CaseEvent.objects.get(case=self.case, code="cases.case.note_added")
        self.assertFalse(note.public)
        self.assertEqual(note.actor, self.dispatcher)
        # The case's own text is the resident's original words: never rewritten.
        self.assertEqual(self.reload(self.case).text, self.case.text)

        self.exchange(self.later(minutes=10))
        self.assertEqual(len(self.notes()), 1)

    def test_a_stale_copy_of_an_order_changes_nothing(self):
        self.fake.change("QD-1", self.later(minutes=1), description="新的描述内容")
        self.exchange(self.later(minutes=5))
        self.fake.change("QD-1", self.later(hours=-3), description="更早的旧描述")
        self.exchange(self.later(minutes=10))
        self.assertEqual(self.notes(), ["市级平台更新了诉求内容：新的描述内容"])

    def test_closed_upstream_before_our_result_withdraws_the_case(self):
        self.fake.change("QD-1", self.later(minutes=1), status="closed", status_notes="群众已撤诉")
        self.exchange(self.later(minutes=5))
        case = self.reload(self.case)
        self.assertEqual(case.status, Status.WITHDRAWN)
        event = CaseEvent.objects.get(case=case, code="cases.case.withdrawn")
        self.assertIn("市级平台已关闭该工单", event.note)
        self.assertIn("群众已撤诉", event.note)
        self.assertFalse(self.order("QD-1").watching)  # both sides are done with it

    def test_closed_upstream_after_our_result_leaves_verification_to_us(self):
        actions.do_dispatch_case(self.case, actor=self.dispatcher, unit=self.dept_a)
        actions.do_accept_part(self.case.parts.get(), actor=self.handler_a)
        actions.do_resolve_case(self.case, actor=self.handler_a, note="已更换灯具，恢复照明。")
        self.fake.change("QD-1", self.later(minutes=1), status="closed")
        self.exchange(self.later(minutes=5))
        self.assertEqual(self.reload(self.case).status, Status.RESOLVED)
        self.assertTrue(self.order("QD-1").watching)

    def test_reopened_upstream_is_a_note_on_an_open_case(self):
        actions.do_dispatch_case(self.case, actor=self.dispatcher, unit=self.dept_a)
        actions.do_accept_part(self.case.parts.get(), actor=self.handler_a)
        actions.do_resolve_case(self.case, actor=self.handler_a, note="已更换灯具，恢复照明。")
        self.fake.change("QD-1", self.later(minutes=1), status="closed")
        self.exchange(self.later(minutes=5))
        self.fake.change("QD-1", self.later(minutes=6), status="open")
        self.exchange(self.later(minutes=10))
        self.assertEqual(self.notes(), ["市级平台重新打开了该工单，请跟进。"])

    def test_reopened_upstream_after_our_case_closed_asks_for_a_person(self):
        self.fake.change("QD-1", self.later(minutes=1), status="closed")
        self.exchange(self.later(minutes=5))  # withdrawn here
        self.fake.change("QD-1", self.later(minutes=6), status="open")
        self.order("QD-1").__class__.objects.filter(upstream_id="QD-1").update(watching=True)
        self.exchange(self.later(minutes=10))
        order = self.order("QD-1")
        self.assertEqual(order.case.status, Status.WITHDRAWN)
        self.assertIn("请人工处理", order.attention)
        self.assertEqual(self.notes(), [])


def _w3c(moment):
    from lianxin.upstream.client import format_w3c

    return format_w3c(moment)
