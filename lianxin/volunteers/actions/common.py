"""What the volunteers' actions share: the event row, the outcome of a save (the
registers' `Saved`: the imports of both count it alike), checks of names and phones."""

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Actor, User
from lianxin.cases.actions.intake import PHONE_RE
from lianxin.errors import WorkflowError
from lianxin.registry.actions.registers import Saved  # noqa: F401  (the saves share it)
from lianxin.text import Message, clean_text
from lianxin.volunteers.models import VolunteerEvent


def now(when: dt.datetime | None) -> dt.datetime:
    if when is not None and timezone.is_naive(when):
        raise ValueError("Volunteer times must be aware datetimes.")
    return when or timezone.now()


def user_of(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) and actor.is_authenticated else None


def event(code: str, actor: Actor, at: dt.datetime, **links: Any) -> VolunteerEvent:
    data = links.pop("data", {})
    return VolunteerEvent.objects.create(code=code, actor=user_of(actor), at=at, data=data, **links)


def text(value: str, field: str, label: Message, limit: int, *, required: bool = True) -> str:
    value = clean_text(value or "", one_line=limit <= 300)
    if required and not value:
        raise WorkflowError(f"{field}_required", _("请填写%(label)s。") % {"label": label})
    if len(value) > limit:
        raise WorkflowError(
            f"{field}_too_long", _("%(label)s不能超过%(n)d个字。") % {"label": label, "n": limit}
        )
    return value


def phone(value: str) -> str:
    value = (value or "").strip().replace(" ", "").replace("-", "")
    if value and not PHONE_RE.match(value):
        raise WorkflowError("invalid_phone", _("电话号码格式不正确：%(phone)s") % {"phone": value})
    return value


def apply(row, values: dict) -> dict:
    """Set `values` on `row`; return {field: [old, new]} for what differed (ids for rows)."""
    changes = {}
    for name, new in values.items():
        field = row._meta.get_field(name)
        if field.is_relation:
            old_id, new_id = getattr(row, f"{name}_id"), getattr(new, "pk", None)
            if old_id != new_id:
                changes[name] = [old_id, new_id]
                setattr(row, name, new)
            continue
        old = getattr(row, name)
        if old != new:
            changes[name] = [_plain(old), _plain(new)]
            setattr(row, name, new)
    return changes


def _plain(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
