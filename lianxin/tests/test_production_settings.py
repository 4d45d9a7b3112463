"""Secure by default: DEBUG=0 with SECRET_KEY and ALLOWED_HOSTS passes `check --deploy`,
each protection is relaxed by an environment variable, and links say https behind nginx."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import time_machine
from django.conf import settings
from django.test import SimpleTestCase, override_settings
from django.urls import reverse

from lianxin.cases import actions
from lianxin.cases.tests.images import upload
from lianxin.test import LianxinTestCase, at

LIANXIN = str(Path(sys.executable).with_name("lianxin"))
KEY = "q8Zr3-vN0pLw7xYt2mKc9sHd4fJb6gUe1aRo5iTy8nEq3zXu0wVs7lPk2jMh4c"


def production(**extra: str) -> dict[str, str]:
    """The environment of a production process that sets only what it must."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", ""),
        "DEBUG": "0",
        "SECRET_KEY": KEY,
        "ALLOWED_HOSTS": "lianxin.example.gov.cn",
    }
    env.update(extra)
    return env


class DeployCheckTest(SimpleTestCase):
    def setUp(self):
        self.data = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.data)

    def check(self, **extra: str) -> str:
        done = subprocess.run(  # noqa: S603 - our own console script
            [LIANXIN, "check", "--deploy"],
            env=production(DATA_DIR=self.data, **extra),
            capture_output=True,
            text=True,
            timeout=120,
        )
        return done.stdout + done.stderr

    def test_only_secret_key_and_allowed_hosts_pass_check_deploy(self):
        # The one warning left is the timeline's own key (docs/security.md): it must be
        # chosen once by the operator, so it cannot have a default.
        output = self.check()
        self.assertIn("lianxin.cases.W001", output)
        self.assertIn("System check identified 1 issue", output)
        output = self.check(AUDIT_CHAIN_KEY="another-long-random-value-for-the-chain-0123456789")
        self.assertIn("System check identified no issues", output)

    def test_each_protection_is_relaxed_by_its_variable(self):
        output = self.check(
            AUDIT_CHAIN_KEY="another-long-random-value-for-the-chain-0123456789",
            SECURE_SSL_REDIRECT="0",
            SESSION_COOKIE_SECURE="0",
            CSRF_COOKIE_SECURE="0",
            SECURE_HSTS_SECONDS="0",
        )
        for warning in ("security.W008", "security.W012", "security.W016", "security.W004"):
            self.assertIn(warning, output)

    def test_a_production_process_builds_https_links(self):
        script = (
            "import django; from django.conf import settings; django.setup(); "
            "print(settings.SITE_URL, settings.SECURE_PROXY_SSL_HEADER, "
            "settings.SESSION_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS)"
        )
        env = production(DATA_DIR=self.data, DJANGO_SETTINGS_MODULE="lianxin.settings")
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        self.assertEqual(
            done.stdout.split(),
            [
                "https://lianxin.example.gov.cn",
                "('HTTP_X_FORWARDED_PROTO',",
                "'https')",
                "True",
                "31536000",
            ],
        )
        env["SITE_URL"] = "https://12345.example.gov.cn/"
        env["SECURE_PROXY_SSL_HEADER"] = "0"
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        self.assertEqual(done.stdout.split()[:2], ["https://12345.example.gov.cn", "None"])

    def test_the_demo_keeps_plain_http(self):
        self.assertFalse(settings.SESSION_COOKIE_SECURE)
        self.assertEqual(settings.SECURE_HSTS_SECONDS, 0)


@time_machine.travel(at(2026, 6, 17, 10), tick=False)
@override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
class LinksBehindTheProxyTest(LianxinTestCase):
    def test_open311_links_say_https_when_nginx_says_so(self):
        media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, media)
        self.enterContext(override_settings(MEDIA_ROOT=media))
        case = self.register(photos=[upload("路灯.jpg")])
        actions.do_set_photo_public(case.photos.get(), actor=self.dispatcher, public=True)
        url = f"/open311/v2/requests/{case.tracking_number}.json"

        # What nginx passes on (deploy/nginx.conf): the Host the client asked for, and https.
        proxied = {"HTTP_HOST": "testserver", "HTTP_X_FORWARDED_PROTO": "https"}
        (shown,) = self.client.get(url, **proxied).json()
        photo = reverse("open311:photo", args=[case.photos.get().pk])
        self.assertEqual(shown["media_url"], "https://testserver" + photo)
        discovery = self.client.get("/open311/v2/discovery.json", **proxied)
        self.assertEqual(discovery.json()["endpoints"][0]["url"], "https://testserver/open311/v2")
        # Without the proxy's word the same request is plain http: the header decides.
        (shown,) = self.client.get(url, HTTP_HOST="testserver").json()
        self.assertEqual(shown["media_url"], "http://testserver" + photo)

    @override_settings(SECURE_SSL_REDIRECT=True)
    def test_plain_http_is_redirected_to_https(self):
        response = self.client.get("/login/")
        self.assertEqual(response.status_code, 301)
        self.assertEqual(response["Location"], "https://testserver/login/")
        self.assertEqual(
            self.client.get("/login/", HTTP_X_FORWARDED_PROTO="https").status_code, 200
        )
