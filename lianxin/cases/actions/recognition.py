"""Recognition: the office selects closed cases as examples for others (选树典型案例).

The flag and the short write-up feed the monthly brief. Marking changes no status; it is
still a change to the case, so it goes through the rule table and leaves an event. The
office also chooses which photos the public may see (`do_set_photo_public`).
"""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Actor
from lianxin.cases.actions.common import lock_case, now_or, record, require_text
from lianxin.cases.models import Case, CasePhoto
from lianxin.cases.rules import WorkflowError, check
from lianxin.text import clean_text

MAX_NOTE_LENGTH = 500


@transaction.atomic
def do_mark_exemplary(
    case: Case, *, actor: Actor, note: str, when: dt.datetime | None = None
) -> Case:
    """Mark a closed case as exemplary with a short write-up; marking again edits it."""
    case = lock_case(case)
    acting_unit = check("mark_exemplary", actor, case)
    note = require_text(note, "note", _("典型案例简介"), min_length=10)
    if len(note) > MAX_NOTE_LENGTH:
        raise WorkflowError(
            "note_too_long", _("典型案例简介不能超过%(n)d个字。") % {"n": MAX_NOTE_LENGTH}
        )
    was_exemplary = case.exemplary
    case.exemplary, case.exemplary_note = True, note
    case.save(update_fields=["exemplary", "exemplary_note"])
    record(
        case,
        "cases.case.marked_exemplary",
        actor=actor,
        unit_id=acting_unit,
        at=now_or(when),
        from_status=case.status,
        note=note,
        data={"edited": was_exemplary},
    )
    return case


@transaction.atomic
def do_unmark_exemplary(
    case: Case, *, actor: Actor, note: str = "", when: dt.datetime | None = None
) -> Case:
    """Take a case off the exemplary list; the write-up stays in the marking event."""
    case = lock_case(case)
    acting_unit = check("unmark_exemplary", actor, case)
    if not case.exemplary:
        raise WorkflowError("not_exemplary", _("该诉求不是典型案例。"))
    case.exemplary, case.exemplary_note = False, ""
    case.save(update_fields=["exemplary", "exemplary_note"])
    record(
        case,
        "cases.case.unmarked_exemplary",
        actor=actor,
        unit_id=acting_unit,
        at=now_or(when),
        from_status=case.status,
        note=clean_text(note),
    )
    return case


@transaction.atomic
def do_set_photo_public(
    photo: CasePhoto, *, actor: Actor, public: bool, when: dt.datetime | None = None
) -> CasePhoto:
    """The office shows a case's photo to the public (the keyless Open311 feed), or stops.

    Nothing else publishes a photo: a resident's photo may show his door or his face, so
    it stays behind the case's access check until the office has looked at it."""
    case = lock_case(photo.case_id)
    acting_unit = check("publish_photo", actor, case)
    photo = CasePhoto.objects.select_for_update().get(pk=photo.pk, case=case)
    if photo.public == public:
        return photo
    photo.public = public
    photo.save(update_fields=["public"])
    record(
        case,
        "cases.photo.published" if public else "cases.photo.unpublished",
        actor=actor,
        unit_id=acting_unit,
        at=now_or(when),
        from_status=case.status,
        data={"photo": photo.pk},
    )
    return photo
