"""Staff photos go through the same check as residents': a script posing as a photo is
refused, with nothing stored, and a real photo is stored anew under a generated name."""

import io
import shutil
import tempfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from lianxin.cases.models import CasePhoto, Status
from lianxin.cases.tests.images import GPS_IFD, image_bytes
from lianxin.test import LianxinTestCase

SCRIPT_HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"
SCRIPT_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(document.domain)</script></svg>"
)


def stored_files(root) -> list[Path]:
    return [path for path in Path(root).rglob("*") if path.is_file()]


class ResolvePhotoTest(LianxinTestCase):
    def setUp(self):
        self.media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.media)
        self.enterContext(override_settings(MEDIA_ROOT=self.media))
        self.case = self.replied()
        self.client.force_login(self.handler_a)

    def resolve(self, *files):
        return self.client.post(
            reverse("workbench:case_action", args=[self.case.pk, "resolve"]),
            {"note": "已更换3号楼门口路灯灯具，恢复照明。", "photos": list(files)},
            follow=True,
        )

    def assert_refused(self, response, name):
        # The page comes back with the refusal and the typed note, not a redirect.
        self.assertContains(response, f"文件“{name}”不是JPEG、PNG或WebP格式的图片", status_code=400)
        self.assertEqual(self.reload(self.case).status, Status.REPLIED)
        self.assertFalse(CasePhoto.objects.filter(case=self.case).exists())
        self.assertEqual(stored_files(self.media), [])

    def test_an_html_page_posing_as_a_photo_is_refused_and_nothing_is_stored(self):
        response = self.resolve(SimpleUploadedFile("现场.html", SCRIPT_HTML, "image/jpeg"))
        self.assert_refused(response, "现场.html")

    def test_an_svg_with_a_script_is_refused_and_nothing_is_stored(self):
        response = self.resolve(SimpleUploadedFile("lamp.svg", SCRIPT_SVG, "image/svg+xml"))
        self.assert_refused(response, "lamp.svg")

    def test_a_polyglot_that_starts_as_a_gif_and_carries_html_is_refused(self):
        polyglot = b"GIF89a/*" + b"\0" * 20 + b"*/=1;<script>alert(1)</script>"
        response = self.resolve(SimpleUploadedFile("ok.jpg", polyglot, "image/jpeg"))
        self.assert_refused(response, "ok.jpg")

    def test_one_bad_file_among_good_ones_refuses_all_and_stores_none(self):
        good = SimpleUploadedFile("lamp.jpg", image_bytes(), "image/jpeg")
        bad = SimpleUploadedFile("x.html", SCRIPT_HTML, "text/html")
        response = self.resolve(good, bad)
        self.assert_refused(response, "x.html")

    def test_a_real_photo_is_stored_re_encoded_under_a_generated_name(self):
        self.resolve(SimpleUploadedFile("王秀兰家门口.jpg", image_bytes(gps=True), "image/jpeg"))
        self.assertEqual(self.reload(self.case).status, Status.RESOLVED)
        photo = CasePhoto.objects.get(case=self.case)
        self.assertEqual(photo.stage, CasePhoto.Stage.RESOLUTION)
        self.assertNotIn("王秀兰", photo.image.name)
        self.assertRegex(photo.image.name, r"/[0-9a-f]{32}\.jpg$")
        stored = Image.open(io.BytesIO(photo.image.read()))
        self.assertEqual(stored.format, "JPEG")
        self.assertNotIn(GPS_IFD, stored.getexif())
        self.assertEqual(dict(stored.getexif()), {})


class PhotoServingTest(LianxinTestCase):
    """Photos go out through views that check the viewer and send headers that keep a
    browser from running them; MEDIA is not served as files."""

    def setUp(self):
        self.media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.media)
        self.enterContext(override_settings(MEDIA_ROOT=self.media))
        self.case = self.dispatched(
            photos=[SimpleUploadedFile("门口.jpg", image_bytes(), "image/jpeg")]
        )
        self.photo = self.case.photos.get()
        self.url = reverse("workbench:case_photo", args=[self.case.pk, self.photo.pk])

    def test_the_handling_department_gets_the_image_with_safe_headers(self):
        self.client.force_login(self.handler_a)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/jpeg")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertIn("sandbox", response["Content-Security-Policy"])
        self.assertTrue(response["Content-Disposition"].startswith("inline"))
        self.assertEqual(
            Image.open(io.BytesIO(b"".join(response.streaming_content))).format, "JPEG"
        )

    def test_a_file_stored_before_the_check_goes_out_as_an_opaque_download(self):
        # Files the old resolve form stored under the uploader's name are still on disk.
        legacy = CasePhoto.objects.create(
            case=self.case,
            stage=CasePhoto.Stage.RESOLUTION,
            image=SimpleUploadedFile("x.html", SCRIPT_HTML, "text/html"),
        )
        self.client.force_login(self.handler_a)
        response = self.client.get(reverse("workbench:case_photo", args=[self.case.pk, legacy.pk]))
        self.assertEqual(response["Content-Type"], "application/octet-stream")
        self.assertTrue(response["Content-Disposition"].startswith("attachment"))
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")

    def test_another_department_gets_404(self):
        self.client.force_login(self.handler_b)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_a_photo_of_another_case_is_404_under_this_case(self):
        other = self.dispatched()
        self.client.force_login(self.handler_a)
        url = reverse("workbench:case_photo", args=[other.pk, self.photo.pk])
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_wrong_method_is_refused(self):
        self.client.force_login(self.handler_a)
        self.assertEqual(self.client.post(self.url).status_code, 405)

    def test_a_visitor_is_sent_to_sign_in_and_media_is_not_served_as_files(self):
        self.assertEqual(self.client.get(self.url).status_code, 302)
        self.assertEqual(self.client.get("/media/" + self.photo.image.name).status_code, 404)

    def test_the_resident_sees_his_reports_photo_on_his_own_page_only(self):
        url = reverse("portal:case_photo", args=[self.case.pk, self.photo.pk])
        self.assertEqual(self.client.get(url).status_code, 404)  # no proof in this session
        self.client.force_login(self.resident)
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.client.force_login(self.other_resident)
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_staff_photos_are_not_on_the_residents_page(self):
        staff_photo = CasePhoto.objects.create(
            case=self.case,
            stage=CasePhoto.Stage.RESOLUTION,
            image=SimpleUploadedFile("a.jpg", image_bytes(), "image/jpeg"),
        )
        self.client.force_login(self.resident)
        url = reverse("portal:case_photo", args=[self.case.pk, staff_photo.pk])
        self.assertEqual(self.client.get(url).status_code, 404)


class PublishPhotoTest(LianxinTestCase):
    """Only the office makes a photo public (for the Open311 feed), beside the photo."""

    def setUp(self):
        self.media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.media)
        self.enterContext(override_settings(MEDIA_ROOT=self.media))
        self.case = self.dispatched(
            photos=[SimpleUploadedFile("门口.jpg", image_bytes(), "image/jpeg")]
        )
        self.photo = self.case.photos.get()
        self.url = reverse("workbench:case_action", args=[self.case.pk, "publish_photo"])

    def publish(self, user, public="1", photo=None):
        self.client.force_login(user)
        return self.client.post(
            self.url, {"photo": (photo or self.photo).pk, "public": public}, follow=True
        )

    def test_the_office_publishes_and_withdraws_a_photo_with_an_event_each_time(self):
        page = self.client
        page.force_login(self.dispatcher)
        self.assertContains(
            page.get(reverse("workbench:case", args=[self.case.pk])), "公开到开放接口"
        )
        response = self.publish(self.dispatcher)
        self.assertContains(response, "已完成：公开照片")
        self.assertContains(response, "取消公开")
        self.photo.refresh_from_db()
        self.assertTrue(self.photo.public)
        self.publish(self.dispatcher, public="0")
        self.photo.refresh_from_db()
        self.assertFalse(self.photo.public)
        self.assertEqual(
            list(self.case.events.filter(code__startswith="cases.photo.").values_list("code")),
            [("cases.photo.published",), ("cases.photo.unpublished",)],
        )

    def test_the_handling_department_may_not_publish_and_is_not_offered_it(self):
        self.client.force_login(self.handler_a)
        page = self.client.get(reverse("workbench:case", args=[self.case.pk]))
        self.assertNotContains(page, "公开到开放接口")
        response = self.publish(self.handler_a)
        self.assertContains(response, "您无权对该诉求执行“公开照片”。", status_code=400)
        self.photo.refresh_from_db()
        self.assertFalse(self.photo.public)

    def test_another_department_gets_404(self):
        self.assertEqual(self.publish(self.handler_b).status_code, 404)

    def test_a_photo_of_another_case_cannot_be_smuggled_in(self):
        other = self.dispatched(photos=[SimpleUploadedFile("a.jpg", image_bytes(), "image/jpeg")])
        response = self.publish(self.dispatcher, photo=other.photos.get())
        self.assertEqual(response.status_code, 404)
        self.assertFalse(other.photos.get().public)

    def test_wrong_method_is_refused(self):
        self.client.force_login(self.dispatcher)
        self.assertEqual(self.client.get(self.url).status_code, 405)
