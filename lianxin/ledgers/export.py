"""Ledgers (台账): a list of columns over rows, written to .xlsx or CSV without holding
every row in memory.

A `Ledger` knows its columns (a Chinese header, how to get the value from a row, the
value's type, the column width) and an iterable of rows, usually a queryset walked with
`.iterator(chunk_size=…)`. The writers never build the whole sheet: the CSV writer yields
one line at a time, the .xlsx writer uses openpyxl's write-only mode into a file.

Text cells lose the characters XML 1.0 cannot carry (a row stored before intake cleaned
text may hold Word's vertical tab, which openpyxl refuses), and are guarded against
formula injection: a text cell that starts with = + - @ (or a tab or carriage return) is
prefixed with an apostrophe, so that Excel shows it as text instead of running it (OWASP
"CSV injection").
"""

import csv
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from lianxin.text import xml_safe

TEXT, DATE, DATETIME, NUMBER, PERCENT = "text", "date", "datetime", "number", "percent"
TYPES = (TEXT, DATE, DATETIME, NUMBER, PERCENT)
DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")
CHUNK_SIZE = 2000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"

NUMBER_FORMATS = {DATE: "yyyy-mm-dd", DATETIME: "yyyy-mm-dd hh:mm", PERCENT: "0.0%"}


@dataclass(frozen=True)
class Column:
    header: Any  # a (lazy) translated string
    value: Callable[[Any], Any]
    type: str = TEXT
    width: int = 14

    def __post_init__(self):
        if self.type not in TYPES:
            raise ValueError(f"unknown column type {self.type!r}")


@dataclass
class Ledger:
    """One sheet: a title (also the file's name), columns and rows.

    `count` is the number of rows when it is known in advance (for progress);
    `on_row` is called with the running row count after each row is written.
    """

    title: str
    columns: list[Column]
    rows: Iterable[Any]
    count: int | None = None
    on_row: Callable[[int], None] | None = field(default=None, repr=False)

    def headers(self) -> list[str]:
        return [str(column.header) for column in self.columns]

    def values(self) -> Iterator[list[Any]]:
        """Each row as a list of typed cell values (None for an empty cell)."""
        zone = timezone.get_current_timezone()  # once, not per cell: it is a context lookup
        for n, row in enumerate(self.rows, start=1):
            yield [typed(column, column.value(row), zone) for column in self.columns]
            if self.on_row is not None:
                self.on_row(n)


def guard(text: str) -> str:
    """Defuse a cell a spreadsheet would read as a formula."""
    return "'" + text if text.startswith(DANGEROUS_FIRST) else text


def typed(column: Column, value: Any, zone: dt.tzinfo | None = None) -> Any:
    """The cell value for the column's type; text is guarded, datetimes become local."""
    if value is None or value == "":
        return None
    if column.type in (DATETIME, DATE) and isinstance(value, dt.datetime):
        # Excel has no time zones: the sheet shows the platform's local time.
        local = value.astimezone(zone or timezone.get_current_timezone()).replace(tzinfo=None)
        return local if column.type == DATETIME else local.date()
    if column.type in (DATETIME, DATE):
        return value
    if column.type in (NUMBER, PERCENT):
        return float(value) if isinstance(value, Decimal) else value
    # A row stored before intake cleaned text may hold what XML, so .xlsx, cannot carry.
    return guard(xml_safe(str(value)))


def csv_text(column: Column, value: Any) -> str:
    if value is None:
        return ""
    if column.type == DATETIME and isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if column.type in (DATE, DATETIME) and isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if column.type == PERCENT:
        return f"{value * 100:.1f}%"
    return str(value)


class _Line:
    """A file-like object whose write() hands back what csv.writer wrote."""

    def write(self, value: str) -> str:
        return value


def csv_lines(ledger: Ledger) -> Iterator[bytes]:
    """The ledger as UTF-8 CSV, one encoded line at a time. The byte-order mark makes
    Excel read the Chinese as UTF-8 rather than the system's code page."""
    writer = csv.writer(_Line())
    yield "\ufeff".encode() + writer.writerow(ledger.headers()).encode()
    for values in ledger.values():
        cells = [
            csv_text(column, value) for column, value in zip(ledger.columns, values, strict=True)
        ]
        yield writer.writerow(cells).encode()


HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="EEF2F6")


def write_xlsx(ledger: Ledger, target) -> int:
    """Write the ledger as .xlsx to `target` (a path or a binary file); return the row count.

    openpyxl's write-only mode streams rows into the worksheet's own temporary file, so
    memory stays flat however many rows there are.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(ledger.title))
    for index, column in enumerate(ledger.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    header = []
    for text in ledger.headers():
        cell = WriteOnlyCell(sheet, value=text)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="center")
        header.append(cell)
    sheet.append(header)
    formats = [NUMBER_FORMATS.get(column.type) for column in ledger.columns]
    count = 0
    for values in ledger.values():
        row = []
        for value, number_format in zip(values, formats, strict=True):
            if number_format is None or value is None:
                row.append(value)
            else:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = number_format
                row.append(cell)
        sheet.append(row)
        count += 1
    workbook.save(target)
    return count


def _sheet_title(title: str) -> str:
    # Excel allows 31 characters and none of []:*?/\ in a sheet's name.
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in str(title))
    return cleaned[:31] or "Sheet1"


def file_name(ledger: Ledger, extension: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"{ledger.title}-{stamp}.{extension}"
