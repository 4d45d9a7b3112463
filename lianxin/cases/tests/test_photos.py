"""Photo checking: real images by content, at most 10 MB, stored anew without metadata."""

import io
import struct
import zlib

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase
from django.utils import translation
from PIL import Image

from lianxin.cases.photos import MAX_PHOTO_BYTES, checked_photos, clean_photo
from lianxin.cases.rules import WorkflowError
from lianxin.cases.tests.images import GPS_IFD, image_bytes, upload


def reopen(cleaned) -> Image.Image:
    return Image.open(io.BytesIO(cleaned.read()))


class PhotoTestCase(SimpleTestCase):
    def setUp(self):
        # The refusals are asserted in Chinese, whatever language an earlier test left on.
        self.enterContext(translation.override("zh-hans"))


class CleanPhotoTest(PhotoTestCase):
    def test_a_jpeg_with_gps_comes_out_without_any_exif(self):
        original = Image.open(io.BytesIO(image_bytes(gps=True)))
        self.assertIn(GPS_IFD, original.getexif())  # the test image really carries GPS

        cleaned = reopen(clean_photo(upload("lamp.jpg", image_bytes(gps=True))))

        self.assertEqual(cleaned.format, "JPEG")
        self.assertEqual(dict(cleaned.getexif()), {})
        self.assertNotIn("exif", cleaned.info)

    def test_the_photo_is_turned_upright_by_its_orientation(self):
        # Orientation 6: the camera was held sideways; the stored photo is rotated.
        cleaned = reopen(clean_photo(upload(content=image_bytes(size=(64, 48), orientation=6))))
        self.assertEqual(cleaned.size, (48, 64))

    def test_png_and_webp_are_accepted_and_keep_their_format(self):
        for fmt in ("PNG", "WEBP"):
            with self.subTest(fmt):
                cleaned = clean_photo(upload("shot.bin", image_bytes(fmt, gps=True)))
                image = reopen(cleaned)
                self.assertEqual(image.format, fmt)
                self.assertEqual(dict(image.getexif()), {})
                self.assertTrue(cleaned.name.endswith("." + fmt.lower()))

    def test_the_format_is_read_from_the_content_not_the_name(self):
        cleaned = clean_photo(upload("photo.txt", image_bytes("PNG")))
        self.assertTrue(cleaned.name.endswith(".png"))

    def test_a_text_file_named_jpg_is_refused_by_name(self):
        with self.assertRaises(ValidationError) as refused:
            clean_photo(upload("notes.jpg", b"this is not a photo at all"))
        self.assertIn("notes.jpg", refused.exception.messages[0])
        self.assertIn("不是JPEG、PNG或WebP", refused.exception.messages[0])

    def test_another_image_format_is_refused(self):
        with self.assertRaises(ValidationError):
            clean_photo(upload("old.jpg", image_bytes("GIF")))

    def test_an_11_mb_file_is_refused(self):
        big = image_bytes() + b"\0" * (11 * 1024 * 1024)
        with self.assertRaises(ValidationError) as refused:
            clean_photo(upload("huge.jpg", big))
        self.assertIn("huge.jpg", refused.exception.messages[0])
        self.assertIn("10 MB", refused.exception.messages[0])

    def test_a_file_of_exactly_10_mb_is_not_refused_for_its_size(self):
        content = image_bytes()
        content += b"\0" * (MAX_PHOTO_BYTES - len(content))
        self.assertEqual(reopen(clean_photo(upload("ok.jpg", content))).format, "JPEG")

    def test_the_stored_name_does_not_keep_the_residents_file_name(self):
        cleaned = clean_photo(upload("王秀兰家门口.jpg"))
        self.assertNotIn("王秀兰", cleaned.name)


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header claims `width` x `height` pixels: a decompression bomb's
    shape without building one in the test's memory."""
    content = bytearray(image_bytes("PNG", size=(8, 8)))
    # The IHDR chunk follows the 8-byte signature: length, type, then width and height.
    content[16:24] = struct.pack(">II", width, height)
    content[29:33] = struct.pack(">I", zlib.crc32(bytes(content[12:29])))
    return bytes(content)


class HostileFileTest(PhotoTestCase):
    def test_an_image_claiming_more_pixels_than_the_limit_is_refused_before_decoding(self):
        with self.assertRaises(ValidationError) as refused:
            clean_photo(upload("big.png", png_claiming(10_000, 7_000), "image/png"))
        self.assertIn("big.png", refused.exception.messages[0])
        self.assertIn("尺寸过大", refused.exception.messages[0])

    def test_the_pixel_limit_is_24_megapixels(self):
        # The probe's photos were 60 megapixels: each cost seconds of CPU and half a GiB.
        for width, height in [(7_746, 7_746), (6_001, 4_000)]:
            with self.subTest(size=(width, height)), self.assertRaises(ValidationError) as refused:
                clean_photo(upload("big.png", png_claiming(width, height), "image/png"))
            self.assertIn("尺寸过大（超过2400万像素）", refused.exception.messages[0])
        # 6000 x 4000 passes the size check (the forged file then fails to decode).
        with self.assertRaises(ValidationError) as refused:
            clean_photo(upload("ok.png", png_claiming(6_000, 4_000), "image/png"))
        self.assertNotIn("尺寸过大", refused.exception.messages[0])

    def test_html_and_svg_are_refused_whatever_their_name_says(self):
        for name, content in [
            ("page.html", b"<html><script>alert(1)</script></html>"),
            ("lamp.jpg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ]:
            with self.subTest(name), self.assertRaises(ValidationError) as refused:
                clean_photo(upload(name, content))
            self.assertIn(
                f"文件“{name}”不是JPEG、PNG或WebP格式的图片", refused.exception.messages[0]
            )

    def test_a_real_jpeg_carrying_a_script_comes_out_without_it(self):
        # A polyglot: a valid JPEG with HTML in a comment segment and after its end.
        original = image_bytes()
        script = b"<script>alert(document.cookie)</script>"
        comment = b"\xff\xfe" + struct.pack(">H", len(script) + 2) + script
        polyglot = original[:2] + comment + original[2:] + b"<html>" + script
        self.assertEqual(Image.open(io.BytesIO(polyglot)).format, "JPEG")

        cleaned = clean_photo(upload("ok.jpg", polyglot)).read()

        self.assertNotIn(b"<script", cleaned)
        self.assertNotIn(b"<html", cleaned)


class CheckedPhotosTest(PhotoTestCase):
    def test_every_bad_file_is_named_in_one_refusal(self):
        with self.assertRaises(WorkflowError) as refused:
            checked_photos([upload("a.html", b"<p>"), upload("ok.jpg"), upload("b.svg", b"<svg/>")])
        self.assertEqual(refused.exception.code, "invalid_photo")
        self.assertIn("a.html", str(refused.exception.message))
        self.assertIn("b.svg", str(refused.exception.message))

    def test_a_photo_already_checked_is_not_encoded_again(self):
        checked = clean_photo(upload())
        self.assertIs(checked_photos([checked])[0], checked)

    def test_more_than_six_are_refused(self):
        with self.assertRaises(WorkflowError) as refused:
            checked_photos([upload() for _ in range(7)])
        self.assertEqual(refused.exception.message, "最多上传6张照片。")
