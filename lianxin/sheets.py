"""Reading the spreadsheets offices keep: the machinery every .xlsx import shares.

It sits low (on Django and openpyxl alone) so that any app can import a list without
importing another app: the forwarded-list import (`lianxin.ledgers.imports`) and the
registers' import (`lianxin.registry.imports`) both stand on it.

1. The file must be an .xlsx workbook by its content (a zip holding a workbook), not by
   its name; an old .xls gets its own message.
2. The header row is one of the first rows (a title row above it is fine); it must hold
   the required columns and no column we do not know. A column may go by several names
   (户主/户主姓名), as offices spell them differently.
3. Data rows come back as {column key: cell value}, blank rows left out, with the row
   number Excel shows, so that a row's error can name it.
4. `chunked` cuts the rows into the chunks an import commits one transaction at a time.
"""

import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from lianxin.text import clean_text

MAX_BYTES = 10 * 1024 * 1024
HEADER_SEARCH_ROWS = 5
# Rows written per transaction: one commit (a disk flush) per chunk instead of per row,
# and a chunk is what a failure can lose.
CHUNK_ROWS = 100


class ImportRefused(Exception):
    """The whole file is refused; `message` says why in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ImportColumn:
    header: str
    key: str
    required: bool
    help: object  # a lazy translated string
    width: int = 16
    # Other names offices give the column (联系电话 for 电话).
    variants: tuple[str, ...] = ()


class Columns:
    """The columns of one kind of list, found by any of their names."""

    def __init__(
        self,
        columns: Sequence[ImportColumn],
        *,
        ignored: Iterable[str] = ("序号", "备注"),
        anchor: str | None = None,
    ):
        self.columns = list(columns)
        self.ignored = set(ignored)
        self.by_header = {}
        for column in self.columns:
            for name in (column.header, *column.variants):
                self.by_header[normal_header(name)] = column
        self.header_of = {column.key: column.header for column in self.columns}
        # The header row is the first of the first rows that holds the anchor column.
        self.anchor = anchor or next(c.key for c in self.columns if c.required)

    def __iter__(self):
        return iter(self.columns)

    def expected_text(self) -> str:
        return "、".join(
            f"{column.header}{'' if column.required else _('（可选）')}" for column in self.columns
        )

    def is_header(self, headers: list[str]) -> bool:
        return any(
            self.by_header.get(header) is not None and self.by_header[header].key == self.anchor
            for header in headers
        )

    def positions(self, headers: list[str]) -> dict[str, int]:
        """{column key: position} for a header row, or ImportRefused naming what is wrong."""
        positions: dict[str, int] = {}
        unknown, repeated = [], []
        for position, header in enumerate(headers):
            if not header or header in self.ignored:
                continue
            column = self.by_header.get(header)
            if column is None:
                unknown.append(header)
            elif column.key in positions:
                repeated.append(header)
            else:
                positions[column.key] = position
        missing = [c.header for c in self.columns if c.required and c.key not in positions]
        if missing or unknown or repeated:
            problems = []
            if missing:
                problems.append(_("缺少必填列：%(names)s") % {"names": "、".join(missing)})
            if unknown:
                problems.append(_("无法识别的列：%(names)s") % {"names": "、".join(unknown)})
            if repeated:
                problems.append(_("重复的列：%(names)s") % {"names": "、".join(repeated)})
            raise ImportRefused(
                _("表格的列与导入模板不符（%(problems)s）。应有的列：%(columns)s。")
                % {"problems": "；".join(problems), "columns": self.expected_text()}
            )
        return positions


def normal_header(value) -> str:
    # "所属网格（编码或名称）" and "所属网格(编码或名称)" name the same column.
    text = re.split(r"[（(]", str(value or ""), maxsplit=1)[0]
    return re.sub(r"\s+", "", text)


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone or a number typed as a number
    # Cells pasted from Word carry control characters that no export could write back.
    return clean_text(str(value)).strip()


def open_sheet(upload):
    """The first worksheet of an uploaded .xlsx, or ImportRefused."""
    if upload.size is not None and upload.size > MAX_BYTES:
        raise ImportRefused(_("文件超过10MB，请分批导入。"))
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportRefused(_("这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后再导入。"))
    if not head.startswith(b"PK\x03\x04"):
        raise ImportRefused(_("文件不是 Excel 表格（.xlsx），请使用导入模板填写后上传。"))
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        # A zip that is not a workbook (a .docx renamed, a damaged file).
        raise ImportRefused(_("文件不是 Excel 表格（.xlsx），请使用导入模板填写后上传。")) from None
    if not workbook.worksheets:
        raise ImportRefused(_("表格中没有工作表。"))
    return workbook.worksheets[0]


class Sheet:
    """An opened list whose header row is checked: its data rows, blank rows left out."""

    def __init__(self, upload, columns: Columns):
        sheet = open_sheet(upload)
        self.columns = columns
        self._workbook = sheet.parent
        self._rows = enumerate(sheet.iter_rows(values_only=True), start=1)
        self.header_row, self.positions = self._find_header()

    def _find_header(self) -> tuple[int, dict[str, int]]:
        for number, values in self._rows:
            headers = [normal_header(value) for value in values]
            if self.columns.is_header(headers):
                return number, self.columns.positions(headers)
            if number >= HEADER_SEARCH_ROWS:
                break
        self.close()
        raise ImportRefused(
            _("未找到表头。表格第一行应为列名：%(columns)s。")
            % {"columns": self.columns.expected_text()}
        )

    def close(self) -> None:
        self._workbook.close()  # a read-only workbook keeps the zip open until closed

    def data_rows(self) -> Iterator[tuple[int, dict]]:
        """(row number as Excel shows it, {column key: cell value}) for each non-blank row."""
        positions = self.positions
        for number, cells in self._rows:
            if all(cell is None or cell_text(cell) == "" for cell in cells):
                continue  # blank rows between blocks of a list
            width = len(cells)
            yield number, {key: cells[p] if p < width else None for key, p in positions.items()}


def chunked(rows: Iterable, size: int | None = None) -> Iterator[list]:
    size = size or CHUNK_ROWS
    chunk = []
    for item in rows:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def template_workbook(title: str, columns: Columns, notes: Iterable[str]) -> Workbook:
    """A workbook with the list's header row (required columns in red) and a sheet that
    says how to fill each column in; the caller may add sheets of codes, then save it."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append([column.header for column in columns])
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="B71C1C" if column.required else None)
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"

    guide = workbook.create_sheet(_("填写说明"))
    guide.append([_("列名"), _("是否必填"), _("说明"), _("也可写作")])
    for column in columns:
        guide.append(
            [
                column.header,
                _("必填") if column.required else _("可选"),
                str(column.help),
                "、".join(column.variants),
            ]
        )
    guide.append([])
    for note in notes:
        guide.append([str(note)])
    for letter, width in (("A", 14), ("B", 10), ("C", 80), ("D", 24)):
        guide.column_dimensions[letter].width = width
    for cell in guide[1]:
        cell.font = Font(bold=True)
    return workbook
