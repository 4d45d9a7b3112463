"""Protected files with DEBUG off: the views that check access stream a photo or an export
themselves, or hand it to nginx with X-Accel-Redirect when MEDIA_ACCEL_REDIRECT says so."""

import shutil
import tempfile
from pathlib import Path
from urllib.parse import unquote

import time_machine
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import override_settings
from django.urls import reverse

from lianxin.cases import actions
from lianxin.cases.tests.images import upload
from lianxin.ledgers.models import ExportJob
from lianxin.test import LianxinTestCase, at


@time_machine.travel(at(2026, 6, 17, 10), tick=False)
@override_settings(DEBUG=False)
class ProtectedFilesTest(LianxinTestCase):
    def setUp(self):
        data = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, data)
        self.data = data
        self.enterContext(override_settings(DATA_DIR=data, MEDIA_ROOT=data / "media"))
        self.case = self.register(photos=[upload("路灯.jpg")])
        self.photo = self.case.photos.get()
        self.staff_url = reverse("workbench:case_photo", args=[self.case.pk, self.photo.pk])

    def public_media_url(self) -> str:
        actions.do_set_photo_public(self.photo, actor=self.dispatcher, public=True)
        (shown,) = self.client.get(f"/open311/v2/requests/{self.case.tracking_number}.json").json()
        return shown["media_url"]

    def test_with_debug_off_the_views_stream_the_photos(self):
        self.client.force_login(self.dispatcher)
        response = self.client.get(self.staff_url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(b"".join(response.streaming_content), self.photo.image.read())
        self.assertNotIn("X-Accel-Redirect", response)
        self.client.logout()

        # A partner follows the feed's media_url of a photo the office made public.
        media_url = self.public_media_url()
        response = self.client.get(media_url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/jpeg")
        self.assertTrue(b"".join(response.streaming_content).startswith(b"\xff\xd8"))

    @override_settings(MEDIA_ACCEL_REDIRECT="/protected/")
    def test_nginx_sends_the_photo_after_the_same_check(self):
        self.client.force_login(self.dispatcher)
        response = self.client.get(self.staff_url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"")
        internal = response["X-Accel-Redirect"]
        self.assertEqual(internal, "/protected/media/" + self.photo.image.name)
        self.assertTrue((self.data / internal.removeprefix("/protected/")).is_file())
        self.assertEqual(response["Content-Type"], "image/jpeg")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Content-Security-Policy"], "default-src 'none'; sandbox")
        self.assertIn(f'filename="photo-{self.photo.pk}.jpg"', response["Content-Disposition"])

        # Department B has no part in the case: not found, and nothing for nginx to send.
        self.client.force_login(self.handler_b)
        response = self.client.get(self.staff_url)
        self.assertEqual(response.status_code, 404)
        self.assertNotIn("X-Accel-Redirect", response)
        self.client.logout()

        # The Open311 address of a photo nobody published is not found either; once
        # published, nginx sends it.
        open311_url = reverse("open311:photo", args=[self.photo.pk])
        self.assertNotIn("X-Accel-Redirect", self.client.get(open311_url))
        media_url = self.public_media_url()
        self.assertEqual(self.client.get(media_url)["X-Accel-Redirect"], internal)

    @override_settings(MEDIA_ACCEL_REDIRECT="/protected/")
    def test_a_file_outside_data_dir_is_streamed(self):
        elsewhere = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, elsewhere)
        with override_settings(MEDIA_ROOT=elsewhere):
            case = self.register(photos=[upload("门口.jpg")])
        photo = case.photos.get()
        self.client.force_login(self.dispatcher)
        with override_settings(MEDIA_ROOT=elsewhere):
            response = self.client.get(reverse("workbench:case_photo", args=[case.pk, photo.pk]))
        self.assertNotIn("X-Accel-Redirect", response)
        self.assertTrue(b"".join(response.streaming_content).startswith(b"\xff\xd8"))


@time_machine.travel(at(2026, 6, 17, 10), tick=False)
@override_settings(DEBUG=False)
class ProtectedExportTest(LianxinTestCase):
    """Exports live in DATA_DIR/exports (their storage is fixed when the models load)."""

    @override_settings(MEDIA_ACCEL_REDIRECT="/protected/")
    def test_nginx_sends_an_export_to_its_owner_only(self):
        job = ExportJob(owner=self.dispatcher, kind="cases", format="xlsx", title="诉求清单")
        job.status = ExportJob.Status.DONE
        job.file.save("诉求清单-20260617-1000.xlsx", ContentFile(b"PK fake xlsx"), save=False)
        job.save()
        self.addCleanup(job.file.delete, save=False)
        url = reverse("ledgers:job_download", args=[job.pk])

        self.client.force_login(self.dispatcher)
        response = self.client.get(url)
        internal = response["X-Accel-Redirect"]
        self.assertTrue(internal.startswith("/protected/exports/2026/06/%E8%AF%89"))  # 诉…
        self.assertEqual(
            (Path(settings.DATA_DIR) / unquote(internal.removeprefix("/protected/"))).read_bytes(),
            b"PK fake xlsx",
        )
        self.assertIn("attachment;", response["Content-Disposition"])

        self.client.force_login(self.handler_a)
        self.assertEqual(self.client.get(url).status_code, 404)
