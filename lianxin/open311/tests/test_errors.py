"""Plain HTTP POSTs and GETs that must be refused in the spec's error shape, creating
nothing."""

import xml.etree.ElementTree as ET

from lianxin.cases.models import Case, CaseEvent, Category
from lianxin.open311.models import PartnerRequest
from lianxin.open311.partners import create_partner
from lianxin.test import LianxinTestCase

KEY = "partner-key-1"
URL = "/open311/v2/requests.json"


class Open311ErrorTest(LianxinTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.partner, _ = create_partner("随手拍", key=KEY, all_categories=True)
        cls.narrow, _ = create_partner("窄权限", key="narrow-key")
        cls.other_category = Category.objects.create(
            code="noise", name="噪声扰民", parent=cls.top_category
        )
        cls.narrow.categories.set([cls.other_category])

    def post(self, url=URL, **fields):
        body = {
            "api_key": KEY,
            "service_code": "street_lights",
            "lat": "36.0986",
            "long": "120.4012",
            "description": "3号楼门口路灯不亮一周了。",
        }
        body.update(fields)
        return self.client.post(url, {k: v for k, v in body.items() if v is not None})

    def assert_refused(self, response, status: int, *fragments: str):
        self.assertEqual(response.status_code, status, response.content)
        if response["Content-Type"].startswith("application/json"):
            errors = response.json()
            self.assertIsInstance(errors, list)
            descriptions = " ".join(e["description"] for e in errors)
            self.assertTrue(all(set(e) == {"code", "description"} for e in errors))
            self.assertIn(status, [e["code"] for e in errors])
        else:
            self.assertEqual(response["Content-Type"], "text/xml; charset=utf-8")
            self.assertTrue(response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>'))
            root = ET.fromstring(response.content)  # noqa: S314  (our own response)
            self.assertEqual(root.tag, "errors")
            self.assertEqual(root[0].tag, "error")
            descriptions = " ".join(e.findtext("description") for e in root)
            self.assertEqual(root[0].findtext("code"), str(status))
        for fragment in fragments:
            self.assertIn(fragment, descriptions)
        self.assertFalse(Case.objects.exists())
        self.assertFalse(PartnerRequest.objects.exists())

    def test_missing_key(self):
        self.assert_refused(self.post(api_key=None), 403, "api_key")

    def test_empty_key_counts_as_missing(self):
        self.assert_refused(self.post(api_key=""), 403, "缺少 api_key")

    def test_wrong_key(self):
        self.assert_refused(self.post(api_key="nope"), 403, "api_key")

    def test_inactive_partner(self):
        self.partner.active = False
        self.partner.save()
        self.assert_refused(self.post(), 403, "api_key")

    def test_wrong_key_in_xml(self):
        self.assert_refused(self.post(url="/open311/v2/requests.xml", api_key="nope"), 403)

    def test_unknown_service_code(self):
        self.assert_refused(self.post(service_code="potholes"), 404, "potholes")

    def test_missing_service_code(self):
        self.assert_refused(self.post(service_code=""), 400, "service_code")

    def test_top_level_category_is_not_a_service(self):
        self.assert_refused(self.post(service_code="city"), 404, "city")

    def test_category_the_key_may_not_file(self):
        self.assert_refused(self.post(api_key="narrow-key"), 403, "路灯照明")

    def test_missing_location(self):
        self.assert_refused(self.post(lat=None, long=None), 400, "位置")

    def test_empty_location_counts_as_missing(self):
        self.assert_refused(self.post(lat="", long="", address_string=""), 400, "位置")

    def test_lat_without_long(self):
        self.assert_refused(self.post(long=None), 400, "lat 和 long")

    def test_bad_coordinates(self):
        self.assert_refused(self.post(lat="north", long="500"), 400, "lat", "long")

    def test_description_over_4000_characters(self):
        self.assert_refused(self.post(description="路" * 4001), 400, "4000")

    def test_description_missing(self):
        self.assert_refused(self.post(description=None), 400, "诉求内容")

    def test_bad_phone(self):
        self.assert_refused(self.post(phone="12"), 400, "联系电话")

    def test_several_errors_at_once(self):
        response = self.post(lat=None, long=None, description="路" * 4001)
        self.assert_refused(response, 400, "位置", "4000")
        self.assertEqual(len(response.json()), 2)

    def test_get_malformed_date(self):
        response = self.client.get(URL, {"start_date": "2026-02-30T00:00:00Z"})
        self.assert_refused(response, 400, "start_date")

    def test_get_range_over_90_days(self):
        response = self.client.get(
            URL, {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-02T00:00:00Z"}
        )
        self.assert_refused(response, 400, "90")

    def test_get_end_before_start(self):
        response = self.client.get(
            URL, {"start_date": "2026-03-01T00:00:00+08:00", "end_date": "2026-01-01T00:00:00Z"}
        )
        self.assert_refused(response, 400, "end_date")

    def test_get_bad_status(self):
        self.assert_refused(self.client.get(URL, {"status": "pending"}), 400, "status")

    def test_get_unknown_service_code(self):
        self.assert_refused(self.client.get(URL, {"service_code": "potholes"}), 404, "potholes")

    def test_unknown_request(self):
        response = self.client.get("/open311/v2/requests/LX-2026-999999.xml")
        self.assert_refused(response, 404, "LX-2026-999999")

    def test_unknown_service_definition(self):
        response = self.client.get("/open311/v2/services/potholes.json")
        self.assert_refused(response, 404, "potholes")

    def test_tokens_do_not_exist(self):
        self.assert_refused(self.client.get("/open311/v2/tokens/123.json"), 404)

    def test_wrong_method(self):
        response = self.client.delete(URL)
        self.assert_refused(response, 405, "DELETE")
        self.assertEqual(response["Allow"], "GET, POST")
        self.assert_refused(self.client.post("/open311/v2/services.xml"), 405)

    def test_update_refusals(self):
        url = "/open311/v2/servicerequestupdates.json"
        self.assert_refused(self.client.post(url, {"description": "x"}), 403, "api_key")
        response = self.client.post(url, {"api_key": KEY, "updated_datetime": "yesterday"})
        self.assert_refused(
            response, 400, "service_request_id", "update_id", "description", "updated_datetime"
        )
        response = self.client.post(
            url,
            {
                "api_key": KEY,
                "service_request_id": "LX-2026-000404",
                "update_id": "u1",
                "status": "OPEN",
                "description": "还没修好",
            },
        )
        self.assert_refused(response, 404, "LX-2026-000404")

    def test_partner_may_not_update_cases_it_did_not_file(self):
        case = self.register()  # a grid worker's case, not the partner's
        before = CaseEvent.objects.count()
        response = self.client.post(
            "/open311/v2/servicerequestupdates.xml",
            {
                "api_key": KEY,
                "service_request_id": case.tracking_number,
                "update_id": "u1",
                "status": "OPEN",
                "description": "还没修好",
            },
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(CaseEvent.objects.count(), before)

    def test_media_url_must_be_an_absolute_http_address(self):
        for url in (
            "javascript:alert(document.cookie)",
            "JaVaScRiPt:alert(1)",
            "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
            "file:///etc/passwd",
            "/m/cases/1/photos/1/",
            "//evil.example.com/x.jpg",
            "img.example.com/1.jpg",
            "http://",
            "https://[::1/x.jpg",
            "https://img.example.com/" + "x" * 500,
        ):
            with self.subTest(url=url):
                self.assert_refused(self.post(media_url=url), 400, "media_url")

    def test_an_update_with_a_bad_media_url_records_nothing(self):
        case = self.client.post(
            URL,
            {
                "api_key": KEY,
                "service_code": "street_lights",
                "address_string": "福临苑",
                "description": "3号楼门口路灯不亮一周了。",
            },
        )
        number = case.json()[0]["service_request_id"]
        before = CaseEvent.objects.count()
        response = self.client.post(
            "/open311/v2/servicerequestupdates.json",
            {
                "api_key": KEY,
                "service_request_id": number,
                "update_id": "u1",
                "description": "还没修好",
                "media_url": "javascript:alert(1)",
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("media_url", response.json()[0]["description"])
        self.assertEqual(CaseEvent.objects.count(), before)

    def test_far_past_and_far_future_dates_are_refused_not_a_server_error(self):
        for value in (
            "0001-01-01",
            "0001-01-01T00:00:00+14:00",
            "1900-01-01",
            "9999-12-31",
            "9999-12-31T23:59:59Z",
            "2100-01-01",
        ):
            for name in ("start_date", "end_date"):
                for url in (URL, "/open311/v2/servicerequestupdates.xml"):
                    with self.subTest(url=url, name=name, value=value):
                        response = self.client.get(url, {name: value})
                        self.assert_refused(response, 400, name, "2000年至2099年")
        for value in ("0000-01-01", "10000-01-01", "2026-01-01T25:00:00", "2026-01-01T00:00+24:00"):
            with self.subTest(value=value):
                self.assert_refused(self.client.get(URL, {"start_date": value}), 400, "W3C")

    def test_any_offset_python_reads_is_answered(self):
        # PostgreSQL refuses an offset beyond 15:59 that Python accepts.
        response = self.client.get(URL, {"start_date": "2026-06-01T00:00:00-23:59"})
        self.assertEqual(response.status_code, 200, response.content)

    def test_a_nul_in_any_parameter_is_refused(self):
        self.assert_refused(self.client.get(URL, {"service_request_id": "LX-2026\x00"}), 400, "NUL")
        self.assert_refused(self.client.get(URL, {"service_code": "a\x00"}), 400, "service_code")
        self.assert_refused(self.client.get("/open311/v2/requests/LX%00.xml"), 400, "number")
        self.assert_refused(self.post(description="路灯\x00不亮一周了"), 400, "description")
        self.assert_refused(self.post(**{"a\x00b": "1"}), 400, "ab")
