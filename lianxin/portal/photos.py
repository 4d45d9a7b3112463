"""Residents' photos: accept real JPEG, PNG and WebP images only, and store them anew.

The format is read from the file's content, never from its name. Every accepted
photo is decoded and encoded again, turned upright by its EXIF orientation, so
that nothing of the original file (EXIF, GPS position, camera serial, comments)
reaches the server's disk.
"""

import io
import uuid
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 6
# A phone camera makes under 50 megapixels; beyond this a small file may hide a huge image.
MAX_PIXELS = 60_000_000
# Stored photos are shrunk to this many pixels on the long side: plenty to see a broken lamp.
MAX_SIDE = 4096
# Detected format -> (Pillow format to save, file extension).
FORMATS = {"JPEG": ("JPEG", "jpg"), "PNG": ("PNG", "png"), "WEBP": ("WEBP", "webp")}


def clean_photo(upload) -> ContentFile:
    """The photo re-encoded without metadata, or ValidationError naming the file."""
    name = getattr(upload, "name", "") or _("未命名文件")
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationError(
            _("照片“%(name)s”超过10 MB，请换一张较小的照片。"), params={"name": name}
        )
    try:
        image = _decode(upload)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        image = None
    if image is None or image.format not in FORMATS:
        raise ValidationError(
            _("文件“%(name)s”不是JPEG、PNG或WebP格式的图片，请重新选择。"), params={"name": name}
        )
    if image.width * image.height > MAX_PIXELS:
        raise ValidationError(_("照片“%(name)s”尺寸过大。"), params={"name": name})
    save_as, extension = FORMATS[image.format]
    return ContentFile(_encode(image, save_as), name=f"{uuid.uuid4().hex}.{extension}")


def _decode(upload) -> Image.Image:
    upload.seek(0)
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; refuse those too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(upload)
        detected = image.format
        if image.width * image.height > MAX_PIXELS:
            return image  # refused by the caller before decoding
        image.load()
    image.format = detected
    return image


def _encode(image: Image.Image, save_as: str) -> bytes:
    icc_profile = image.info.get("icc_profile")
    upright = ImageOps.exif_transpose(image)
    upright.thumbnail((MAX_SIDE, MAX_SIDE))
    if save_as == "JPEG":
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
    elif upright.mode not in ("RGB", "RGBA", "L", "LA"):
        upright = upright.convert("RGBA")
    # A new image carries no info dict: nothing of the original's metadata can slip through.
    fresh = Image.new(upright.mode, upright.size)
    fresh.paste(upright)
    options: dict = {}
    if icc_profile:
        options["icc_profile"] = icc_profile  # colours, not metadata about the resident
    if save_as in ("JPEG", "WEBP"):
        options["quality"] = 85
    buffer = io.BytesIO()
    fresh.save(buffer, format=save_as, **options)
    return buffer.getvalue()
