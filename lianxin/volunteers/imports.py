"""Importing team rosters and 双报到 rosters from the .xlsx lists communities keep.

The same machinery as the registers' import (`lianxin.registry.imports`): the file read by
`lianxin.sheets` (by content, the header row with its variant names, blank rows out), each
row checked on its own and reported with its row number and a reason in Chinese, and the
rows saved through the idempotent save actions, so that the same file twice changes
nothing and a corrected file updates only what changed.

- teams: a row per member: 队伍名称, 所属单位, 姓名, 电话, 身份, 是否队长. A team is found by
  its unit and name, a member within it by phone (else name). 身份 居民 (the default), or
  干部 (a staff account, found by phone), or 报到党员 (a report-in, found by phone or name:
  import the report-ins first).
- reportins: 姓名, 电话, 工作单位, 报到社区, 报到日期, 是否党员 (or 政治面貌).

Each row is saved in its own savepoint: a row whose member is refused leaves no new team.
"""

import datetime as dt
import re
from itertools import islice

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lianxin.errors import WorkflowError
from lianxin.orgs.models import Unit
from lianxin.registry.import_columns import NO, PHONE_VARIANTS, YES
from lianxin.registry.imports import Report, RowError, RowResult, Units
from lianxin.sheets import (
    Columns,
    ImportColumn,
    ImportRefused,
    Sheet,
    cell_text,
    chunked,
    template_workbook,
)
from lianxin.volunteers import actions
from lianxin.volunteers.actions.reportins import EMPLOYER_KINDS
from lianxin.volunteers.actions.teams import TEAM_UNIT_KINDS
from lianxin.volunteers.models import MemberKind, ReportIn

MAX_ROWS = 20000
KIND_LABELS = {
    "teams": gettext_lazy("志愿服务队名册"),
    "reportins": gettext_lazy("双报到名册"),
}
KINDS = tuple(KIND_LABELS)
PHONE = ImportColumn(
    "电话", "phone", False, gettext_lazy("11位手机号或带区号的固话，可留空。"), 14, PHONE_VARIANTS
)
COLUMNS = {
    "teams": Columns(
        [
            ImportColumn(
                "队伍名称",
                "team",
                True,
                gettext_lazy("必填；同一单位内名称相同即为同一支队伍。"),
                24,
                ("志愿服务队", "服务队", "队伍", "服务队名称", "志愿服务队名称", "队名"),
            ),
            ImportColumn(
                "所属单位",
                "unit",
                True,
                gettext_lazy("队伍所属的社区、街道或部门，填编码或名称。"),
                16,
                ("所属社区", "社区", "单位", "所属部门", "社区/村"),
            ),
            ImportColumn(
                "姓名",
                "name",
                True,
                gettext_lazy("队员姓名，必填。"),
                10,
                ("队员姓名", "志愿者姓名", "成员姓名", "志愿者"),
            ),
            PHONE,
            ImportColumn(
                "身份",
                "kind",
                False,
                gettext_lazy(
                    "居民、干部或报到党员；留空为居民。干部按手机号找账号，报到党员按手机号或姓名找双报到记录。"
                ),
                10,
                ("人员类别", "类别", "队员身份"),
            ),
            ImportColumn(
                "是否队长", "leader", False, gettext_lazy("是或否；留空则不改动。"), 8, ("队长",)
            ),
        ],
        anchor="team",
    ),
    "reportins": Columns(
        [
            ImportColumn(
                "姓名",
                "name",
                True,
                gettext_lazy("必填。"),
                10,
                ("报到人", "报到人员", "报到人姓名"),
            ),
            PHONE,
            ImportColumn(
                "工作单位",
                "employer",
                True,
                gettext_lazy("报到人所在的部门或单位，填编码或名称。"),
                18,
                ("单位", "所在单位", "派出单位", "工作单位名称", "原单位"),
            ),
            ImportColumn(
                "报到社区",
                "community",
                True,
                gettext_lazy("居住地社区或村，填编码或名称。"),
                14,
                ("社区", "居住社区", "所在社区", "报到社区/村", "报到村居"),
            ),
            ImportColumn(
                "报到日期",
                "reported_on",
                True,
                gettext_lazy("如 2026-05-04、2026/5/4 或 2026年5月4日。"),
                12,
                ("报到时间", "日期"),
            ),
            ImportColumn(
                "是否党员",
                "party_member",
                False,
                gettext_lazy("是或否（也可填政治面貌，如 中共党员、群众）；留空为否。"),
                10,
                ("党员", "政治面貌"),
            ),
        ],
        anchor="name",
    ),
}
KINDS_OF_MEMBER = {
    "": MemberKind.RESIDENT,
    "居民": MemberKind.RESIDENT,
    "群众": MemberKind.RESIDENT,
    "干部": MemberKind.STAFF,
    "职工": MemberKind.STAFF,
    "干部职工": MemberKind.STAFF,
    "报到党员": MemberKind.REPORT_IN,
    "双报到": MemberKind.REPORT_IN,
    "报到干部": MemberKind.REPORT_IN,
    "在职党员": MemberKind.REPORT_IN,
}
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    if not text:
        raise RowError(_("缺少报到日期。"))
    match = _DATE.match(text.split(" ")[0])
    try:
        if match is None:
            raise ValueError
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise RowError(
            _("报到日期“%(value)s”无法识别，请写成2026-05-04的形式。") % {"value": text}
        ) from None


def _yes(value, name: str) -> bool | None:
    text = cell_text(value)
    if not text:
        return None
    if text in YES:
        return True
    if text in NO:
        return False
    raise RowError(_("%(name)s请填写“是”或“否”。") % {"name": name})


def _party(value) -> bool:
    text = cell_text(value)
    if "党员" in text and "非" not in text:
        return True  # 政治面貌: 中共党员, 中共预备党员
    if text in ("群众", "共青团员", "团员", "民主党派", "无党派人士"):
        return False
    return bool(_yes(value, _("是否党员")))


class Importer:
    def __init__(self, kind: str, *, actor):
        self.kind, self.actor = kind, actor
        self.units = Units()

    def save(self, number: int, raw: dict) -> RowResult:
        values = {key: cell_text(value) for key, value in raw.items()}
        label = values.get("name", "")
        try:
            with transaction.atomic():
                outcome = getattr(self, f"_save_{self.kind}")(values, raw)
        except RowError as error:
            return RowResult(number, "error", str(error), label)
        except WorkflowError as error:
            return RowResult(number, "error", str(error.message), label)
        return RowResult(number, outcome, "", label)

    def _unit(self, value: str, kinds, what) -> Unit:
        if not value:
            raise RowError(_("缺少%(what)s。") % {"what": what})
        return self.units.find(value, kinds=set(kinds), what=what)

    def _save_teams(self, values: dict, raw: dict) -> str:
        problems = []
        unit = None
        try:
            unit = self._unit(values.get("unit", ""), TEAM_UNIT_KINDS, _("所属单位"))
        except RowError as error:
            problems.append(str(error))
        if not values.get("team"):
            problems.append(_("缺少队伍名称。"))
        if not values.get("name"):
            problems.append(_("缺少姓名。"))
        kind = KINDS_OF_MEMBER.get(values.get("kind", ""))
        if kind is None:
            problems.append(_("身份请填写“居民”“干部”或“报到党员”。"))
        try:
            leader = _yes(raw.get("leader"), _("是否队长"))
        except RowError as error:
            problems.append(str(error))
        if problems or unit is None:
            raise RowError("".join(problems))
        person: dict = {"name": values["name"], "phone_number": values.get("phone", "")}
        if kind == MemberKind.STAFF:
            person["user"] = self._user(values)
        elif kind == MemberKind.REPORT_IN:
            person["report_in"] = self._report_in(values)
        team = actions.do_save_team(actor=self.actor, unit=unit, name=values["team"])
        member = actions.do_save_member(team.row, actor=self.actor, leader=leader, **person)
        if member.outcome == "unchanged" and team.outcome != "unchanged":
            return "updated"
        return member.outcome

    def _user(self, values: dict):
        phone = values.get("phone", "")
        user = (
            get_user_model().objects.filter(phone=phone, is_active=True).first() if phone else None
        )
        if user is None:
            raise RowError(
                _("干部“%(name)s”须填写其账号登记的手机号（未找到手机号为“%(phone)s”的账号）。")
                % {"name": values["name"], "phone": phone}
            )
        return user

    def _report_in(self, values: dict) -> ReportIn:
        phone = values.get("phone", "")
        found = ReportIn.objects.filter(active=True)
        matches = list(found.filter(phone=phone)[:1]) if phone else []
        matches = matches or list(found.filter(name=values["name"])[:2])
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise RowError(_("报到人员“%(name)s”有重名，请填写手机号。") % {"name": values["name"]})
        raise RowError(
            _("未找到“%(name)s”的双报到记录，请先导入双报到名册。") % {"name": values["name"]}
        )

    def _save_reportins(self, values: dict, raw: dict) -> str:
        problems = []
        employer = community = reported_on = None
        if not values.get("name"):
            problems.append(_("缺少姓名。"))
        for key, kinds, what in (
            ("employer", EMPLOYER_KINDS, _("工作单位")),
            ("community", (Unit.Kind.COMMUNITY,), _("报到社区")),
        ):
            try:
                found = self._unit(values.get(key, ""), kinds, what)
            except RowError as error:
                problems.append(str(error))
            else:
                employer, community = (found, community) if key == "employer" else (employer, found)
        try:
            reported_on = _date(raw.get("reported_on"))
        except RowError as error:
            problems.append(str(error))
        try:
            party = _party(raw.get("party_member"))
        except RowError as error:
            problems.append(str(error))
        if problems or employer is None or community is None or reported_on is None:
            raise RowError("".join(problems))
        return actions.do_save_report_in(
            actor=self.actor,
            name=values["name"],
            phone_number=values.get("phone", ""),
            employer=employer,
            community=community,
            reported_on=reported_on,
            party_member=party,
        ).outcome


def read_list(kind: str, upload, *, max_rows: int = MAX_ROWS) -> list[tuple[int, dict]]:
    """The data rows of a roster of `kind`; ImportRefused when the file as a whole cannot be
    read as one."""
    if kind not in COLUMNS:
        raise ImportRefused(_("未知的导入类型：%(kind)s。") % {"kind": kind})
    sheet = Sheet(upload, COLUMNS[kind])
    try:
        rows = list(islice(sheet.data_rows(), max_rows + 1))
    finally:
        sheet.close()
    if not rows:
        raise ImportRefused(_("表头（第%(row)d行）下面没有数据。") % {"row": sheet.header_row})
    if len(rows) > max_rows:
        raise ImportRefused(
            _("表格超过单次导入上限%(max)d行，请分成几个文件导入。") % {"max": max_rows}
        )
    return rows


def import_roster(kind: str, upload, *, actor, max_rows: int = MAX_ROWS) -> Report:
    """Import a roster of `kind` (teams, reportins); report each row. A chunk of rows is one
    transaction, each row a savepoint in it."""
    rows = read_list(kind, upload, max_rows=max_rows)
    importer = Importer(kind, actor=actor)
    report = Report(kind)
    for chunk in chunked(rows):
        with transaction.atomic():
            report.results.extend(importer.save(number, raw) for number, raw in chunk)
    return report


def write_template(kind: str, target) -> None:
    """The import template of `kind`: the header row, how to fill it in, the units' codes."""
    notes = [
        _("第一行为列名；“序号”“备注”列可以保留，导入时忽略。列名也可用“也可写作”中的写法。"),
        _("同一文件重复导入不会重复登记；修改后再次导入只更新有变化的内容。"),
        _("有问题的行会列出行号和原因，其余行照常导入。"),
    ]
    if kind == "teams":
        notes.append(_("队员身份为“报到党员”的，请先导入双报到名册。"))
    workbook = template_workbook(str(KIND_LABELS[kind]), COLUMNS[kind], notes)
    codes = workbook.create_sheet(_("单位编码"))
    codes.append([_("编码"), _("名称"), _("类型")])
    for unit in Unit.objects.filter(
        kind__in=(Unit.Kind.COMMUNITY, Unit.Kind.STREET, Unit.Kind.DEPARTMENT), active=True
    ):
        codes.append([unit.code, unit.name, unit.get_kind_display()])
    for letter, width in zip("ABC", (16, 22, 10), strict=True):
        codes.column_dimensions[letter].width = width
    workbook.save(target)
