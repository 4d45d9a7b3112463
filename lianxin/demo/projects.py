"""The demo's practical projects: this year's 为民办实事 plan at 长岛's and 市南's scale.

The district's projects come from data/projects.tsv (five classes); a project led by
"街道" is one per street, for the streets' public pages. Every project is added, reported
on and closed through the actions, each at its own moment of the year: milestones done
on time, done late or still missed, monthly reports (a few forgotten), a fifth of the
projects finished and some closed; then the overdue scan runs once at `now`, as the
periodic job would. A few cases in progress are linked to the project that answers them.
"""

import datetime as dt
import random
from collections import Counter
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from lianxin.cases.models import Case, Status
from lianxin.demo.district import Cast
from lianxin.orgs.models import Unit
from lianxin.projects import actions
from lianxin.projects.actions import MilestoneSpec, ProjectSpec
from lianxin.projects.imports import target_quantity
from lianxin.projects.models import Milestone, Project
from lianxin.projects.state import state_of
from lianxin.projects.timenodes import parse_nodes
from lianxin.workdays.days import local_date

DATA = Path(__file__).parent / "data" / "projects.tsv"
STREET = "街道"
# How a milestone turns out: done before its day, done after it, or not yet done.
FATES = {"on_time": 0.8, "late": 0.12, "missed": 0.08}


def _rows() -> list[list[str]]:
    lines = DATA.read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]


def _moment(day: dt.date, rng: random.Random, now: dt.datetime) -> dt.datetime:
    at = timezone.make_aware(
        dt.datetime.combine(day, dt.time(9 + rng.randrange(8), rng.randrange(60)))
    )
    return min(at, now - dt.timedelta(minutes=5))


def build_projects(cast: Cast, rng: random.Random, now: dt.datetime) -> Counter:
    """This year's plan and its projects up to `now`; returns the projects by state."""
    today = local_date(now)
    year = today.year
    office = cast.dispatchers[0]
    begun = _moment(dt.date(year, 1, 6), rng, now)
    plan = actions.do_create_plan(
        actor=office, title=f"{year}年为民办实事项目", year=year, when=begun
    )
    streets = list(Unit.objects.filter(kind=Unit.Kind.STREET).order_by("pk"))
    people = {unit_pk: users[0] for unit_pk, users in cast.handlers.items()}
    people.update(cast.street_staff)
    for number, (category, name, lead, co, schedule, target) in enumerate(
        _specs(_rows(), streets, cast), start=1
    ):
        nodes, _bad = parse_nodes(schedule, year)
        quantity, measure = target_quantity(target)
        project, _changed = actions.do_save_project(
            plan,
            ProjectSpec(
                name=name,
                category=category,
                lead_unit=lead,
                co_units=co,
                leader=rng.choice(cast.leaders),
                target_text=target,
                target_quantity=quantity,
                target_unit=measure,
                start_date=dt.date(year, 1, 1),
                finish_date=max([n.due_date for n in nodes], default=dt.date(year, 12, 31)),
                schedule_text=schedule,
                number=number,
                milestones=[MilestoneSpec(n.due_date, n.text, lead) for n in nodes],
            ),
            actor=office,
            when=begun,
        )
        _live(project, people[lead.pk], office, rng, now)
    _link_cases(plan, office)
    _promote_a_case(plan, cast, office, now)
    actions.do_record_overdue_projects(when=now)
    projects = plan.projects.prefetch_related("milestones", "reports")
    return Counter(str(state_of(project, today).label) for project in projects)


def _specs(rows, streets, cast):
    for category, name, lead_code, co_codes, schedule, target in rows:
        co = [cast.departments[code] for code in co_codes.split(",") if code and code != STREET]
        if lead_code == STREET:
            for street in streets:
                yield category, f"{street.name}{name}", street, co, schedule, target
            continue
        if STREET in co_codes.split(","):
            co.append(streets[len(name) % len(streets)])
        yield category, name, cast.departments[lead_code], co, schedule, target


def _live(project: Project, handler, office, rng: random.Random, now: dt.datetime) -> None:
    """The project's year: its milestones' fates, then a report most months."""
    today = local_date(now)
    milestones = list(project.milestones.order_by("due_date"))
    # Some projects run late on everything, most keep to their days.
    sluggish = rng.random() < 0.1
    for milestone in milestones:
        fate = rng.choices(list(FATES), list(FATES.values()))[0]
        if sluggish and fate == "on_time":
            fate = "missed"
        if fate == "on_time":
            day = milestone.due_date - dt.timedelta(days=rng.randrange(0, 20))
        elif fate == "late":
            day = milestone.due_date + dt.timedelta(days=rng.randrange(5, 40))
        else:
            continue
        if day < today:
            actions.do_complete_milestone(milestone, actor=handler, when=_moment(day, rng, now))
    finished = not sluggish and rng.random() < 0.8 and all(m.due_date < today for m in milestones)
    done_ids = set(
        Milestone.objects.filter(project=project, done_at__isnull=False).values_list(
            "pk", flat=True
        )
    )
    last = today.month if today.day >= 20 else today.month - 1
    if finished:
        # A finished project stops reporting with its 100 % in its finish month.
        last = min(last, project.finish_date.month)
    months = list(range(1, last + 1))
    span = max(project.finish_date.month, 1)
    percent = 0
    for month in months:
        if rng.random() < 0.08 and month != months[-1]:
            continue  # a forgotten month: the scan records it
        # Progress only grows, roughly with the months gone towards the finish.
        percent = max(percent, min(95, round(100 * month / span * rng.uniform(0.8, 1.0))))
        if finished and month == months[-1]:
            percent = 100
            for milestone in milestones:
                if milestone.pk not in done_ids:
                    actions.do_complete_milestone(
                        milestone,
                        actor=handler,
                        when=_moment(dt.date(today.year, month, 18), rng, now),
                    )
        quantity = None
        if project.target_quantity is not None:
            # Whole things (个, 户, 处) are counted whole, 8.5公里 to a tenth.
            step = Decimal(1) if project.target_quantity % 1 == 0 else Decimal("0.1")
            quantity = (project.target_quantity * percent / 100).quantize(step)
        actions.do_report_progress(
            project,
            actor=handler,
            percent=percent,
            quantity_done=quantity,
            text_=_progress_text(percent),
            when=_moment(dt.date(today.year, month, rng.randrange(20, 28)), rng, now),
        )
    if finished and rng.random() < 0.5:
        closed = project.finish_date + dt.timedelta(days=rng.randrange(10, 30))
        actions.do_close_project(
            project,
            actor=office,
            note="项目全部完成，已通过验收。",
            when=_moment(closed, rng, now),
        )


def _progress_text(percent: int) -> str:
    if percent >= 100:
        return "项目已全部完成，正在组织验收。"
    if percent >= 60:
        return "主体工程基本完成，正在推进收尾工作。"
    if percent >= 30:
        return "已进场施工，按计划有序推进。"
    return "已完成前期摸排和方案设计，正在办理招标手续。"


def _link_cases(plan, office) -> None:
    """A few street-light cases in progress answered by the street-light project."""
    project = plan.projects.filter(name="路灯照明补盲", closed_at__isnull=True).first()
    if project is None:
        return
    cases = Case.objects.filter(
        status=Status.IN_PROGRESS, lead_unit=project.lead_unit, title__contains="路灯"
    ).order_by("pk")[:3]
    for case in cases:
        actions.do_link_case(project, case, actor=office, when=timezone.now())


def _promote_a_case(plan, cast: Cast, office, now: dt.datetime) -> None:
    """议题→项目 last week: a waiting case becomes a project, not started yet."""
    waiting = (Status.REGISTERED, Status.RETURNED, Status.IN_PROGRESS)
    case = Case.objects.filter(status__in=waiting).order_by("status", "-pk").first()
    if case is None:
        return
    lead = cast.departments["zjj"]
    today = local_date(now)
    finish = dt.date(today.year + 1, 6, 30)
    when = now - dt.timedelta(days=3)
    actions.do_promote_case(
        case,
        plan,
        ProjectSpec(
            name="小区电动自行车充电设施建设",
            category="社区治理",
            lead_unit=lead,
            co_units=[cast.departments["gdgs"]],
            target_text="新建充电端口",
            target_quantity="2000",
            target_unit="个",
            start_date=today,
            finish_date=finish,
            schedule_text="明年3月底前完成选址；6月底前建成",
            milestones=[
                MilestoneSpec(dt.date(today.year + 1, 3, 31), "完成选址", lead),
                MilestoneSpec(finish, "建成", lead),
            ],
        ),
        actor=office,
        when=when,
    )
