"""The test clock: shifted for the whole process when asked, and travelled by browser tests
in the live server's threads as well as in the test's own."""

import datetime as dt
import os
import urllib.request

import time_machine
from django.http import HttpResponse
from django.test import LiveServerTestCase, SimpleTestCase, override_settings
from django.urls import path
from django.utils import timezone

from lianxin.test import at


def server_now(request):
    return HttpResponse(timezone.now().isoformat())


urlpatterns = [path("now/", server_now)]


class ShiftedClockTest(SimpleTestCase):
    def test_the_process_runs_as_many_days_ahead_as_asked(self):
        days = int(os.getenv("LIANXIN_TEST_CLOCK_SHIFT_DAYS", "0") or 0)
        hatch = time_machine.escape_hatch
        real_seconds = hatch.time.time() if hatch.is_travelling() else timezone.now().timestamp()
        real = dt.datetime.fromtimestamp(real_seconds, dt.UTC)
        ahead = timezone.now() - real
        self.assertAlmostEqual(ahead.total_seconds(), days * 86400, delta=600)


@override_settings(ROOT_URLCONF=__name__)
class LiveServerClockTest(LiveServerTestCase):
    def test_the_live_servers_thread_sees_the_tests_moment(self):
        moment = at(2031, 2, 28, 23, 50)
        url = self.live_server_url + "/now/"
        with time_machine.travel(moment, tick=False), urllib.request.urlopen(url) as response:  # noqa: S310
            served = dt.datetime.fromisoformat(response.read().decode())
        self.assertEqual(served, moment)
