"""What every project action shares: the clock, the event row, text checks, locks."""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Actor, User
from lianxin.errors import WorkflowError
from lianxin.projects.models import Plan, Project, ProjectEvent
from lianxin.text import Message, clean_text


def now_or(when: dt.datetime | None) -> dt.datetime:
    if when is not None and timezone.is_naive(when):
        raise ValueError("Project times must be aware datetimes.")
    return when or timezone.now()


def as_user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) and actor.is_authenticated else None


def event(
    plan: Plan,
    code: str,
    *,
    actor: Actor,
    at: dt.datetime,
    project: Project | None = None,
    unit_id: int | None = None,
    note: str = "",
    **data: Any,
) -> ProjectEvent:
    return ProjectEvent.objects.create(
        plan=plan,
        project=project,
        code=code,
        actor=as_user(actor),
        actor_unit_id=unit_id,
        at=at,
        note=note,
        data=data,
    )


def text(value: str, field: str, label: Message, limit: int, *, required: bool = True) -> str:
    value = clean_text(value or "", one_line=limit <= 200)
    if required and not value:
        raise WorkflowError(f"{field}_required", _("请填写%(label)s。") % {"label": label})
    if len(value) > limit:
        raise WorkflowError(
            f"{field}_too_long",
            _("%(label)s不能超过%(n)d个字。") % {"label": label, "n": limit},
        )
    return value


def quantity(value, field: str, label: Message) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise WorkflowError(
            f"{field}_invalid", _("%(label)s应为数字。") % {"label": label}
        ) from None
    if not number.is_finite() or number < 0 or number >= Decimal(10) ** 10:
        raise WorkflowError(f"{field}_invalid", _("%(label)s应为数字。") % {"label": label})
    return number.quantize(Decimal("0.01"))


def lock_project(project: Project | int) -> Project:
    pk = project.pk if isinstance(project, Project) else project
    return Project.objects.select_for_update().select_related("plan").get(pk=pk)
