"""What the hazards' actions share: the moment, text checks, photos, the event row."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import File
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Actor, User
from lianxin.cases.photos import checked_photos
from lianxin.errors import WorkflowError
from lianxin.hazards.models import HazardEvent, HazardPhoto
from lianxin.text import Message, clean_text

MAX_PHOTOS = 6


def now_or(when: dt.datetime | None) -> dt.datetime:
    if when is not None and timezone.is_naive(when):
        raise ValueError("Hazard times must be aware datetimes.")
    return when or timezone.now()


def as_user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) and actor.is_authenticated else None


def required(value: str, field: str, label: Message, limit: int, *, one_line: bool = False) -> str:
    value = clean_text(value, one_line=one_line)
    if not value:
        raise WorkflowError(f"{field}_required", _("请填写%(label)s。") % {"label": label})
    if len(value) > limit:
        raise WorkflowError(
            f"{field}_too_long", _("%(label)s不能超过%(n)d个字。") % {"label": label, "n": limit}
        )
    return value


def upload_photos(uploads: "Iterable[File[Any]]") -> list:
    uploads = [photo for photo in uploads if photo]
    if len(uploads) > MAX_PHOTOS:
        raise WorkflowError("too_many_photos", _("最多上传%(n)d张照片。") % {"n": MAX_PHOTOS})
    return checked_photos(uploads)


def store_photos(hazard, checked: list, stage: str, at: dt.datetime, notice=None) -> None:
    HazardPhoto.objects.bulk_create(
        HazardPhoto(hazard=hazard, notice=notice, stage=stage, image=photo, uploaded_at=at)
        for photo in checked
    )


SIX_PLACES = Decimal("0.000001")


def point(latitude, longitude) -> tuple[Decimal, Decimal] | None:
    """A WGS-84 point (a phone's GPS, an import's columns) as stored, or None when both are
    blank. The maps shift it for their tiles on the way out (lianxin.geo)."""
    lat_text = str(latitude if latitude is not None else "").strip()
    lon_text = str(longitude if longitude is not None else "").strip()
    if not lat_text and not lon_text:
        return None
    try:
        lat, lon = Decimal(lat_text), Decimal(lon_text)
    except InvalidOperation:
        raise WorkflowError("invalid_point", _("位置须同时有纬度和经度，且为数字。")) from None
    if not (lat.is_finite() and lon.is_finite() and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise WorkflowError("invalid_point", _("位置超出范围。"))
    return lat.quantize(SIX_PLACES), lon.quantize(SIX_PLACES)


def event(
    code: str,
    *,
    actor: Actor,
    unit_id: int | None,
    at: dt.datetime,
    campaign=None,
    inspection=None,
    hazard=None,
    notice=None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    **data: Any,
) -> HazardEvent:
    return HazardEvent.objects.create(
        code=code,
        campaign=campaign,
        inspection=inspection,
        hazard=hazard,
        notice=notice,
        actor=as_user(actor),
        actor_unit_id=unit_id,
        at=at,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data,
    )
