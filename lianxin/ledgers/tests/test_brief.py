"""The monthly brief: a printable page and a PDF with the month's figures, rankings, hot spots
and the exemplary cases the office marked."""

import base64
import datetime as dt
import re
import zlib

from django.urls import reverse
from django.utils import timezone

from lianxin.cases import actions
from lianxin.cases.models import Status
from lianxin.ledgers.brief import build_brief, parse_month, previous_month
from lianxin.orgs.models import DistrictSettings
from lianxin.test import LianxinTestCase
from lianxin.workdays.days import local_date

NOTE = "网格员当天上报，城管局三天内更换灯具，群众送来感谢信。"


def _unescape(data: bytes) -> bytes:
    def one(match):
        code = match.group(1)
        if code[:1].isdigit():
            return bytes([int(code, 8) & 0xFF])
        return {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(code, code)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, data, flags=re.S)


def pdf_contains(data: bytes, text: str) -> bool:
    """Whether a page of the PDF shows `text`: reportlab writes CID-font text as UCS-2 in
    ASCII85- and Flate-encoded content streams."""
    needle = text.encode("utf-16-be")
    pattern = rb"/Filter \[ /ASCII85Decode /FlateDecode \][^>]*>>\s*stream\r?\n(.*?)endstream"
    for match in re.finditer(pattern, data, re.S):
        raw = match.group(1).strip()
        raw = raw[:-2] if raw.endswith(b"~>") else raw
        if needle in _unescape(zlib.decompress(base64.a85decode(raw))):
            return True
    return False


class BriefTest(LianxinTestCase):
    def setUp(self):
        DistrictSettings.objects.update_or_create(pk=1, defaults={"ranking_min_cases": 1})
        today = local_date(timezone.now())
        self.month = today.replace(day=1)
        last = previous_month(self.month)
        self.last_month_case = self.register(
            when=timezone.make_aware(dt.datetime.combine(last, dt.time(10)))
        )
        self.closed = self.case_in(Status.CLOSED)
        self.open = self.in_progress()
        self.other = self.register(grid=self.other_grid, title="青峰社区井盖松动")
        actions.do_mark_exemplary(self.closed, actor=self.dispatcher, note=NOTE)

    def query(self):
        return {"month": self.month.strftime("%Y-%m")}

    def test_the_brief_has_the_months_figures_rankings_hot_spots_and_examples(self):
        brief = build_brief(self.dispatcher, self.month)
        headline = {cell["label"]: cell["value"] for cell in brief.headline}
        self.assertEqual(headline["登记总量"], "3")  # this month's three, not last month's
        statuses = {cell["label"]: cell["value"] for cell in brief.statuses}
        self.assertEqual(statuses["已办结归档"], "1")
        self.assertEqual(statuses["办理中"], "1")
        self.assertEqual(headline["最终满意率"], "100.0%")
        departments = brief.rankings[0]
        self.assertEqual([row["label"] for row in departments["rows"]], ["区城市管理局"])
        grids = {item["label"]: item for item in brief.hot["grid"]}
        self.assertEqual((grids["福临第一网格"]["this"], grids["福临第一网格"]["last"]), (2, 1))
        self.assertEqual(grids["青峰第一网格"]["change"], 1)
        self.assertEqual([case.pk for case in brief.exemplary], [self.closed.pk])

    def test_the_page_prints_the_brief(self):
        self.client.force_login(self.dispatcher)
        page = self.client.get(reverse("ledgers:brief"), self.query())
        title = f"{self.month.year}年{self.month.month}月 连心服务工作简报"
        self.assertContains(page, title)
        self.assertContains(page, NOTE)
        self.assertContains(page, self.closed.tracking_number)
        self.assertContains(page, "区城市管理局")
        self.assertContains(page, "@media print", count=0)  # print rules live in the CSS file
        self.assertContains(page, "css/ledgers.css")
        self.assertContains(page, reverse("ledgers:brief_pdf"))

    def test_the_pdf_has_the_brief_in_chinese(self):
        self.client.force_login(self.leader)
        response = self.client.get(reverse("ledgers:brief_pdf"), self.query())
        self.assertEqual(response["Content-Type"], "application/pdf")
        data = b"".join(response.streaming_content)
        self.assertTrue(data.startswith(b"%PDF-"))
        self.assertGreaterEqual(len(re.findall(rb"/Type /Page\b", data)), 1)
        self.assertTrue(pdf_contains(data, "连心服务工作简报"))
        self.assertTrue(pdf_contains(data, NOTE[:10]))
        self.assertTrue(pdf_contains(data, "区城市管理局"))
        self.assertFalse(pdf_contains(data, "不在简报里的字"))

    def test_a_month_without_cases_still_makes_a_brief(self):
        empty = dt.date(2025, 1, 1)
        self.client.force_login(self.dispatcher)
        page = self.client.get(reverse("ledgers:brief"), {"month": "2025-01"})
        self.assertContains(page, "本月没有选树的典型案例")
        self.assertEqual(build_brief(self.dispatcher, empty).headline[0]["value"], "0")
        pdf = self.client.get(reverse("ledgers:brief_pdf"), {"month": "2025-01"})
        self.assertTrue(pdf_contains(b"".join(pdf.streaming_content), "本月没有选树的典型案例"))

    def test_only_those_who_see_the_whole_district_get_the_brief(self):
        for user in (self.handler_a, self.street_staff, self.grid_worker, self.resident):
            self.client.force_login(user)
            for name in ("ledgers:brief", "ledgers:brief_pdf"):
                with self.subTest(user=user.username, page=name):
                    self.assertEqual(self.client.get(reverse(name)).status_code, 404)

    def test_the_month_defaults_to_last_month(self):
        today = dt.date(2026, 3, 15)
        self.assertEqual(parse_month("2026-02", today), dt.date(2026, 2, 1))
        self.assertEqual(parse_month("2026-03", today), dt.date(2026, 3, 1))
        for value in (None, "", "2026-13", "lately", "2026-04"):
            self.assertEqual(parse_month(value, today), dt.date(2026, 2, 1))
        self.assertEqual(parse_month(None, dt.date(2026, 1, 9)), dt.date(2025, 12, 1))
