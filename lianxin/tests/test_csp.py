"""The content security policy: sent on every page, kept off nothing it would break, and
the templates hold no inline script or style for it to refuse."""

import re
import shutil
import tempfile
from pathlib import Path

import time_machine
from django.conf import settings
from django.test import SimpleTestCase, override_settings

from lianxin.cases import actions
from lianxin.cases.tests.images import upload
from lianxin.csp import default_policy, tile_origin
from lianxin.test import LianxinTestCase, at


class TileOriginTest(SimpleTestCase):
    def test_the_tile_server_is_the_one_other_image_origin(self):
        self.assertEqual(
            tile_origin("https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
            "https://tile.openstreetmap.org",
        )
        self.assertEqual(
            tile_origin("http://t{s}.tianditu.gov.cn/vec_w/wmts?tk=k&x={x}"),
            "http://*.tianditu.gov.cn",
        )
        self.assertEqual(tile_origin("http://127.0.0.1:9/{z}/{x}/{y}.png"), "http://127.0.0.1:9")
        self.assertEqual(tile_origin("/tiles/{z}/{x}/{y}.png"), "")
        policy = default_policy("https://{s}.tiles.example.cn/{z}/{x}/{y}.png")
        self.assertIn("img-src 'self' data: blob: https://*.tiles.example.cn;", policy)
        self.assertNotIn("unsafe", policy)


@time_machine.travel(at(2026, 6, 17, 10), tick=False)
class PolicyHeaderTest(LianxinTestCase):
    def test_pages_carry_the_policy(self):
        self.client.force_login(self.dispatcher)
        for url in ("/", "/figures/", "/map/", "/m/", "/login/"):
            response = self.client.get(url, follow=True)
            policy = response["Content-Security-Policy"]
            self.assertIn("script-src 'self';", policy, url)
            self.assertIn("frame-ancestors 'none'", policy, url)
            self.assertIn("https://tile.openstreetmap.org", policy, url)

    @override_settings(CSP_REPORT_ONLY=True)
    def test_report_only(self):
        response = self.client.get("/login/")
        self.assertNotIn("Content-Security-Policy", response)
        self.assertIn("script-src 'self'", response["Content-Security-Policy-Report-Only"])

    def test_a_policy_of_ones_own_or_none(self):
        with override_settings(CONTENT_SECURITY_POLICY="default-src 'self' https://cdn.example"):
            self.assertEqual(
                self.client.get("/login/")["Content-Security-Policy"],
                "default-src 'self' https://cdn.example",
            )
        with override_settings(CONTENT_SECURITY_POLICY="off"):
            self.assertNotIn("Content-Security-Policy", self.client.get("/login/"))

    def test_a_photo_keeps_its_own_stricter_policy(self):
        media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, media)
        self.enterContext(override_settings(MEDIA_ROOT=media))
        case = self.register(photos=[upload("路灯.jpg")])
        self.client.force_login(self.dispatcher)
        response = self.client.get(f"/cases/{case.pk}/photos/{case.photos.get().pk}/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Security-Policy"], "default-src 'none'; sandbox")
        actions.do_set_photo_public(case.photos.get(), actor=self.dispatcher, public=True)


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>", re.S)
HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.I)
STYLE = re.compile(r"""(\sstyle\s*=\s*["'])|(<style[\s>])""", re.I)


class TemplatesHoldNoInlineCodeTest(SimpleTestCase):
    """What the policy would refuse, found in the templates before a browser finds it."""

    def templates(self):
        roots = [
            Path(settings.BASE_DIR) / "templates",
            *Path(settings.BASE_DIR).glob("lianxin/*/templates"),
        ]
        for root in roots:
            yield from sorted(root.rglob("*.html"))

    def test_no_inline_script_handler_or_style(self):
        found = []
        for path in self.templates():
            text = path.read_text()
            for name, pattern in (("script", INLINE_SCRIPT), ("on…=", HANDLER), ("style", STYLE)):
                for match in pattern.finditer(text):
                    line = text.count("\n", 0, match.start()) + 1
                    found.append(f"{path.relative_to(settings.BASE_DIR)}:{line}: inline {name}")
            if "javascript:" in text:
                found.append(f"{path.relative_to(settings.BASE_DIR)}: javascript: link")
        self.assertEqual(found, [], "move it to a static file (docs/deploy.md, CSP)")

    def test_the_scan_finds_what_it_looks_for(self):
        self.assertTrue(INLINE_SCRIPT.search("<script>alert(1)</script>"))
        self.assertFalse(INLINE_SCRIPT.search('<script src="/static/x.js" defer></script>'))
        self.assertTrue(HANDLER.search('<button onclick="go()">'))
        self.assertTrue(STYLE.search('<span style="color:red">'))
        self.assertFalse(STYLE.search('<link rel="stylesheet" href="/static/x.css">'))
