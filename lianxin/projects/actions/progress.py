"""A project's progress: units report, milestones are done, the project is closed.

Closing a project may close the cases it answers. Cases have their own workflow: each is
answered and resolved through `lianxin.cases.actions` by the closing user, who must hold
the case's lead part (the promotion dispatched it to the project's lead unit); a case he
may not resolve is left to its own handlers and listed in the result, never written here.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.base import File
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Actor
from lianxin.cases import actions as case_actions
from lianxin.cases.models import Case, Status
from lianxin.cases.photos import checked_photos
from lianxin.errors import WorkflowError
from lianxin.projects import rules
from lianxin.projects.actions.common import as_user, event, lock_project, now_or, quantity, text
from lianxin.projects.models import Lapse, Milestone, Project, Report, ReportPhoto
from lianxin.projects.state import report_period
from lianxin.workdays.days import local_date

MAX_REPORT = 1000
MAX_REPORT_PHOTOS = 3
MIN_REPLY = 10


def do_report_progress(
    project: Project,
    *,
    actor: Actor,
    percent: int,
    text_: str,
    quantity_done: Decimal | str | None = None,
    photos: "Iterable[File[Any]]" = (),
    milestones_done: Sequence[int] = (),
    when: dt.datetime | None = None,
) -> Report:
    """A lead or co-unit's progress report for the current period of the plan's schedule;
    the milestones it names are done with it. It clears the period's missing-report mark."""
    at = now_or(when)
    with transaction.atomic():
        project = lock_project(project)
        unit_id = rules.check("report", actor, project)
        body = text(text_, "text", _("进展情况"), MAX_REPORT)
        try:
            percent = int(percent)
        except (TypeError, ValueError):
            percent = -1
        if not 0 <= percent <= 100:
            raise WorkflowError("percent_invalid", _("完成进度应为0到100之间的整数。"))
        done_quantity = quantity(quantity_done, "quantity_done", _("已完成数量"))
        listed = [p for p in photos if p]
        if len(listed) > MAX_REPORT_PHOTOS:
            raise WorkflowError(
                "too_many_photos", _("最多上传%(n)d张照片。") % {"n": MAX_REPORT_PHOTOS}
            )
        checked = checked_photos(listed)
        reported = set(project.reports.values_list("period", flat=True))
        period = report_period(project.plan.schedule, local_date(at), reported)
        assert unit_id is not None  # "lead" and "co" each name their unit
        report = Report.objects.create(
            project=project,
            unit_id=unit_id,
            author=as_user(actor),
            period=period.key,
            percent=percent,
            quantity_done=done_quantity,
            text=body,
            reported_at=at,
        )
        for photo in checked:
            ReportPhoto.objects.create(report=report, image=photo)
        Lapse.objects.filter(
            project=project, kind=Lapse.Kind.REPORT, key=period.key, cleared_at__isnull=True
        ).update(cleared_at=at)
        done = _finish_milestones(project, milestones_done, at)
        event(
            project.plan,
            "projects.project.reported",
            actor=actor,
            unit_id=unit_id,
            at=at,
            project=project,
            note=body,
            period=period.key,
            percent=percent,
            milestones=done,
        )
    return report


def _finish_milestones(project: Project, ids: Sequence[int], at: dt.datetime) -> list[int]:
    if not ids:
        return []
    pending = list(
        project.milestones.filter(pk__in=list(ids), done_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    Milestone.objects.filter(pk__in=pending).update(done_at=at)
    Lapse.objects.filter(milestone__in=pending, cleared_at__isnull=True).update(cleared_at=at)
    return pending


def do_complete_milestone(
    milestone: Milestone, *, actor: Actor, when: dt.datetime | None = None
) -> Milestone:
    """A milestone done (节点完成), by its owner unit, the lead unit or the office."""
    at = now_or(when)
    with transaction.atomic():
        project = lock_project(milestone.project_id)
        milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
        unit_id = rules.check("complete_milestone", actor, project, milestone)
        if milestone.done_at is not None:
            raise WorkflowError("milestone_done", _("该节点已完成。"))
        _finish_milestones(project, [milestone.pk], at)
        milestone.refresh_from_db(fields=["done_at"])
        event(
            project.plan,
            "projects.milestone.done",
            actor=actor,
            unit_id=unit_id,
            at=at,
            project=project,
            note=milestone.text,
            milestone=milestone.pk,
        )
    return milestone


# The cases a project's closing can still answer: before resolution, in the lead's hands.
ANSWERABLE = (Status.IN_PROGRESS, Status.REPLIED, Status.CONSTRAINED)


@dataclass
class Closing:
    project: Project
    resolved: list[Case] = field(default_factory=list)
    left: list[tuple[Case, str]] = field(default_factory=list)


def do_close_project(
    project: Project,
    *,
    actor: Actor,
    note: str,
    close_cases: bool = False,
    reply: str = "",
    when: dt.datetime | None = None,
) -> Closing:
    """The project done (项目办结), by its lead unit or the office.

    With `close_cases`, each linked case still being handled is answered with `reply`
    (答复群众, when it has had no reply yet) and resolved (办结) through the case
    workflow's own actions, as `actor`; the office then verifies and calls back as for
    any case. A case `actor` may not resolve (another unit leads it, it is already
    resolved or closed) is left as it is and listed with the reason."""
    at = now_or(when)
    with transaction.atomic():
        project = lock_project(project)
        unit_id = rules.check("close", actor, project)
        note = text(note, "note", _("办结说明"), MAX_REPORT)
        if close_cases:
            reply = text(reply, "reply", _("答复群众的内容"), MAX_REPORT)
            if len(reply) < MIN_REPLY:
                # The case workflow asks as much of a reply and a resolution note.
                raise WorkflowError(
                    "reply_too_short", _("答复群众的内容至少%(n)d个字。") % {"n": MIN_REPLY}
                )
        project.closed_at = at
        project.closing_note = note
        project.save(update_fields=["closed_at", "closing_note"])
        Lapse.objects.filter(project=project, cleared_at__isnull=True).update(cleared_at=at)
        closing = Closing(project)
        if close_cases:
            _close_cases(closing, actor, reply, at)
        event(
            project.plan,
            "projects.project.closed",
            actor=actor,
            unit_id=unit_id,
            at=at,
            project=project,
            note=note,
            resolved=[case.pk for case in closing.resolved],
            left=[case.pk for case, _reason in closing.left],
        )
    return closing


def _close_cases(closing: Closing, actor: Actor, reply: str, at: dt.datetime) -> None:
    cases = Case.objects.filter(project_links__project=closing.project).order_by("pk")
    for case in cases:
        if case.status not in ANSWERABLE:
            closing.left.append(
                (case, str(_("诉求状态为“%(s)s”，未处理。") % {"s": case.get_status_display()}))
            )
            continue
        try:
            # A savepoint per case: a case the engine refuses leaves the others resolved.
            with transaction.atomic():
                if case.status == Status.IN_PROGRESS:
                    case = case_actions.do_reply_case(case, actor=actor, text=reply, when=at)
                case = case_actions.do_resolve_case(case, actor=actor, note=reply, when=at)
        except WorkflowError as refused:
            closing.left.append((case, str(refused.message)))
            continue
        closing.resolved.append(case)
