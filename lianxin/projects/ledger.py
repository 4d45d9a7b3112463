"""The ledger's rows (办实事台账): each project with its state, progress, next milestone and
overdue light, computed from one prefetch; the staff page, the export and the public
pages all read these.
"""

import datetime as dt
from dataclasses import dataclass
from itertools import groupby

from django.db.models import Prefetch, QuerySet

from lianxin.projects.models import Lapse, Milestone, Project, ProjectState, Report
from lianxin.projects.state import latest_report, next_milestone, state_of


@dataclass
class Row:
    project: Project
    state: ProjectState
    latest: Report | None
    next_milestone: Milestone | None
    lapses: list[Lapse]

    @property
    def percent(self) -> int:
        if self.state == ProjectState.DONE:
            return 100
        return self.latest.percent if self.latest is not None else 0

    @property
    def overdue(self) -> bool:
        return bool(self.lapses)

    @property
    def milestones(self) -> list[Milestone]:
        return list(self.project.milestones.all())

    @property
    def co_units(self) -> list:
        return list(self.project.co_units.all())


def with_progress(projects: QuerySet[Project]) -> QuerySet[Project]:
    """The projects with what a ledger row needs, in a fixed number of queries."""
    return projects.select_related("lead_unit", "leader", "plan").prefetch_related(
        "co_units",
        Prefetch(
            "milestones",
            queryset=Milestone.objects.select_related("owner_unit").order_by("due_date", "pk"),
        ),
        Prefetch(
            "reports",
            queryset=Report.objects.select_related("unit").order_by("-reported_at", "-pk"),
        ),
        Prefetch(
            "lapses",
            queryset=Lapse.objects.filter(cleared_at__isnull=True).select_related("milestone"),
            to_attr="open_lapses",
        ),
    )


def rows(projects: QuerySet[Project], today: dt.date) -> list[Row]:
    return [
        Row(
            project=project,
            state=state_of(project, today),
            latest=latest_report(project),
            next_milestone=next_milestone(project),
            lapses=project.open_lapses,  # type: ignore[attr-defined]  # the Prefetch above
        )
        for project in with_progress(projects.order_by("number", "pk"))
    ]


def by_category(found: list[Row]) -> list[tuple[str, list[Row]]]:
    """The rows in classes, each class where its first project stands in the plan."""
    order: dict[str, int] = {}
    for row in found:
        order.setdefault(row.project.category, len(order))
    ordered = sorted(found, key=lambda row: order[row.project.category])
    return [
        (category, list(group))
        for category, group in groupby(ordered, key=lambda r: r.project.category)
    ]


def counts(found: list[Row]) -> dict[str, int]:
    tally = dict.fromkeys(ProjectState.values, 0)
    for row in found:
        tally[row.state] += 1
    tally["overdue"] = sum(row.overdue for row in found)
    tally["total"] = len(found)
    return tally


def milestones_text(project: Project) -> str:
    """The milestones as a cell shows them: one a line, done ones marked."""
    lines = []
    for milestone in project.milestones.all():
        mark = "✓" if milestone.done_at is not None else ""
        lines.append(f"{milestone.due_date:%Y-%m-%d} {milestone.text}{mark}")
    return "\n".join(lines) or project.schedule_text
