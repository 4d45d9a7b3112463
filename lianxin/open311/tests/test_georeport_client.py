"""The real PyPI client `georeport` against the live server, in JSON and in XML, through
every call it has (it only reads: services, a service definition, requests, a request)."""

import datetime as dt

import pytest
from django.test import LiveServerTestCase
from django.utils import timezone
from georeport import GeoReport

from lianxin.cases import actions
from lianxin.cases.models import Case, Channel
from lianxin.open311.partners import create_partner
from lianxin.test import District

KEY = "test-partner-key"


class GeoReportClientTest(LiveServerTestCase):
    def setUp(self):
        District.build(self)
        self.partner, _ = create_partner("随手拍", key=KEY, all_categories=True)
        client = self.client
        posted = client.post(
            "/open311/v2/requests.json",
            {
                "api_key": KEY,
                "service_code": "street_lights",
                "lat": "36.0986",
                "long": "120.4012",
                "address_string": "福临苑小区3号楼",
                "description": "3号楼门口路灯不亮一周了，电话13812341234。",
                "first_name": "秀兰",
                "last_name": "王",
                "phone": "13812341234",
            },
        )
        assert posted.status_code == 200, posted.content
        self.number = posted.json()[0]["service_request_id"]
        self.case = Case.objects.get(tracking_number=self.number)
        # A second case, replied by its unit, so that status notes and agencies show.
        other = actions.do_register_case(
            actor=self.grid_worker,
            channel=Channel.PATROL,
            title="路灯不亮",
            text="福临苑南门路灯不亮，晚上看不清路。",
            address="福临苑南门",
            grid=self.grid,
            category=self.category,
            resident_name="王秀兰",
            resident_phone="13812341234",
        )
        other = actions.do_dispatch_case(other, actor=self.dispatcher, unit=self.dept_a)
        actions.do_accept_part(other.parts.get(), actor=self.handler_a)
        actions.do_reply_case(
            Case.objects.get(pk=other.pk), actor=self.handler_a, text="已安排维修，本周内修好。"
        )
        self.other = Case.objects.get(pk=other.pk)

    def georeport(self, fmt: str) -> GeoReport:
        return GeoReport(f"{self.live_server_url}/open311/v2/", output_format=fmt)

    def check_every_call(self, fmt: str) -> None:
        client = self.georeport(fmt)

        services = client.get_service_list()
        service = services if isinstance(services, dict) else services[0]
        assert service["service_code"] == "street_lights"
        assert service["service_name"] == "路灯照明"
        assert service["group"] == "城市管理"
        assert service["type"] == "realtime"
        assert str(service["metadata"]).lower() == "false"

        definition = client.get_service_definition("street_lights")
        assert definition["service_code"] == "street_lights"
        assert not definition["attributes"]

        everything = client.get_service_requests()
        everything = [everything] if isinstance(everything, dict) else everything
        assert {r["service_request_id"] for r in everything} == {
            self.number,
            self.other.tracking_number,
        }

        only = client.get_service_requests(service_request_id=self.number)
        only = only[0] if isinstance(only, list) else only
        assert only["service_request_id"] == self.number
        assert only["status"] == "open"
        assert only["address"] == "福临苑小区3号楼"
        # The keyless feed rounds coordinates to about 100 m (OPEN311_COORDINATE_DECIMALS).
        assert float(only["lat"]) == pytest.approx(36.099)
        assert float(only["long"]) == pytest.approx(120.401)
        assert only["requested_datetime"].endswith("+08:00")
        assert only["expected_datetime"] == timezone.localtime(self.case.resolve_due_at).isoformat(
            timespec="seconds"
        )

        now = timezone.now()
        window = client.get_service_requests(
            service_code="street_lights",
            start_date=(now - dt.timedelta(days=1)).isoformat(),
            end_date=(now + dt.timedelta(minutes=1)).isoformat(),
            status="open",
        )
        window = [window] if isinstance(window, dict) else window
        assert len(window) == 2

        one = client.get_service_request(self.other.tracking_number)
        assert one["service_request_id"] == self.other.tracking_number
        assert one["agency_responsible"] == "区城市管理局"
        assert one["status_notes"] == "已安排维修，本周内修好。"
        assert one["service_code"] == "street_lights"

        # The resident's name and phone appear nowhere (the phone was in his text, too).
        for record in [*everything, one, only]:
            flat = repr(record)
            assert "13812341234" not in flat
            assert "王秀兰" not in flat

    def test_json(self):
        self.check_every_call("json")

    def test_xml(self):
        self.check_every_call("xml")
