"""The projects' overdue scan: a missed milestone and a missing periodic report.

Each is a `Lapse` row, unique per (project, kind, key), so the scan records it once
however often it runs, with one event; after the commit, `lapses_recorded` tells the
listeners (the lead unit is texted by `lianxin.notify.lapses`). Closed and finished
projects owe nothing more.

1. A milestone is missed once its due day has passed undone; a due date on a day off
   moves to the next working day (`state.due_day`).
2. A report is missing once a period of the project's life (from its start, or from the
   day it was entered if that is later, to its finish) has passed its due day (the
   period's last day, moved the same way) with no report.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Prefetch

from lianxin.projects.actions.common import now_or
from lianxin.projects.models import Lapse, Milestone, Project, ProjectEvent, ProjectState, Report
from lianxin.projects.signals import lapses_recorded
from lianxin.projects.state import due_day, expected_periods, state_of
from lianxin.workdays.days import local_date


def do_record_overdue_projects(*, when: dt.datetime | None = None) -> list[int]:
    """Record each new lapse once, with an event; returns the new lapses' ids."""
    at = now_or(when)
    today = local_date(at)
    # The open projects are locked first (in id order): a second scan at the same moment
    # waits here, then finds the first one's lapses in `known` and records nothing twice.
    open_projects = (
        Project.objects.filter(closed_at__isnull=True, start_date__lt=today)
        .select_for_update(of=("self",))
        .order_by("pk")
        .select_related("plan")
        .prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("due_date", "pk")),
            Prefetch(
                "reports",
                queryset=Report.objects.only(
                    "pk", "project_id", "period", "percent", "reported_at"
                ),
            ),
        )
    )
    with transaction.atomic():
        projects = list(open_projects)
        known = set(Lapse.objects.values_list("project_id", "kind", "key"))
        new: list[Lapse] = []
        for project in projects:
            if state_of(project, today) == ProjectState.DONE:
                continue
            for milestone in project.milestones.all():
                key = (project.pk, Lapse.Kind.MILESTONE, str(milestone.pk))
                if (
                    milestone.done_at is None
                    and due_day(milestone.due_date) < today
                    and key not in known
                ):
                    new.append(
                        Lapse(
                            project=project,
                            kind=Lapse.Kind.MILESTONE,
                            milestone=milestone,
                            key=str(milestone.pk),
                            due_date=due_day(milestone.due_date),
                            recorded_at=at,
                        )
                    )
            reported = {report.period for report in project.reports.all()}
            # A plan imported in mid-year owes no reports for the months before it.
            since = max(project.start_date, local_date(project.created_at))
            for period in expected_periods(
                project.plan.schedule, since, project.finish_date, today
            ):
                key = (project.pk, Lapse.Kind.REPORT, period.key)
                if period.key not in reported and key not in known:
                    new.append(
                        Lapse(
                            project=project,
                            kind=Lapse.Kind.REPORT,
                            key=period.key,
                            due_date=period.due,
                            recorded_at=at,
                        )
                    )
        if not new:
            return []
        # Two scans at once: the unique constraint keeps one of each; the other is skipped.
        Lapse.objects.bulk_create(new, ignore_conflicts=True)
        created = list(
            Lapse.objects.filter(recorded_at=at, cleared_at__isnull=True)
            .select_related("project", "milestone")
            .order_by("pk")
        )
        ProjectEvent.objects.bulk_create(
            [
                ProjectEvent(
                    plan_id=lapse.project.plan_id,
                    project=lapse.project,
                    code=f"projects.{lapse.kind}.overdue",
                    at=at,
                    note=lapse.milestone.text if lapse.milestone else lapse.key,
                    data={"lapse": lapse.pk, "due_date": lapse.due_date.isoformat()},
                )
                for lapse in created
            ],
            batch_size=1000,
        )
    ids = [lapse.pk for lapse in created]
    transaction.on_commit(lambda: lapses_recorded.send(sender=Lapse, lapse_ids=ids))
    return ids
