"""Plans and their projects: the office creates and edits them (by hand, by import, by
promotion), each change with an event.

`do_save_project` is the one writer of a project's fields and milestones: the form, the
import and the promotion call it. It compares what it is given with what is stored and
writes (and records) only a real change, so that importing the same 配档表 twice changes
nothing the second time. A milestone already done is never removed by an edit.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Actor, Role, User
from lianxin.errors import WorkflowError
from lianxin.orgs.models import Unit
from lianxin.projects import rules
from lianxin.projects.actions.common import event, lock_project, now_or, quantity, text
from lianxin.projects.models import Milestone, Plan, Project, Schedule

MAX_NAME = 200
MAX_MEASURES = 2000
MAX_TARGET = 500
MAX_MILESTONES = 20


@dataclass(frozen=True)
class MilestoneSpec:
    due_date: dt.date
    text: str
    owner_unit: Unit | None = None


@dataclass
class ProjectSpec:
    """What a project is made of, as a form, an import row or a promotion gives it."""

    name: str
    category: str
    lead_unit: Unit
    start_date: dt.date
    finish_date: dt.date
    co_units: Sequence[Unit] = ()
    leader: User | None = None
    leader_name: str = ""
    measures: str = ""
    target_text: str = ""
    target_quantity: Decimal | str | None = None
    target_unit: str = ""
    street: Unit | None = None
    schedule_text: str = ""
    number: int | None = None
    origin: str = ""
    milestones: Sequence[MilestoneSpec] = field(default_factory=list)


def do_create_plan(
    *,
    actor: Actor,
    title: str,
    year: int,
    schedule: str = Schedule.MONTHLY,
    street: Unit | None = None,
    description: str = "",
    published: bool = True,
    when: dt.datetime | None = None,
) -> Plan:
    unit_id = rules.check_office(actor, _("创建办实事计划"))
    at = now_or(when)
    title = text(title, "title", _("计划名称"), 100)
    if schedule not in Schedule.values:
        raise WorkflowError("schedule_invalid", _("请选择进度报送周期。"))
    if not 2000 <= int(year) <= 2100:
        raise WorkflowError("year_invalid", _("年度不正确。"))
    if street is not None and street.kind != Unit.Kind.STREET:
        raise WorkflowError("street_invalid", _("请选择街道。"))
    with transaction.atomic():
        if Plan.objects.filter(title=title).exists():
            raise WorkflowError("title_taken", _("已有同名的办实事计划。"))
        plan = Plan.objects.create(
            title=title,
            year=int(year),
            schedule=schedule,
            street=street,
            description=text(description, "description", _("说明"), 2000, required=False),
            published=published,
            created_at=at,
        )
        event(plan, "projects.plan.created", actor=actor, unit_id=unit_id, at=at)
    return plan


def do_update_plan(
    plan: Plan,
    *,
    actor: Actor,
    schedule: str,
    description: str = "",
    published: bool = True,
    when: dt.datetime | None = None,
) -> Plan:
    unit_id = rules.check_office(actor, _("修改办实事计划"))
    at = now_or(when)
    if schedule not in Schedule.values:
        raise WorkflowError("schedule_invalid", _("请选择进度报送周期。"))
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        plan.schedule = schedule
        plan.description = text(description, "description", _("说明"), 2000, required=False)
        plan.published = published
        plan.save(update_fields=["schedule", "description", "published"])
        event(plan, "projects.plan.updated", actor=actor, unit_id=unit_id, at=at)
    return plan


def _checked(spec: ProjectSpec) -> dict:
    """The project's own fields from `spec`, validated, or WorkflowError."""
    if spec.lead_unit is None or spec.lead_unit.kind not in Unit.HANDLING_KINDS:
        raise WorkflowError("lead_unit_required", _("请选择牵头单位。"))
    if spec.finish_date < spec.start_date:
        raise WorkflowError("dates_invalid", _("完成日期不能早于开始日期。"))
    if spec.leader is not None and not spec.leader.memberships.filter(role=Role.LEADER).exists():
        raise WorkflowError("leader_invalid", _("责任领导须为区领导账号。"))
    if spec.street is not None and spec.street.kind != Unit.Kind.STREET:
        raise WorkflowError("street_invalid", _("请选择街道。"))
    if len(spec.milestones) > MAX_MILESTONES:
        raise WorkflowError(
            "too_many_milestones", _("时间节点不能超过%(n)d个。") % {"n": MAX_MILESTONES}
        )
    for milestone in spec.milestones:
        text(milestone.text, "milestone", _("节点内容"), 200)
    street = spec.street
    if street is None:
        street = _street_of(spec.lead_unit)
    return {
        "name": text(spec.name, "name", _("项目名称"), MAX_NAME),
        "category": text(spec.category, "category", _("类别"), 50),
        "lead_unit": spec.lead_unit,
        "leader": spec.leader,
        "leader_name": text(spec.leader_name, "leader_name", _("责任领导"), 50, required=False),
        "measures": text(spec.measures, "measures", _("主要措施"), MAX_MEASURES, required=False),
        "target_text": text(spec.target_text, "target", _("完成标准"), MAX_TARGET, required=False),
        "target_quantity": quantity(spec.target_quantity, "target_quantity", _("目标数量")),
        "target_unit": text(spec.target_unit, "target_unit", _("计量单位"), 10, required=False),
        "street": street,
        "start_date": spec.start_date,
        "finish_date": spec.finish_date,
        "schedule_text": text(
            spec.schedule_text, "schedule_text", _("时间节点"), 500, required=False
        ),
        "origin": text(spec.origin, "origin", _("来源"), 100, required=False),
    }


def _street_of(unit: Unit | None) -> Unit | None:
    """The street a street's, a community's or a grid's project serves."""
    while unit is not None and unit.kind in (Unit.Kind.GRID, Unit.Kind.COMMUNITY):
        unit = unit.parent
    return unit if unit is not None and unit.kind == Unit.Kind.STREET else None


def _milestone_key(m) -> tuple:
    return (m.due_date, m.text, m.owner_unit.pk if m.owner_unit else None)


def _set_milestones(project: Project, specs: Iterable[MilestoneSpec]) -> bool:
    """Make the project's milestones these; a done one stays. Returns whether any changed."""
    wanted = {
        (spec.due_date, text(spec.text, "milestone", _("节点内容"), 200), spec.owner_unit)
        for spec in specs
    }
    wanted_keys = {(d, t, u.pk if u else None): (d, t, u) for d, t, u in wanted}
    stored = list(project.milestones.select_related("owner_unit"))
    have = {_milestone_key(m): m for m in stored}
    changed = False
    for key, milestone in have.items():
        if key not in wanted_keys and milestone.done_at is None:
            milestone.delete()
            changed = True
    new = [
        Milestone(project=project, due_date=d, text=t, owner_unit=u)
        for key, (d, t, u) in sorted(wanted_keys.items(), key=lambda item: str(item[0]))
        if key not in have
    ]
    if new:
        Milestone.objects.bulk_create(new)
        changed = True
    return changed


def do_save_project(
    plan: Plan,
    spec: ProjectSpec,
    *,
    actor: Actor,
    project: Project | None = None,
    when: dt.datetime | None = None,
) -> tuple[Project, bool]:
    """Add a project to the plan, or edit `project`; returns (project, changed)."""
    at = now_or(when)
    with transaction.atomic():
        if project is not None:
            project = lock_project(project)
            unit_id = rules.check("edit", actor, project)
        else:
            unit_id = rules.check_office(actor, _("添加项目"))
        values = _checked(spec)
        co_ids = sorted({unit.pk for unit in spec.co_units if unit.pk != values["lead_unit"].pk})
        if project is None:
            number = spec.number or (plan.projects.aggregate(n=Max("number"))["n"] or 0) + 1
            try:
                with transaction.atomic():
                    project = Project.objects.create(
                        plan=plan, number=number, created_at=at, **values
                    )
            except IntegrityError:
                raise WorkflowError("name_taken", _("本计划中已有同名项目。")) from None
            project.co_units.set(co_ids)
            _set_milestones(project, spec.milestones)
            event(
                plan, "projects.project.added", actor=actor, unit_id=unit_id, at=at, project=project
            )
            return project, True
        if spec.number:
            values["number"] = spec.number
        fields = [name for name, value in values.items() if getattr(project, name) != value]
        for name in fields:
            setattr(project, name, values[name])
        if fields:
            try:
                with transaction.atomic():
                    project.save(update_fields=fields)
            except IntegrityError:
                raise WorkflowError("name_taken", _("本计划中已有同名项目。")) from None
        old_co = sorted(project.co_units.values_list("pk", flat=True))
        if old_co != co_ids:
            project.co_units.set(co_ids)
            fields.append("co_units")
        if _set_milestones(project, spec.milestones):
            fields.append("milestones")
        if fields:
            event(
                plan,
                "projects.project.updated",
                actor=actor,
                unit_id=unit_id,
                at=at,
                project=project,
                fields=fields,
            )
        return project, bool(fields)
