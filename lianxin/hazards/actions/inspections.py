"""Inspections: started by an inspector, scored item by item as he walks round
(边打分边记录), hazards recorded as they are found, then submitted; or a self-check the
enterprise fills in through its signed link, submitted at once."""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.files.base import File
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Actor
from lianxin.errors import WorkflowError
from lianxin.hazards import rules
from lianxin.hazards.actions.common import (
    as_user,
    event,
    now_or,
    point,
    required,
    store_photos,
    upload_photos,
)
from lianxin.hazards.models import (
    Answer,
    Campaign,
    ChecklistItem,
    Hazard,
    HazardPhoto,
    HazardStatus,
    Inspection,
    InspectionKind,
    Place,
    Severity,
)
from lianxin.text import clean_text
from lianxin.workdays.days import local_date

MAX_HAZARD_TEXT = 500
MAX_NOTE = 1000
MAX_SELF_CHECK_HAZARDS = 20


def _in_period(campaign: Campaign, at: dt.datetime) -> None:
    day = local_date(at)
    if day < campaign.starts_on:
        raise WorkflowError("campaign_not_started", _("该专项检查尚未开始。"))
    if day > campaign.ends_on:
        raise WorkflowError("campaign_ended", _("该专项检查已结束。"))


def _in_campaign(campaign: Campaign, place: Place) -> None:
    if not campaign.places.filter(pk=place.pk).exists():
        raise WorkflowError("place_not_in_campaign", _("该单位不在本专项的检查对象中。"))


def _lock(inspection: Inspection) -> Inspection:
    return (
        Inspection.objects.select_for_update()
        .select_related("campaign", "place")
        .get(pk=inspection.pk)
    )


def do_start_inspection(
    campaign: Campaign,
    place: Place,
    *,
    actor: Actor,
    kind: str = InspectionKind.SWEEP,
    when: dt.datetime | None = None,
) -> Inspection:
    """An inspector of the campaign's group begins a sweep or a spot check of a place."""
    at = now_or(when)
    unit_id = rules.inspecting_unit(actor, campaign)
    if unit_id is None:
        raise WorkflowError("forbidden", _("只有本专项检查组成员单位的人员可以检查。"))
    if kind not in (InspectionKind.SWEEP, InspectionKind.SPOT_CHECK):
        raise WorkflowError("invalid_kind", _("检查方式无效。"))
    _in_period(campaign, at)
    _in_campaign(campaign, place)
    with transaction.atomic():
        inspection = Inspection.objects.create(
            campaign=campaign,
            place=place,
            kind=kind,
            inspector=as_user(actor),
            unit_id=unit_id,
            started_at=at,
            max_score=campaign.items.aggregate(total=Sum("points"))["total"] or 0,
        )
        event(
            "hazards.inspection.started",
            actor=actor,
            unit_id=unit_id,
            at=at,
            campaign=campaign,
            inspection=inspection,
            to_status=inspection.status,
            kind=kind,
        )
    return inspection


def _item(inspection: Inspection, item: ChecklistItem | int) -> ChecklistItem:
    pk = item.pk if isinstance(item, ChecklistItem) else item
    found = ChecklistItem.objects.filter(campaign_id=inspection.campaign_id, pk=pk).first()
    if found is None:
        raise WorkflowError("invalid_item", _("检查项不属于本专项。"))
    return found


def _points(item: ChecklistItem, points) -> int:
    if not isinstance(points, int) or not 0 <= points <= item.points:
        raise WorkflowError(
            "invalid_points",
            _("“%(item)s”的得分须在0到%(n)d之间。") % {"item": item.text[:20], "n": item.points},
        )
    return points


def _rescore(inspection: Inspection) -> None:
    inspection.score = inspection.answers.aggregate(total=Sum("points"))["total"] or 0
    inspection.save(update_fields=["score"])


def do_score_item(
    inspection: Inspection,
    item: ChecklistItem | int,
    *,
    actor: Actor,
    points: int,
    note: str = "",
    when: dt.datetime | None = None,
) -> Inspection:
    """Score one checklist item now (again, if it was scored before); the inspection's
    running score follows."""
    at = now_or(when)
    with transaction.atomic():
        inspection = _lock(inspection)
        unit_id = rules.check_inspection("score", actor, inspection)
        checked = _item(inspection, item)
        points = _points(checked, points)
        note = clean_text(note, one_line=True)[:200]
        Answer.objects.update_or_create(
            inspection=inspection, item=checked, defaults={"points": points, "note": note}
        )
        _rescore(inspection)
        event(
            "hazards.inspection.scored",
            actor=actor,
            unit_id=unit_id,
            at=at,
            campaign=inspection.campaign,
            inspection=inspection,
            note=note,
            item=checked.pk,
            points=points,
        )
    return inspection


def _new_hazard(
    inspection: Inspection,
    *,
    hazard_text: str,
    severity: str,
    checked_photos: list,
    latitude,
    longitude,
    at: dt.datetime,
) -> Hazard:
    located = point(latitude, longitude) or (
        (inspection.place.latitude, inspection.place.longitude)
        if inspection.place.latitude is not None
        else None
    )
    hazard = Hazard.objects.create(
        inspection=inspection,
        campaign_id=inspection.campaign_id,
        place_id=inspection.place_id,
        text=hazard_text,
        severity=severity,
        latitude=located[0] if located else None,
        longitude=located[1] if located else None,
        found_at=at,
    )
    store_photos(hazard, checked_photos, HazardPhoto.Stage.FOUND, at)
    return hazard


def _hazard_fields(hazard_text: str, severity: str) -> str:
    if severity not in Severity.values:
        raise WorkflowError("invalid_severity", _("隐患等级无效。"))
    return required(hazard_text, "text", _("隐患描述"), MAX_HAZARD_TEXT)


def do_add_hazard(
    inspection: Inspection,
    *,
    actor: Actor,
    text: str,
    severity: str = Severity.GENERAL,
    photos: "Iterable[File[Any]]" = (),
    latitude=None,
    longitude=None,
    when: dt.datetime | None = None,
) -> Hazard:
    """A hazard found in this inspection, with photos and a point on the map (the place's
    own point when none is given)."""
    at = now_or(when)
    hazard_text = _hazard_fields(text, severity)
    checked = upload_photos(photos)
    with transaction.atomic():
        inspection = _lock(inspection)
        unit_id = rules.check_inspection("add_hazard", actor, inspection)
        hazard = _new_hazard(
            inspection,
            hazard_text=hazard_text,
            severity=severity,
            checked_photos=checked,
            latitude=latitude,
            longitude=longitude,
            at=at,
        )
        event(
            "hazards.hazard.found",
            actor=actor,
            unit_id=unit_id,
            at=at,
            campaign=inspection.campaign,
            inspection=inspection,
            hazard=hazard,
            to_status=hazard.status,
            severity=severity,
            photos=len(checked),
        )
    return hazard


def do_submit_inspection(
    inspection: Inspection,
    *,
    actor: Actor,
    answers: Mapping[int, int] | None = None,
    note: str = "",
    when: dt.datetime | None = None,
) -> Inspection:
    """Close the inspection: the answers given here are scored first (the form sends the
    whole checklist), then every item must have its score."""
    at = now_or(when)
    with transaction.atomic():
        inspection = _lock(inspection)
        unit_id = rules.check_inspection("submit", actor, inspection)
        items = {item.pk: item for item in inspection.campaign.items.all()}
        given = {}
        for item_id, points in (answers or {}).items():
            if item_id not in items:
                raise WorkflowError("invalid_item", _("检查项不属于本专项。"))
            given[item_id] = _points(items[item_id], points)
        scored = {answer.item_id: answer for answer in inspection.answers.all()}
        Answer.objects.bulk_create(
            Answer(inspection=inspection, item_id=pk, points=points)
            for pk, points in given.items()
            if pk not in scored
        )
        changed = [scored[pk] for pk, points in given.items() if pk in scored]
        for answer in changed:
            answer.points = given[answer.item_id]
        Answer.objects.bulk_update(changed, ["points"])
        missing = len(items.keys() - scored.keys() - given.keys())
        if missing:
            raise WorkflowError("unscored_items", _("还有%(n)d个检查项未打分。") % {"n": missing})
        inspection.score = inspection.answers.aggregate(total=Sum("points"))["total"] or 0
        inspection.status = Inspection.Status.SUBMITTED
        inspection.submitted_at = at
        inspection.note = clean_text(note)[:MAX_NOTE]
        inspection.save(update_fields=["score", "status", "submitted_at", "note"])
        event(
            "hazards.inspection.submitted",
            actor=actor,
            unit_id=unit_id,
            at=at,
            campaign=inspection.campaign,
            inspection=inspection,
            from_status=Inspection.Status.OPEN,
            to_status=inspection.status,
            score=inspection.score,
            max_score=inspection.max_score,
            hazards=inspection.hazards.count(),
        )
    return inspection


def do_record_self_check(
    campaign: Campaign,
    place: Place,
    *,
    via_link: bool,
    filled_by: str,
    answers: Mapping[int, int],
    hazards: Iterable[Mapping[str, Any]] = (),
    when: dt.datetime | None = None,
) -> Inspection:
    """The enterprise's own check, through the signed link of (campaign, place) that the
    page verified (`via_link`): the whole checklist and the hazards it found, at once."""
    at = now_or(when)
    if not via_link:
        raise WorkflowError("forbidden", _("请通过专项检查下发的自查链接填报。"))
    filled_by = required(filled_by, "filled_by", _("填报人"), 50, one_line=True)
    _in_period(campaign, at)
    _in_campaign(campaign, place)
    found = []
    for row in hazards:
        if not clean_text(row.get("text", "")):
            continue
        found.append(
            (
                _hazard_fields(row["text"], row.get("severity", Severity.GENERAL)),
                row.get("severity", Severity.GENERAL),
                upload_photos(row.get("photos", ())),
            )
        )
    if len(found) > MAX_SELF_CHECK_HAZARDS:
        raise WorkflowError(
            "too_many_hazards", _("一次最多登记%(n)d处隐患。") % {"n": MAX_SELF_CHECK_HAZARDS}
        )
    items = list(campaign.items.all())
    given = {}
    for item in items:
        if item.pk not in answers:
            raise WorkflowError("unscored_items", _("请为每个检查项打分。"))
        given[item.pk] = _points(item, answers[item.pk])
    with transaction.atomic():
        inspection = Inspection.objects.create(
            campaign=campaign,
            place=place,
            kind=InspectionKind.SELF_CHECK,
            filled_by=filled_by,
            started_at=at,
            submitted_at=at,
            status=Inspection.Status.SUBMITTED,
            score=sum(given.values()),
            max_score=sum(item.points for item in items),
        )
        Answer.objects.bulk_create(
            Answer(inspection=inspection, item_id=pk, points=points) for pk, points in given.items()
        )
        for hazard_text, severity, checked in found:
            hazard = _new_hazard(
                inspection,
                hazard_text=hazard_text,
                severity=severity,
                checked_photos=checked,
                latitude=None,
                longitude=None,
                at=at,
            )
            event(
                "hazards.hazard.found",
                actor=None,
                unit_id=None,
                at=at,
                campaign=campaign,
                inspection=inspection,
                hazard=hazard,
                to_status=HazardStatus.OPEN,
                severity=severity,
                self_check=True,
            )
        event(
            "hazards.inspection.self_checked",
            actor=None,
            unit_id=None,
            at=at,
            campaign=campaign,
            inspection=inspection,
            to_status=inspection.status,
            note=filled_by,
            score=inspection.score,
            max_score=inspection.max_score,
            hazards=len(found),
        )
    return inspection
