"""The receiver's check in docs/notifications.md, run as written against real deliveries:
a delivery passes once, its replay is refused, a retry is recognised."""

import datetime as dt
import re
from pathlib import Path

import time_machine
from django.conf import settings
from django.utils import timezone

from lianxin.notify.tests.httpserver import local_server
from lianxin.notify.tests.jobs import run_queued, run_scheduled
from lianxin.webhooks.tests.test_webhooks import JOBS, SECRET, WebhookTestCase

DOC = Path(settings.BASE_DIR) / "docs" / "notifications.md"


def receiver_example(secret: str) -> dict:
    """The first Python block under "Verifying a delivery", executed with our secret."""
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("### Verifying a delivery") :]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    namespace: dict = {}
    exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102  (our own documentation)
    namespace["SECRET"] = secret.encode()
    return namespace


class ReceiverExampleTest(WebhookTestCase):
    def setUp(self):
        self.check = receiver_example(SECRET)["check_delivery"]

    def test_a_delivery_passes_once_and_a_replay_is_refused(self):
        with time_machine.travel(timezone.now(), tick=False):
            with local_server() as partner:
                self.subscribe(partner.url)
                self.committed(self.register)
                run_queued(JOBS)
            [request] = partner.received
            headers, body = request["headers"], request["body"]
            seen: set = set()
            now = timezone.now().timestamp()
            self.assertEqual(self.check(headers, body, seen, now), "ok")
            # The same bytes again, at once: the id was seen.
            self.assertEqual(self.check(headers, body, seen, now), "seen")
            # Captured and sent six minutes later to a receiver that forgot the id.
            self.assertEqual(self.check(headers, body, set(), now + 6 * 60), "refused")
            # A fresh timestamp pasted onto the captured delivery breaks the signature.
            forged = {**headers, "X-Lianxin-Timestamp": str(int(now) + 6 * 60)}
            self.assertEqual(self.check(forged, body, set(), now + 6 * 60), "refused")
            # So do another delivery id, another body, another secret.
            other = {**headers, "X-Lianxin-Delivery": "00000000-0000-0000-0000-000000000000"}
            self.assertEqual(self.check(other, body, set(), now), "refused")
            self.assertEqual(self.check(headers, body + b" ", set(), now), "refused")
            stranger = receiver_example("another-secret")["check_delivery"]
            self.assertEqual(stranger(headers, body, set(), now), "refused")

    def test_a_retry_carries_a_fresh_signature_and_the_same_id(self):
        with time_machine.travel(timezone.now(), tick=False) as clock:
            with local_server(statuses=(500, 200)) as partner:
                self.subscribe(partner.url)
                self.committed(self.register)
                run_queued(JOBS)
                first_seen_at = timezone.now().timestamp()
                clock.shift(dt.timedelta(minutes=10))  # the receiver failed for a while
                run_scheduled(JOBS)
            first, retry = partner.received
        seen: set = set()
        # The first attempt, replayed ten minutes later, is refused; the retry passes.
        now = first_seen_at + 10 * 60
        self.assertEqual(self.check(first["headers"], first["body"], seen, now), "refused")
        self.assertEqual(self.check(retry["headers"], retry["body"], seen, now), "ok")
        self.assertEqual(
            first["headers"]["X-Lianxin-Delivery"], retry["headers"]["X-Lianxin-Delivery"]
        )
