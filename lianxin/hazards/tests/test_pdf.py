"""The rectification notice as PDF: it opens, it carries the Chinese text, and the text
renders as Chinese glyphs (not blank, not tofu boxes) when the page is drawn as an image."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from lianxin.hazards.models import Notice
from lianxin.hazards.tests.test_actions import HazardTestCase

pdfium = pytest.importorskip("pypdfium2", reason="pypdfium2 (a dev dependency) draws the PDF")


def render(pdf: bytes, scale=2):
    document = pdfium.PdfDocument(pdf)
    page = document[0]
    text = page.get_textpage().get_text_range()
    image = page.render(scale=scale, grayscale=True).to_pil()
    return document, text, image


def ink(image, box) -> int:
    """Dark pixels in `box` (left, top, right, bottom), on a grayscale image."""
    return sum(1 for value in image.crop(box).tobytes() if value < 128)


class NoticePdfTests(HazardTestCase):
    def pdf_of(self, notice, user=None):
        self.client.force_login(user or self.community_staff)
        response = self.client.get(reverse("ledgers:hazard_notice", args=[notice.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        return response.content

    def test_the_notice_shows_its_chinese_text(self):
        hazard = self.noticed()
        notice = Notice.objects.get(hazard=hazard)
        document, text, image = render(self.pdf_of(notice))
        self.assertEqual(len(document), 1)
        for words in ("安全隐患整改通知单", "整改〔2026〕第0001号", "福临五金加工厂", "灭火器过期"):
            self.assertIn(words, text.replace("\r\n", "").replace("\n", ""))
        artifacts = Path(settings.BASE_DIR) / "test-artifacts" / "hazards"
        artifacts.mkdir(parents=True, exist_ok=True)
        image.save(artifacts / "notice.png")
        width, height = image.size
        # The title band (the top tenth of the page) has glyphs in it: not a blank page.
        self.assertGreater(ink(image, (0, 0, width, height // 8)), 500)
        # Tofu draws every character as the same box: two notices that differ only in the
        # party's Chinese name would then look alike. They must not.
        other = Notice.objects.get(pk=notice.pk)
        other.responsible_party = "青峰五金加工厂 刘明"
        other.save(update_fields=["responsible_party"])
        _doc, _text, second = render(self.pdf_of(other))
        band = (0, int(height * 0.12), width, int(height * 0.2))
        self.assertNotEqual(image.crop(band).tobytes(), second.crop(band).tobytes())
        # And the same text draws the same glyphs (the comparison above can fail).
        _doc, _text, third = render(self.pdf_of(other))
        self.assertEqual(second.crop(band).tobytes(), third.crop(band).tobytes())

    def test_out_of_scope_is_a_404(self):
        notice = Notice.objects.get(hazard=self.noticed())
        self.client.force_login(self.handler_c)
        self.assertEqual(
            self.client.get(reverse("ledgers:hazard_notice", args=[notice.pk])).status_code, 404
        )
