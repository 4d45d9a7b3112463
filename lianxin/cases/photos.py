"""Every photo, a resident's or staff's: real JPEG, PNG and WebP images only, stored anew.

The format is read from the file's content, never from its name. Every accepted
photo is decoded and encoded again, turned upright by its EXIF orientation, so
that nothing of the original file (EXIF, GPS position, camera serial, comments,
a script riding in a polyglot) reaches the server's disk, and it is stored under
a generated name. `save_photos` (actions/common.py) lets nothing else through:
a page whose form already checked its photos hands over `CheckedPhoto`s, and
anything else is checked there.
"""

import io
import uuid
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from lianxin.cases.rules import WorkflowError
from lianxin.sendfile import file_response

if TYPE_CHECKING:
    # Generic only in the stubs: subscripted at run time, ContentFile would fail.
    _PhotoFile = ContentFile[bytes]
else:
    _PhotoFile = ContentFile

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 6
# Beyond this a small file may hide a huge image. Checking one costs about 30 ms of CPU and
# 12 MiB of memory a megapixel (a flat PNG: bench/photo_decode_bench.py, docs/security.md):
# 24 MP is about 0.7 s and 300 MiB, against 1.3 s and 530 MiB at the old 60 MP. A phone
# saves 12 MP unless set to its full 48 or 50 MP mode.
MAX_PIXELS = 24_000_000
# Stored photos are shrunk to this many pixels on the long side: plenty to see a broken lamp.
MAX_SIDE = 4096
# Detected format -> (Pillow format to save, file extension).
FORMATS = {"JPEG": ("JPEG", "jpg"), "PNG": ("PNG", "png"), "WEBP": ("WEBP", "webp")}


class CheckedPhoto(_PhotoFile):
    """A photo this module has checked and re-encoded."""


def clean_photo(upload: "File[Any]") -> CheckedPhoto:
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
        raise ValidationError(
            _("照片“%(name)s”尺寸过大（超过2400万像素），请缩小后再上传。"), params={"name": name}
        )
    save_as, extension = FORMATS[image.format]
    return CheckedPhoto(_encode(image, save_as), name=f"{uuid.uuid4().hex}.{extension}")


def checked_photos(photos: "Iterable[File[Any]]") -> list[CheckedPhoto]:
    """Every photo checked, or WorkflowError naming each bad file, before any is stored."""
    photos = [photo for photo in photos if photo]
    if len(photos) > MAX_PHOTOS:
        raise WorkflowError("too_many_photos", _("最多上传6张照片。"))
    checked: list[CheckedPhoto] = []
    refusals: list[str] = []
    for photo in photos:
        if isinstance(photo, CheckedPhoto):
            checked.append(photo)
            continue
        try:
            checked.append(clean_photo(photo))
        except ValidationError as error:
            refusals.extend(error.messages)
    if refusals:
        raise WorkflowError("invalid_photo", " ".join(refusals))
    return checked


def _decode(upload: "File[Any]") -> Image.Image:
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
    options: dict[str, Any] = {}
    if icc_profile:
        options["icc_profile"] = icc_profile  # colours, not metadata about the resident
    if save_as in ("JPEG", "WEBP"):
        options["quality"] = 85
    buffer = io.BytesIO()
    fresh.save(buffer, format=save_as, **options)
    return buffer.getvalue()


# What a stored photo is served as, by the extension `clean_photo` gave it. Anything else
# (a file stored before every upload was checked) goes out as an opaque download.
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


class StoredPhoto(Protocol):
    """A stored photo row: a case's, a wish's."""

    pk: Any
    image: Any


def photo_response(photo: StoredPhoto) -> HttpResponseBase:
    """A stored photo as a response no browser will run: a fixed image type, `nosniff`, a
    sandboxing policy, and an attachment for anything that is not one of our images.

    The caller has decided the viewer may see the photo. Django streams it, or nginx does
    when MEDIA_ACCEL_REDIRECT is set (lianxin/sendfile.py)."""
    extension = photo.image.name.rpartition(".")[2].lower()
    content_type = CONTENT_TYPES.get(extension)
    response = file_response(
        photo.image,
        content_type=content_type or "application/octet-stream",
        as_attachment=content_type is None,
        filename=f"photo-{photo.pk}.{extension if content_type else 'bin'}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
