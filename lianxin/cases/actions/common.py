"""What every workflow action shares: locking, the event row, and what follows the commit."""

import contextlib
import datetime as dt
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Actor, User
from lianxin.cases import signals
from lianxin.cases.models import Case, CaseEvent, CasePart, CasePhoto
from lianxin.cases.photos import checked_photos
from lianxin.cases.rules import WorkflowError
from lianxin.orgs.models import DistrictSettings
from lianxin.text import Message, clean_text
from lianxin.workdays.days import deadline_after


def now_or(when: dt.datetime | None) -> dt.datetime:
    """The moment an action happens: now, or the original time of an imported record."""
    if when is not None and timezone.is_naive(when):
        raise ValueError("Workflow times must be aware datetimes.")
    return when or timezone.now()


def lock_case(case: Case | int) -> Case:
    """Re-read the case under a row lock; two people acting at once queue here."""
    pk = case.pk if isinstance(case, Case) else case
    return Case.objects.select_for_update().get(pk=pk)


def lock_part(part: CasePart) -> tuple[Case, CasePart]:
    case = lock_case(part.case_id)
    return case, CasePart.objects.select_related("unit").get(pk=part.pk)


def record(
    case: Case,
    code: str,
    *,
    actor: Actor,
    unit_id: int | None,
    at: dt.datetime,
    from_status: str,
    note: str = "",
    public: bool = False,
    part: CasePart | None = None,
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    """Write the event row and announce it once the transaction commits."""
    event = CaseEvent.objects.create(
        case=case,
        part=part,
        code=code,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_unit_id=unit_id,
        at=at,
        from_status=from_status,
        to_status=case.status,
        note=note,
        public=public,
        data=data or {},
    )
    _announce_on_commit(event.pk)
    return event


_together = threading.local()


@contextlib.contextmanager
def announced_together() -> Iterator[None]:
    """Inside a transaction: the events recorded within are announced in one signal when
    it commits, not one each (an import writes a hundred cases in one transaction).

    An event whose savepoint rolled back is announced too; the receivers read events by
    id and skip those that are gone."""
    if getattr(_together, "event_ids", None) is not None:
        yield  # already collecting
        return
    event_ids: list[int] = []
    _together.event_ids = event_ids
    try:
        yield
    finally:
        _together.event_ids = None
    if event_ids:
        transaction.on_commit(lambda: signals.announce(event_ids))


def _announce_on_commit(event_id: int) -> None:
    collecting = getattr(_together, "event_ids", None)
    if collecting is not None:
        collecting.append(event_id)
    else:
        transaction.on_commit(lambda: signals.announce([event_id]))


def as_user(actor: Actor) -> User | None:
    """The actor as a user column stores him: None for a visitor or a job."""
    return actor if isinstance(actor, User) else None


def require_text(
    value: str, field: str, label: Message, *, min_length: int = 1, one_line: bool = False
) -> str:
    value = clean_text(value, one_line=one_line)
    if len(value) < min_length:
        if min_length > 1:
            message = _("请填写%(label)s（至少%(n)d个字）。") % {"label": label, "n": min_length}
        else:
            message = _("请填写%(label)s。") % {"label": label}
        raise WorkflowError(f"{field}_required", message)
    return value


def resolution_deadline(case: Case, start: dt.datetime, policy: DistrictSettings) -> dt.datetime:
    """The category's limit from `start`, but never before the reply deadline: a category
    quicker than the reply limit (3 working days against 7) or a reply limit counted in
    calendar days must not ask for the resolution before the answer is due."""
    days = (
        case.category.resolution_days(policy.default_resolution_working_days)
        if case.category
        else policy.default_resolution_working_days
    )
    due = deadline_after(start, days)
    return max(due, case.reply_due_at) if case.reply_due_at else due


def reply_deadline(start: dt.datetime, policy: DistrictSettings) -> dt.datetime:
    return deadline_after(
        start,
        policy.reply_limit_days,
        working=policy.reply_limit_counting == DistrictSettings.Counting.WORKING_DAYS,
    )


def save_photos(case: Case, photos: "Iterable[File[Any]]", stage: str) -> None:
    """Attach photos, every one checked and re-encoded (cases/photos.py) before the first
    is written, so that a refused file leaves nothing on disk."""
    for photo in checked_photos(photos):
        CasePhoto.objects.create(case=case, stage=stage, image=photo)
