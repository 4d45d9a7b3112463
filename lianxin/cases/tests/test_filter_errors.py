"""Staff filters given what no one types: a Chinese error on the page, never a 5xx."""

import time_machine

from lianxin.forms import CONTROL_MESSAGE
from lianxin.test import LianxinTestCase, at


@time_machine.travel(at(2026, 6, 17), tick=False)
class FilterErrorTest(LianxinTestCase):
    def setUp(self):
        self.client.force_login(self.dispatcher)
        self.case = self.register()

    def test_a_nul_or_another_control_in_any_filter_is_a_chinese_form_error(self):
        for url in ("/cases/", "/map/"):
            for query in (
                {"q": "路灯\x00"},
                {"q": "\x0b路灯"},
                {"status": "\x00"},
                {"category": f"{self.category.pk}\x00"},
                {"registered_from": "2026-01-01\x00"},
            ):
                with self.subTest(url=url, query=query):
                    response = self.client.get(url, query)
                    self.assertContains(response, str(CONTROL_MESSAGE))
        for query in ({"start": "2026-06-01\x00", "period": "custom"}, {"channel": "\x00"}):
            with self.subTest(query=query):
                self.assertContains(self.client.get("/figures/", query), str(CONTROL_MESSAGE))

    def test_the_filter_is_shown_not_applied(self):
        response = self.client.get("/cases/", {"q": "路灯\x00"})
        self.assertContains(response, self.case.tracking_number)

    def test_years_far_away_are_a_form_error_or_an_empty_list(self):
        response = self.client.get("/cases/", {"registered_from": "10000-01-01"})
        self.assertContains(response, "输入一个有效的日期")
        response = self.client.get(
            "/cases/", {"registered_from": "0001-01-01", "registered_to": "9999-12-31"}
        )
        self.assertContains(response, self.case.tracking_number)

    def test_a_figure_taken_at_an_impossible_moment_is_taken_now(self):
        for asof in ("0001-01-01T00:00:00+14:00", "2026-01-01T25:00:00+08:00"):
            with self.subTest(asof=asof):
                response = self.client.get("/figures/cases/", {"metric": "total", "asof": asof})
                self.assertEqual(response.status_code, 200)
