"""A test district wired to a fake city platform running on 127.0.0.1."""

import datetime as dt

from django.utils import timezone
from huey.contrib.djhuey import HUEY

from lianxin.test import LianxinTestCase
from lianxin.upstream.exchange import run_exchange
from lianxin.upstream.models import ServiceMapping, UpstreamOrder, UpstreamSettings
from lianxin.upstream.tests.fake_upstream import FakeUpstream


class UpstreamTestCase(LianxinTestCase):
    def setUp(self):
        super().setUp()
        self.fake = FakeUpstream().start()
        self.addCleanup(self.fake.stop)
        # Jobs queued by the receiver run in this process, at once, against the fake.
        was_immediate = HUEY.immediate
        HUEY.immediate = True
        self.addCleanup(setattr, HUEY, "immediate", was_immediate)
        self.config = UpstreamSettings.load()
        self.config.name = "青诉即办"
        self.config.enabled = True
        self.config.base_url = self.fake.url
        self.config.jurisdiction_id = "qingdao"
        self.config.api_key = self.fake.api_key
        self.config.actor = self.dispatcher
        self.config.poll_minutes = 5
        self.config.connect_timeout = 0.5
        self.config.read_timeout = 0.5
        self.config.retry_cap_minutes = 10
        self.config.save()
        ServiceMapping.objects.create(
            settings=self.config, service_code="LIGHT", category=self.category
        )
        self.t0 = timezone.now()

    def later(self, **delta) -> dt.datetime:
        return self.t0 + dt.timedelta(**delta)

    def exchange(self, now=None) -> dict:
        return run_exchange(now=now or timezone.now())

    def order(self, upstream_id: str) -> UpstreamOrder:
        return UpstreamOrder.objects.select_related("case").get(upstream_id=upstream_id)

    def settings_now(self) -> UpstreamSettings:
        return UpstreamSettings.load()
