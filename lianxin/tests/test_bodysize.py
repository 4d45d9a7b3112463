"""A request body over MAX_REQUEST_BYTES is refused with 413 before it is read."""

import io

import time_machine
from django.test import override_settings

from lianxin.test import LianxinTestCase, at


class Unreadable(io.RawIOBase):
    """A body that fails the test if anyone reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readinto = read


@time_machine.travel(at(2026, 6, 17), tick=False)
class RequestBodyLimitTest(LianxinTestCase):
    def post_claiming(self, url: str, length: int):
        return self.client.generic(
            "POST",
            url,
            content_type="multipart/form-data; boundary=x",
            CONTENT_LENGTH=str(length),
            **{"wsgi.input": Unreadable()},
        )

    def test_an_anonymous_post_over_the_cap_is_refused_unread(self):
        for url in ("/m/", "/open311/v2/requests.json", "/login/"):
            with self.subTest(url=url):
                response = self.post_claiming(url, 64 * 1024 * 1024 + 1)
                self.assertEqual(response.status_code, 413)
                self.assertIn("提交的内容过大（超过64 MB）", response.content.decode())
                self.assertEqual(response["Connection"], "close")

    @override_settings(MAX_REQUEST_BYTES=1024 * 1024)
    def test_the_cap_is_a_setting(self):
        response = self.client.post("/m/", {"text": "x" * (1024 * 1024 + 1)})
        self.assertEqual(response.status_code, 413)
        self.assertContains(self.client.post("/m/", {"text": "x"}), "", status_code=200)
