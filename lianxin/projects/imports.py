"""Importing a plan's projects from the 配档表 (.xlsx) offices already keep.

1. The file, its title row and its header row are read by `lianxin.sheets` (the columns
   by any of the names offices give them: 牵头单位/牵头部门/责任单位 ...).
2. Each row is one project. A row is refused, with its row number and the reason in
   Chinese, when it has no project name, no or an unknown lead unit, an unknown co-unit,
   no class, a 时间节点 with no date or an impossible one, or the same name as a row
   above it; the other rows go in.
3. A row with nothing but its 序号 is blank (offices number rows ahead). A 类别 cell left
   blank takes the class of the row above it: offices merge the class cell over its
   projects, and a merged cell is blank below its first row.
4. The 时间节点 cell is read into milestones (`timenodes.parse_nodes`), owned by the
   lead unit; the finish date is the last of them (or the plan's year end), the start
   the plan's first day. A 完成标准 such as "改造老旧管网12公里" gives the target's
   quantity and unit of measure.
5. A project is known by its name within the plan: importing the same file again
   changes nothing (`unchanged`), and an edited row updates its project (`updated`);
   every write goes through `do_save_project`, with its event. A milestone already done
   is kept.

A plan holds tens of projects (市南's 29, 长岛's 60), so the import runs within the
request; a file beyond MAX_ROWS is refused rather than run as a background job.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lianxin.accounts.models import Role, User
from lianxin.errors import WorkflowError
from lianxin.orgs.models import Unit
from lianxin.projects import rules
from lianxin.projects.actions import MilestoneSpec, ProjectSpec, do_save_project
from lianxin.projects.models import Plan
from lianxin.projects.timenodes import parse_nodes
from lianxin.sheets import Columns, ImportColumn, ImportRefused, Sheet, cell_text, template_workbook

MAX_ROWS = 500

COLUMNS = Columns(
    [
        ImportColumn("序号", "number", False, gettext_lazy("项目编号，可留空。"), 6),
        ImportColumn(
            "类别",
            "category",
            False,
            gettext_lazy("如：城市建设、民生保障。留空则与上一行相同（合并单元格亦可）。"),
            12,
            ("项目类别", "分类", "领域", "类型"),
        ),
        ImportColumn(
            "项目名称",
            "name",
            True,
            gettext_lazy("必填，同一计划中不可重复；再次导入时按名称更新。"),
            30,
            ("项目", "实事项目", "实事名称", "任务名称", "工作任务"),
        ),
        ImportColumn(
            "主要措施",
            "measures",
            False,
            gettext_lazy("可留空。"),
            30,
            ("工作措施", "具体措施", "项目内容", "主要内容", "建设内容"),
        ),
        ImportColumn(
            "牵头单位",
            "lead",
            True,
            gettext_lazy("必填，须为系统中的部门、街道或社区名称。"),
            16,
            ("牵头部门", "责任单位", "主责单位", "牵头责任单位"),
        ),
        ImportColumn(
            "配合单位",
            "co",
            False,
            gettext_lazy("可多个，用顿号分隔。"),
            20,
            ("配合部门", "协办单位", "参与单位", "配合责任单位"),
        ),
        ImportColumn(
            "责任领导",
            "leader",
            False,
            gettext_lazy("区领导姓名，可留空。"),
            10,
            ("分管领导", "包案领导", "牵头领导", "分管区领导"),
        ),
        ImportColumn(
            "时间节点",
            "schedule",
            False,
            gettext_lazy("如：3月底前完成方案；6月底前开工；年底前完工。"),
            30,
            ("完成时限", "时间安排", "推进时限", "进度安排", "完成时间", "时限要求"),
        ),
        ImportColumn(
            "完成标准",
            "target",
            False,
            gettext_lazy("如：改造老旧管网12公里。"),
            24,
            ("目标任务", "完成目标", "工作目标", "预期目标", "目标"),
        ),
    ],
    ignored=("备注",),
    anchor="name",
)
CO_SEPARATORS = re.compile(r"[、,，;；/\s]+")
QUANTITY = re.compile(
    r"(\d+(?:\.\d+)?)\s*(平方米|m²|㎡|公里|千米|米|条|部|户|个|处|所|台|座|家|人|间|套|盏|辆|次|场)"
)


@dataclass
class RowError:
    row: int
    message: str


@dataclass
class Report:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": len(self.errors),
        }


def template() -> bytes:
    from io import BytesIO

    workbook = template_workbook(
        _("配档表"),
        COLUMNS,
        [
            _("第一行可以是标题（如“2027年为民办实事项目任务分工配档表”），列名可在前五行之内。"),
            _("时间节点可写：3月底前、6月前（即5月31日前）、10月15日前、一季度、上半年、年底前。"),
        ],
    )
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class _Units:
    """Units by name or code, for the lead and co-unit cells."""

    def __init__(self) -> None:
        self.by_key: dict[str, Unit | None] = {}
        for unit in Unit.objects.filter(kind__in=Unit.HANDLING_KINDS, active=True):
            for key in (unit.name, unit.code):
                # A name two units share is ambiguous: refused, like an unknown one.
                self.by_key[key] = None if key in self.by_key and self.by_key[key] != unit else unit

    def get(self, text: str) -> Unit | None:
        return self.by_key.get(text.strip())


class _Leaders:
    def __init__(self) -> None:
        self.users = list(
            User.objects.filter(memberships__role=Role.LEADER, is_active=True)
            .exclude(Q(full_name=""))
            .distinct()
        )

    def get(self, text: str) -> User | None:
        found = [user for user in self.users if user.full_name and user.full_name in text]
        return found[0] if len(found) == 1 else None


def target_quantity(text: str) -> tuple[str | None, str]:
    match = QUANTITY.search(text)
    if match is None:
        return None, ""
    unit = {"平方米": "m²", "㎡": "m²", "千米": "公里"}.get(match.group(2), match.group(2))
    return match.group(1), unit


def import_plan(upload, plan: Plan, *, actor) -> Report:
    """Import the 配档表 into `plan`; ImportRefused when the file itself is refused."""
    rules.check_office(actor, _("导入配档表"))
    sheet = Sheet(upload, COLUMNS)
    try:
        rows = list(sheet.data_rows())
    finally:
        sheet.close()
    if len(rows) > MAX_ROWS:
        raise ImportRefused(_("一个计划最多导入%(n)d个项目，请分表导入。") % {"n": MAX_ROWS})
    report = Report()
    units, leaders = _Units(), _Leaders()
    existing = {project.name: project for project in plan.projects.all()}
    seen: dict[str, int] = {}
    category = ""
    for index, (number, cells) in enumerate(rows, start=1):
        values = {key: cell_text(value) for key, value in cells.items()}
        if not any(text for key, text in values.items() if key != "number"):
            continue  # a numbered row left blank at the end of the table
        category = values.get("category") or category
        report.rows += 1
        try:
            spec = _spec(values, category, index, plan, units, leaders, existing)
            name = spec.name
            if name in seen:
                raise WorkflowError("duplicate", _("项目名称与第%(n)d行重复。") % {"n": seen[name]})
            seen[name] = number
            with transaction.atomic():
                project, changed = do_save_project(
                    plan, spec, actor=actor, project=existing.get(name)
                )
        except WorkflowError as error:
            report.errors.append(RowError(number, str(error.message)))
            continue
        if name not in existing:
            report.created += 1
            existing[name] = project
        elif changed:
            report.updated += 1
        else:
            report.unchanged += 1
    return report


def _spec(values, category, index, plan, units, leaders, existing) -> ProjectSpec:
    name = values.get("name", "")
    if not name:
        raise WorkflowError("name_required", _("缺少项目名称。"))
    if not category:
        raise WorkflowError("category_required", _("缺少类别。"))
    lead_text = values.get("lead", "")
    if not lead_text:
        raise WorkflowError("lead_required", _("缺少牵头单位。"))
    lead = units.get(lead_text)
    if lead is None:
        raise WorkflowError("unknown_unit", _("牵头单位“%(u)s”不在系统中。") % {"u": lead_text})
    co = []
    for text in CO_SEPARATORS.split(values.get("co", "")):
        if not text:
            continue
        unit = units.get(text)
        if unit is None:
            raise WorkflowError("unknown_unit", _("配合单位“%(u)s”不在系统中。") % {"u": text})
        co.append(unit)
    schedule = values.get("schedule", "")
    nodes, bad = parse_nodes(schedule, plan.year)
    if bad:
        raise WorkflowError(
            "bad_date", _("时间节点中的日期不存在：%(bad)s。") % {"bad": "、".join(bad)}
        )
    if schedule and not nodes:
        raise WorkflowError("no_date", _("未能从时间节点“%(t)s”中识别出日期。") % {"t": schedule})
    leader_text = values.get("leader", "")
    leader = leaders.get(leader_text) if leader_text else None
    target = values.get("target", "")
    quantity, measure = target_quantity(target)
    number = values.get("number", "")
    known = existing.get(name)
    start = known.start_date if known is not None else dt.date(plan.year, 1, 1)
    finish = max([node.due_date for node in nodes], default=dt.date(plan.year, 12, 31))
    return ProjectSpec(
        name=name,
        category=category,
        lead_unit=lead,
        co_units=co,
        leader=leader,
        leader_name="" if leader is not None else leader_text,
        measures=values.get("measures", ""),
        target_text=target,
        target_quantity=quantity,
        target_unit=measure,
        start_date=min(start, finish),
        finish_date=finish,
        schedule_text=schedule,
        number=int(number) if number.isdigit() else (known.number if known else index),
        milestones=[MilestoneSpec(node.due_date, node.text[:200], lead) for node in nodes],
    )
