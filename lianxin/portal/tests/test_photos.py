"""Photo checking: real images by content, at most 10 MB, stored anew without metadata."""

import io

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase
from PIL import Image

from lianxin.portal.photos import MAX_PHOTO_BYTES, clean_photo
from lianxin.portal.tests.helpers import GPS_IFD, image_bytes, upload


def reopen(cleaned) -> Image.Image:
    return Image.open(io.BytesIO(cleaned.read()))


class CleanPhotoTest(SimpleTestCase):
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
