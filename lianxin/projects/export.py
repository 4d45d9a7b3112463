"""The 办实事台账 as offices print it: a title row, then 序号, 类别, 项目名称, 牵头单位,
配合单位, 责任领导, 时间节点, 完成标准/目标, 进展情况, 状态; landscape, wrapped, with
the header repeated on every printed page.

A plan has tens of projects, not thousands: the sheet is built in memory in one go.
"""

import datetime as dt
from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from lianxin.projects.ledger import Row, milestones_text
from lianxin.projects.models import Plan
from lianxin.text import xml_safe
from lianxin.workdays.days import local_date

WIDTHS = (6, 12, 26, 16, 20, 10, 30, 24, 40, 8)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# As the ledgers' exports do (lianxin/ledgers/export.py, a floor above this one): a cell
# a spreadsheet would read as a formula is shown as text.
FORMULA_FIRST = ("=", "+", "-", "@", "\t", "\r")


def headers() -> list[str]:
    return [
        _("序号"),
        _("类别"),
        _("项目名称"),
        _("牵头单位"),
        _("配合单位"),
        _("责任领导"),
        _("时间节点"),
        _("完成标准/目标"),
        _("进展情况"),
        _("状态"),
    ]


def progress_text(row: Row) -> str:
    if row.latest is None:
        return _("尚未报送进度")
    text = _("%(date)s报送：完成%(percent)d%%。%(text)s") % {
        "date": f"{local_date(row.latest.reported_at):%Y-%m-%d}",
        "percent": row.latest.percent,
        "text": row.latest.text,
    }
    if row.overdue:
        text += "\n" + _("（有逾期事项%(n)d项）") % {"n": len(row.lapses)}
    return text


def _cell(value: str) -> str:
    value = xml_safe(value)
    return "'" + value if value.startswith(FORMULA_FIRST) else value


def ledger_xlsx(plan: Plan, found: list[Row], today: dt.date) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("办实事台账")
    title = _("%(plan)s台账") % {"plan": plan.title}
    sheet.append([_cell(title)])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(WIDTHS))
    sheet["A1"].font = Font(bold=True, size=16)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 30
    sheet.append([_("截至%(date)s") % {"date": f"{today:%Y-%m-%d}"}])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(WIDTHS))
    sheet["A2"].alignment = Alignment(horizontal="right")
    sheet.append(headers())
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    for index, row in enumerate(found, start=1):
        project = row.project
        sheet.append(
            [
                index,
                _cell(project.category),
                _cell(project.name),
                _cell(project.lead_unit.name),
                _cell("、".join(unit.name for unit in row.co_units)),
                _cell(project.leader_display),
                _cell(milestones_text(project)),
                _cell(project.target_display),
                _cell(progress_text(row)),
                _cell(str(row.state.label)),
            ]
        )
        for cell in sheet[sheet.max_row]:
            cell.alignment = wrap
            cell.border = border
    for column, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[chr(64 + column)].width = width
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.freeze_panes = "A4"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
