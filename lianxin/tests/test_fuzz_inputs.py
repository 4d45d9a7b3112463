"""Whatever a client sends to Open311 or to the staff filters, the answer is never a 5xx.

Hypothesis throws every kind of text at the parameters: control characters and NUL,
far-past and far-future dates in every shape, offsets PostgreSQL refuses, huge numbers.
Bounded and derandomized (a few seconds a target, the same examples every run), on both
databases as part of `make test`. The refusals themselves are tested where they are
promised: open311/tests/test_errors.py and cases/tests/test_filter_errors.py.
"""

from urllib.parse import quote

import time_machine
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from lianxin.open311.partners import create_partner
from lianxin.test import Builders, District, at

KEY = "fuzz-key"
BOUNDED = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
# The staff pages render a whole list or dashboard per example: fewer of them.
STAFF_PAGES = settings(BOUNDED, max_examples=25)


def _moment(year, month, day, hour, offset) -> str:
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:00:00{offset}"


# Dates as clients get them wrong: years 0 to 10000, impossible days and hours, any offset.
DATES = st.one_of(
    st.builds(
        "{:04d}-{:02d}-{:02d}".format,
        st.integers(0, 10000),
        st.integers(0, 13),
        st.integers(0, 32),
    ),
    st.builds(
        _moment,
        st.integers(0, 10000),
        st.integers(1, 12),
        st.integers(1, 28),
        st.integers(0, 25),
        st.sampled_from(["", "Z", "+08:00", "-23:59", "+14:00", "+99:00", " 08:00"]),
    ),
)
TEXT = st.one_of(
    st.text(max_size=40),  # any code point but surrogates: NUL, VT, U+FFFE, emoji
    st.text(st.characters(max_codepoint=0x9F), max_size=12),  # controls, densely
    st.integers(-(10**30), 10**30).map(str),
    DATES,
    st.sampled_from(["", " ", ",", "\x00", "a\x00b", "1e999999", "NaN", "-0", "LX-2026-000001"]),
)


def params(names: list[str]):
    """A query: some of `names` (and the odd unknown one), each with a nasty value."""
    return st.dictionaries(
        st.one_of(st.sampled_from(names), st.text(max_size=5)), TEXT, max_size=len(names)
    )


OPEN311_GET = ["start_date", "end_date", "service_request_id", "service_code", "status"]
OPEN311_POST = [
    "api_key",
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "description",
    "title",
    "first_name",
    "last_name",
    "phone",
    "email",
    "device_id",
    "account_id",
    "external_id",
    "media_url",
    "attribute[pole]",
    "idempotency_key",
]
UPDATE_POST = [
    "api_key",
    "service_request_id",
    "update_id",
    "status",
    "description",
    "updated_datetime",
    "media_url",
]
CASE_FILTERS = [
    "q",
    "status",
    "category",
    "unit",
    "channel",
    "registered_from",
    "registered_to",
    "deadline",
    "sort",
    "queue",
    "page",
]
FIGURE_FILTERS = [
    "period",
    "start",
    "end",
    "unit",
    "category",
    "channel",
    "step",
    "by",
    "metric",
    "side",
    "dim",
    "key",
    "asof",
    "page",
]


@time_machine.travel(at(2026, 6, 17), tick=False)
class InputFuzzTest(Builders, TestCase):
    @classmethod
    def setUpTestData(cls):
        District.build(cls)
        cls.partner, _ = create_partner("随手拍", key=KEY, all_categories=True)
        cls.case = cls.register(cls)  # type: ignore[arg-type]  (a builder on the class)

    def assert_no_server_error(self, response):
        self.assertLess(response.status_code, 500, response.content[:500])

    @BOUNDED
    @given(st.sampled_from(["requests", "servicerequestupdates"]), params(OPEN311_GET))
    @example("requests", {"start_date": "0001-01-01"})
    @example("requests", {"end_date": "0001-01-01T00:00:00+14:00"})
    @example("servicerequestupdates", {"start_date": "9999-12-31"})
    @example("requests", {"start_date": "2026-01-01T00:00:00-23:59"})
    @example("requests", {"service_request_id": "LX\x00"})
    def test_open311_reads(self, endpoint, query):
        for fmt in ("json", "xml"):
            self.assert_no_server_error(self.client.get(f"/open311/v2/{endpoint}.{fmt}", query))

    @BOUNDED
    @given(TEXT)
    @example("LX-2026\x00")
    def test_open311_paths(self, value):
        for path in ("requests", "services"):
            self.assert_no_server_error(self.client.get(f"/open311/v2/{path}/{quote(value)}.xml"))

    @BOUNDED
    @given(params(OPEN311_POST))
    @example({"lat": "1e-999999999", "long": "120"})
    @example({"description": "\x00"})
    def test_open311_filing(self, fields):
        body = {
            "api_key": KEY,
            "service_code": "street_lights",
            "address_string": "福临苑",
            "description": "3号楼门口路灯不亮一周了。",
            **fields,
        }
        self.assert_no_server_error(self.client.post("/open311/v2/requests.json", body))

    @BOUNDED
    @given(params(UPDATE_POST))
    @example({"updated_datetime": "0001-01-01T00:00:00+14:00"})
    def test_open311_updates(self, fields):
        body = {
            "api_key": KEY,
            "service_request_id": self.case.tracking_number,
            "update_id": "u1",
            "description": "还没修好",
            **fields,
        }
        self.assert_no_server_error(self.client.post("/open311/v2/servicerequestupdates.xml", body))

    @STAFF_PAGES
    @given(params(CASE_FILTERS))
    @example({"registered_from": "0001-01-01", "registered_to": "9999-12-31"})
    @example({"q": "路灯\x00", "category": "1\x00"})
    def test_case_list_and_map_filters(self, query):
        self.client.force_login(self.dispatcher)
        for url in ("/cases/", "/map/", "/map/cases.geojson"):
            self.assert_no_server_error(self.client.get(url, query))

    @STAFF_PAGES
    @given(params(FIGURE_FILTERS))
    @example({"asof": "0001-01-01T00:00:00+14:00"})
    @example({"asof": "2026-01-01T25:00:00+08:00"})
    @example({"start": "0001-01-01", "end": "9999-12-31"})
    def test_figures_filters(self, query):
        self.client.force_login(self.dispatcher)
        for url in ("/figures/", "/figures/cases/"):
            self.assert_no_server_error(self.client.get(url, query))
