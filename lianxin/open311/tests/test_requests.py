"""Filing and reading service requests over plain HTTP, as partners' programs do."""

import datetime as dt
import shutil
import tempfile
import xml.etree.ElementTree as ET
from decimal import Decimal

import time_machine
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from lianxin.cases import actions
from lianxin.cases.models import Case, CaseEvent, Channel, Status
from lianxin.cases.tests.images import upload
from lianxin.open311.models import PartnerRequest, PartnerUpdate
from lianxin.open311.partners import create_partner, set_key
from lianxin.test import LianxinTestCase, at

KEY = "partner-key-1"
URL = "/open311/v2/requests.json"
UPDATES = "/open311/v2/servicerequestupdates.json"
SQUARE = {  # a grid outline around (36.10, 120.40), GeoJSON [lon, lat]
    "type": "Polygon",
    "coordinates": [[[120.39, 36.09], [120.41, 36.09], [120.41, 36.11], [120.39, 36.11]]],
}


class Open311RequestTest(LianxinTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.partner, _ = create_partner("随手拍", key=KEY, all_categories=True)

    def setUp(self):
        # Partners' programs send no CSRF token.
        self.client = Client(enforce_csrf_checks=True)

    def post(self, url=URL, **fields):
        body = {
            "api_key": KEY,
            "service_code": "street_lights",
            "lat": "36.1",
            "long": "120.4",
            "address_string": "福临苑小区3号楼",
            "description": "3号楼门口路灯不亮一周了。",
        }
        body.update(fields)
        return self.client.post(url, {k: v for k, v in body.items() if v is not None})

    def test_post_registers_a_case_through_the_workflow(self):
        response = self.post(
            first_name="秀兰",
            last_name="王",
            phone="13812341234",
            email="wang@example.com",
            device_id="dev-1",
            account_id="acc-9",
            external_id="app-123",
            media_url="https://img.example.com/1.jpg",
            **{"attribute[pole]": "A-17"},
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response["Content-Type"], "application/json; charset=utf-8")
        (body,) = response.json()
        case = Case.objects.get()
        self.assertEqual(body["service_request_id"], case.tracking_number)
        self.assertEqual(body["account_id"], "acc-9")
        self.assertIn(
            f"{timezone.localtime(case.resolve_due_at):%Y-%m-%d}前办结", body["service_notice"]
        )
        self.assertEqual(case.channel, Channel.PARTNER)
        self.assertEqual(case.status, Status.REGISTERED)
        self.assertEqual(case.recorded_by, self.partner.user)
        self.assertEqual(case.category, self.category)
        self.assertEqual(case.resident_name, "王秀兰")
        self.assertEqual(case.resident_phone, "13812341234")
        self.assertEqual(str(case.latitude), "36.100000")
        self.assertIsNone(case.grid)  # no outline covers it: the office sets it at dispatch
        self.assertEqual(case.title, "3号楼门口路灯不亮一周了。")
        event = CaseEvent.objects.get(case=case)
        self.assertEqual((event.code, event.actor), ("cases.case.registered", self.partner.user))
        submitted = PartnerRequest.objects.get(case=case)
        self.assertEqual(
            (submitted.partner, submitted.external_id, submitted.device_id, submitted.email),
            (self.partner, "app-123", "dev-1", "wang@example.com"),
        )
        self.assertEqual(submitted.attributes, {"pole": "A-17"})
        # The office can dispatch it and set the grid then, as for a portal report.
        actions.do_dispatch_case(case, actor=self.dispatcher, unit=self.dept_a, grid=self.grid)
        self.assertEqual(self.reload(case).community, self.community)

    def test_a_description_pasted_from_word_is_stored_clean(self):
        response = self.post(
            # A NUL is refused (test_errors.py); Word's and terminals' controls are cleaned.
            description="3号楼门口\x0b路灯不亮\x7f一周了\x1b。",
            **{"attribute[pole]": "A-\x0b17"},
        )
        self.assertEqual(response.status_code, 200, response.content)
        case = Case.objects.get()
        self.assertEqual(case.text, "3号楼门口\n路灯不亮一周了。")
        self.assertEqual(case.title, "3号楼门口")  # the first line
        self.assertEqual(PartnerRequest.objects.get().attributes, {"pole": "A-\n17"})

    def test_the_xml_stays_well_formed_around_a_row_stored_with_controls(self):
        # Written as an old release stored it, past the action that now cleans text.
        # (No NUL: PostgreSQL never stores one.)
        case = self.register()
        Case.objects.filter(pk=case.pk).update(
            text="路灯\x0b不亮\x02了\ufffe\x1f。", address="福临苑\x0b北门"
        )
        response = self.client.get(f"/open311/v2/requests/{case.tracking_number}.xml")
        self.assertEqual(response.status_code, 200)
        root = ET.fromstring(response.content)  # noqa: S314  (our own response)
        self.assertEqual(root[0].findtext("description"), "路灯不亮了。")
        self.assertEqual(root[0].findtext("address"), "福临苑北门")
        listing = self.client.get("/open311/v2/requests.xml")
        listed = ET.fromstring(listing.content)  # noqa: S314  (our own response)
        self.assertEqual(listed[0].findtext("description"), "路灯不亮了。")

    def test_partner_channel_is_the_partners(self):
        self.partner.channel = Channel.MINIPROGRAM
        self.partner.save()
        self.post()
        self.assertEqual(Case.objects.get().channel, Channel.MINIPROGRAM)

    def test_xml_response_and_key_in_query_string(self):
        response = self.client.post(
            f"/open311/v2/requests.xml?api_key={KEY}",
            {
                "service_code": "street_lights",
                "address_string": "福临苑",
                "description": "路灯不亮了",
            },
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response["Content-Type"], "text/xml; charset=utf-8")
        self.assertTrue(response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>'))
        root = ET.fromstring(response.content)  # noqa: S314  (our own response)
        self.assertEqual((root.tag, root[0].tag), ("service_requests", "request"))
        self.assertEqual(root[0].findtext("service_request_id"), Case.objects.get().tracking_number)

    def test_a_retried_post_creates_one_case(self):
        first = self.client.post(
            URL,
            {
                "api_key": KEY,
                "service_code": "street_lights",
                "address_string": "福临苑",
                "description": "路灯不亮了",
            },
            headers={"Idempotency-Key": "abc"},
        )
        again = self.client.post(
            URL,
            {
                "api_key": KEY,
                "service_code": "street_lights",
                "address_string": "福临苑",
                "description": "路灯不亮了",
            },
            headers={"Idempotency-Key": "abc"},
        )
        self.assertEqual(first.json(), again.json())
        by_own_id = [self.post(external_id="app-7").json() for _ in range(2)]
        self.assertEqual(by_own_id[0], by_own_id[1])
        self.assertEqual(Case.objects.count(), 2)
        # Only the request that brought its own id left anything beyond the case to keep.
        self.assertEqual(PartnerRequest.objects.get().external_id, "app-7")

    def test_another_partner_with_the_same_key_value_gets_its_own_case(self):
        other, _ = create_partner("另一合作方", key="other-key", all_categories=True)
        self.post(external_id="same")
        self.post(api_key="other-key", external_id="same")
        self.assertEqual(Case.objects.count(), 2)

    def test_grid_found_from_the_point(self):
        self.grid.boundary = SQUARE
        self.grid.save()
        self.post()
        case = Case.objects.get()
        self.assertEqual(
            (case.grid, case.community, case.street), (self.grid, self.community, self.street)
        )
        # The grid worker sees it at once.
        self.assertTrue(Case.objects.visible_to(self.grid_worker).filter(pk=case.pk).exists())

    def test_grid_named_by_address_id(self):
        self.post(lat=None, long=None, address_string=None, address_id="g2")
        case = Case.objects.get()
        self.assertEqual((case.grid, case.street), (self.other_grid, self.other_street))
        self.assertIn("g2", case.address)

    def test_doubled_slash_in_the_path(self):
        response = self.post(url="/open311/v2//requests.json")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(self.client.get("/open311/v2//services.json").status_code, 200)
        self.assertEqual(self.client.get("/open311//v2///discovery.xml").status_code, 200)
        root = self.client.get("/open311/v2/")
        self.assertEqual((root.status_code, root["Content-Type"]), (200, "text/xml; charset=utf-8"))
        self.assertIn(b"<discovery>", root.content)
        # Only Open311 paths are collapsed.
        self.assertEqual(self.client.get("/m//").status_code, 404)

    def test_replaced_key_stops_working(self):
        new = set_key(self.partner)
        self.assertEqual(self.post().status_code, 403)
        self.assertEqual(self.post(api_key=new).status_code, 200)

    def test_get_filters(self):
        with time_machine.travel(at(2026, 3, 2), tick=False):
            march = self.register()
        with time_machine.travel(at(2026, 6, 1), tick=False):
            june_open = self.register()
            june_closed = self.case_in(Status.CLOSED)
            voided = self.case_in(Status.VOIDED)
        with time_machine.travel(at(2026, 6, 20), tick=False):
            listed = self.client.get(URL, {"jurisdiction_id": ""}).json()
            numbers = [r["service_request_id"] for r in listed]
            # The last 90 days, newest first; March is out, voided cases are never public.
            self.assertNotIn(march.tracking_number, numbers)
            self.assertNotIn(voided.tracking_number, numbers)
            self.assertEqual(set(numbers), {june_open.tracking_number, june_closed.tracking_number})
            closed = self.client.get(URL, {"status": "closed"}).json()
            self.assertEqual(
                [r["service_request_id"] for r in closed], [june_closed.tracking_number]
            )
            self.assertEqual(closed[0]["status"], "closed")
            both = self.client.get(URL, {"status": "open,closed"}).json()
            self.assertEqual(len(both), 2)
            window = self.client.get(
                URL,
                {
                    "start_date": "2026-03-01T00:00:00+08:00",
                    "end_date": "2026-03-03T00:00:00Z",
                    "service_code": "street_lights",
                },
            ).json()
            self.assertEqual([r["service_request_id"] for r in window], [march.tracking_number])
            only_start = self.client.get(URL, {"start_date": "2026-03-01"}).json()
            self.assertEqual([r["service_request_id"] for r in only_start], [march.tracking_number])
            # service_request_id overrides the other arguments.
            by_id = self.client.get(
                URL,
                {
                    "service_request_id": f"{march.tracking_number},{june_open.tracking_number}",
                    "status": "closed",
                },
            ).json()
            self.assertEqual(len(by_id), 2)

    def test_the_feed_links_the_partners_media_url_and_only_photos_the_office_published(self):
        media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, media)
        self.enterContext(override_settings(MEDIA_ROOT=media))
        case = self.register(photos=[upload("门口.jpg"), upload("路灯.jpg")])
        first, second = case.photos.order_by("pk")
        self.post(media_url="https://img.example.com/1.jpg")
        listed = {r["service_request_id"]: r for r in self.client.get(URL).json()}
        self.assertIsNone(listed[case.tracking_number]["media_url"])
        partners = [r for number, r in listed.items() if number != case.tracking_number]
        self.assertEqual(partners[0]["media_url"], "https://img.example.com/1.jpg")
        private = reverse("open311:photo", args=[first.pk])
        self.assertEqual(self.client.get(private).status_code, 404)

        actions.do_set_photo_public(second, actor=self.dispatcher, public=True)

        (shown,) = self.client.get(f"/open311/v2/requests/{case.tracking_number}.json").json()
        self.assertEqual(
            shown["media_url"], "http://testserver" + reverse("open311:photo", args=[second.pk])
        )
        response = self.client.get(shown["media_url"])
        self.assertEqual(response["Content-Type"], "image/jpeg")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(self.client.get(private).status_code, 404)
        actions.do_void_case(case, actor=self.dispatcher, reason="测试数据")
        self.assertEqual(self.client.get(shown["media_url"]).status_code, 404)

    def test_a_media_url_stored_before_the_check_is_not_published_unless_http(self):
        self.post(media_url="https://img.example.com/1.jpg")
        PartnerRequest.objects.update(media_url="javascript:alert(1)")
        (record,) = self.client.get(URL).json()
        self.assertIsNone(record["media_url"])

    def test_get_caps_at_1000(self):
        case = self.register()
        copies = []
        for n in range(1005):
            copy = Case.objects.get(pk=case.pk)
            copy.pk, copy.tracking_number, copy.idempotency_key = None, f"T-{n:05d}", None
            copies.append(copy)
        Case.objects.bulk_create(copies)
        with self.assertNumQueries(2):  # the cases, and their public photos
            listed = self.client.get(URL).json()
        self.assertEqual(len(listed), 1000)

    def test_single_request_and_status_mapping(self):
        for status, expected in [
            (Status.REGISTERED, "open"),
            (Status.CONSTRAINED, "open"),
            (Status.RESOLVED, "closed"),
            (Status.MERGED, "closed"),
            (Status.WITHDRAWN, "closed"),
        ]:
            case = self.case_in(status)
            (record,) = self.client.get(f"/open311/v2/requests/{case.tracking_number}.json").json()
            self.assertEqual(record["status"], expected, status)
        constrained = Case.objects.filter(status=Status.CONSTRAINED).get()
        (record,) = self.client.get(
            f"/open311/v2/requests/{constrained.tracking_number}.json"
        ).json()
        self.assertEqual(record["status_notes"], constrained.constrained_explanation)
        self.assertEqual(record["agency_responsible"], "区城市管理局")
        self.assertEqual(
            record["expected_datetime"],
            timezone.localtime(constrained.resolve_due_at).isoformat(timespec="seconds"),
        )
        voided = self.case_in(Status.VOIDED)
        response = self.client.get(f"/open311/v2/requests/{voided.tracking_number}.json")
        self.assertEqual(response.status_code, 404)

    def test_name_and_phone_never_public(self):
        case = self.replied(
            text="王秀兰反映：3号楼门口路灯不亮，请回电13812341234或139 1234 5678。",
            address="福临苑3号楼（王秀兰家门口）",
        )
        actions.do_add_note(
            case, actor=self.dispatcher, note="已联系王秀兰，电话13812341234。", public=True
        )
        responses = [
            self.client.get(URL),
            self.client.get("/open311/v2/requests.xml"),
            self.client.get(f"/open311/v2/requests/{case.tracking_number}.json"),
            self.client.get(UPDATES),
            self.client.get("/open311/v2/servicerequestupdates.xml"),
        ]
        for response in responses:
            body = response.content.decode()
            self.assertEqual(response.status_code, 200)
            self.assertIn(case.tracking_number, body)
            for secret in ("王秀兰", "13812341234", "139 1234 5678", "1234"):
                self.assertNotIn(secret, body)
        self.assertIn("3号楼门口路灯不亮", responses[0].content.decode())

    def test_the_probes_anonymous_report_comes_back_without_personal_data(self):
        # What the outside probe filed on /m/ and read back from the keyless feed.
        case = self.in_progress(
            resident_name="赵建国",
            text=(
                "我是赵建国，住福临苑3号楼2单元502室，身份证370202196505051234，"
                "座机0532-85551234，邮箱zjg1965@163.com，楼下鲁B88U88常年占消防通道，"
                "已打12345热线两次。"
            ),
            address="福临苑3号楼2单元502室",
            latitude=Decimal("36.098641"),
            longitude=Decimal("120.401249"),
        )
        case = actions.do_reply_case(
            case,
            actor=self.handler_a,
            text="已联系赵建国（13700001111，3号楼2单元502室），鲁B88U88已挪走。",
        )
        actions.do_add_note(
            case, actor=self.dispatcher, note="已回电0532-85551234，联系人：赵建国。", public=True
        )
        responses = [
            self.client.get(URL),
            self.client.get("/open311/v2/requests.xml"),
            self.client.get(f"/open311/v2/requests/{case.tracking_number}.json"),
            self.client.get(UPDATES),
            self.client.get("/open311/v2/servicerequestupdates.xml"),
        ]
        secrets = ("赵建国", "建国", "502", "370202196505051234", "85551234", "zjg1965", "88U88")
        for response in responses:
            body = response.content.decode()
            self.assertEqual(response.status_code, 200)
            self.assertIn(case.tracking_number, body)
            for secret in secrets:
                self.assertNotIn(secret, body)
        (record,) = responses[2].json()
        self.assertIn("福临苑3号楼", record["description"])
        self.assertIn("12345热线", record["description"])
        self.assertEqual(record["address"], "福临苑3号楼***")
        self.assertIn("已挪走", record["status_notes"])
        # About 100 m: the place of the problem, not the door.
        self.assertEqual((record["lat"], record["long"]), (36.099, 120.401))
        self.assertIn("<lat>36.099</lat>", responses[1].content.decode())

    def test_a_request_filed_by_a_point_alone_shows_its_address_rounded_too(self):
        self.post(address_string=None, lat="36.098641", long="120.401249")
        (record,) = self.client.get(URL).json()
        self.assertEqual(record["address"], "坐标 36.099, 120.401")
        self.assertEqual((record["lat"], record["long"]), (36.099, 120.401))

    @override_settings(OPEN311_COORDINATE_DECIMALS=2)
    def test_the_rounding_of_coordinates_is_a_setting(self):
        case = self.register(latitude=Decimal("36.098641"), longitude=Decimal("120.401249"))
        (record,) = self.client.get(f"/open311/v2/requests/{case.tracking_number}.json").json()
        self.assertEqual((record["lat"], record["long"]), (36.10, 120.40))


class ServiceRequestUpdatesTest(LianxinTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.partner, _ = create_partner("随手拍", key=KEY, all_categories=True)

    def file(self) -> Case:
        response = self.client.post(
            URL,
            {
                "api_key": KEY,
                "service_code": "street_lights",
                "address_string": "福临苑",
                "description": "3号楼门口路灯不亮一周了。",
            },
        )
        return Case.objects.get(tracking_number=response.json()[0]["service_request_id"])

    def test_get_public_progress_replies_and_return_visit(self):
        case = self.file()
        actions.do_dispatch_case(
            case, actor=self.dispatcher, unit=self.dept_a, instruction="内部意见"
        )
        actions.do_accept_part(case.parts.get(), actor=self.handler_a)
        actions.do_add_note(self.reload(case), actor=self.handler_a, note="内部：等配件")
        actions.do_reply_case(
            self.reload(case), actor=self.handler_a, text="已安排维修，本周内修好。"
        )
        actions.do_resolve_case(
            self.reload(case), actor=self.handler_a, note="已更换灯具，恢复照明。"
        )
        actions.do_verify_case(self.reload(case), actor=self.dispatcher, passed=True, on_site=False)
        actions.do_record_return_visit(
            self.reload(case), actor=self.dispatcher, satisfaction="satisfied", solved=True
        )
        updates = self.client.get(UPDATES, {"service_request_id": case.tracking_number}).json()
        descriptions = [u["description"] for u in updates]
        self.assertEqual(descriptions[0], "登记受理")
        self.assertIn("答复群众：已安排维修，本周内修好。", descriptions)
        self.assertIn("办结：已更换灯具，恢复照明。", descriptions)
        self.assertEqual(descriptions[-1], "回访结果：满意，已解决。")
        self.assertEqual([u["status"] for u in updates][-1], "closed")
        self.assertTrue(all(u["service_request_id"] == case.tracking_number for u in updates))
        body = str(updates)
        self.assertNotIn("内部", body)
        public_ids = set(
            CaseEvent.objects.filter(case=case, public=True).values_list("pk", flat=True)
        )
        self.assertEqual({int(u["update_id"]) for u in updates}, public_ids)
        self.assertTrue(updates[0]["updated_datetime"].endswith("+08:00"))
        # A window before anything happened has nothing.
        early = self.client.get(
            "/open311/v2/servicerequestupdates.xml",
            {"end_date": (timezone.now() - dt.timedelta(days=1)).isoformat()},
        )
        root = ET.fromstring(early.content)  # noqa: S314  (our own response)
        self.assertEqual((root.tag, len(root)), ("service_request_updates", 0))

    def test_post_update_records_a_note_once(self):
        case = self.file()
        body = {
            "api_key": KEY,
            "service_request_id": case.tracking_number,
            "update_id": "fms-55",
            "status": "OPEN",
            "updated_datetime": "2026-11-20T10:00:00Z",
            "description": "居民补充：灯杆编号A-17。",
            "email": "x@example.com",
        }
        first = self.client.post("/open311/v2/servicerequestupdates.xml", body)
        self.assertEqual(first.status_code, 200, first.content)
        root = ET.fromstring(first.content)  # noqa: S314  (our own response)
        self.assertEqual((root.tag, root[0].tag), ("service_request_updates", "request_update"))
        again = self.client.post(UPDATES, body).json()
        self.assertEqual(again, [{"update_id": root[0].findtext("update_id")}])
        note = CaseEvent.objects.get(case=case, code="cases.case.note_added")
        self.assertEqual(str(note.pk), again[0]["update_id"])
        self.assertEqual(note.actor, self.partner.user)
        self.assertFalse(note.public)
        self.assertIn("灯杆编号A-17", note.note)
        update = PartnerUpdate.objects.get()
        self.assertEqual((update.event, update.status), (note, "OPEN"))
        self.assertEqual(self.reload(case).status, Status.REGISTERED)  # status changes nothing

    def test_post_update_on_a_closed_case_is_refused(self):
        case = self.file()
        actions.do_void_case(case, actor=self.dispatcher, reason="测试数据")
        response = self.client.post(
            UPDATES,
            {
                "api_key": KEY,
                "service_request_id": case.tracking_number,
                "update_id": "u1",
                "status": "OPEN",
                "description": "还没修好",
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("已作废", response.json()[0]["description"])
        self.assertFalse(PartnerUpdate.objects.exists())
