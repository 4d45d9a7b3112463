"""Posts with photos on /m/ are limited per address and hour: checking photos costs CPU."""

import shutil
import tempfile

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from lianxin.cases.models import Case, CasePhoto
from lianxin.cases.tests.images import image_bytes
from lianxin.test import LianxinTestCase, at


def concern(n: int, *, photo: bool = True) -> dict:
    data = {
        "category": "",
        "title": "北门路灯坏了",
        "text": "福临苑小区北门的两盏路灯坏了快两周，晚上出入不方便。",
        "address": "福临苑小区北门",
        "name": "",
        "phone": f"1370000{n:04d}",
        "token": f"{n:032x}",
    }
    if photo:
        data["photos"] = SimpleUploadedFile("门口.jpg", image_bytes("JPEG"), "image/jpeg")
    return data


@override_settings(PORTAL_PHOTO_POSTS_PER_ADDRESS=2)
class PhotoPostLimitTest(LianxinTestCase):
    url = reverse("portal:submit")

    def setUp(self):
        media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, media)
        self.enterContext(override_settings(MEDIA_ROOT=media))

    def test_over_the_limit_a_post_with_photos_is_refused_before_they_are_checked(self):
        with time_machine.travel(at(2026, 6, 17, 9), tick=False):
            for n in range(2):
                self.assertEqual(self.client.post(self.url, concern(n)).status_code, 302)
            refused = self.client.post(self.url, concern(2))
            self.assertContains(refused, "上传照片过于频繁，请一小时后再试", status_code=429)
            self.assertContains(refused, "福临苑小区北门", status_code=429)  # what was typed
            self.assertEqual(Case.objects.count(), 2)
            self.assertEqual(CasePhoto.objects.count(), 2)
            # Without photos the resident can still file.
            self.assertEqual(self.client.post(self.url, concern(3, photo=False)).status_code, 302)
        with time_machine.travel(at(2026, 6, 17, 10, 1), tick=False):
            self.assertEqual(self.client.post(self.url, concern(4)).status_code, 302)
        self.assertEqual(CasePhoto.objects.count(), 3)
