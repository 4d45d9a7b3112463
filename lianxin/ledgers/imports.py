"""Importing a forwarded problem list (转办清单) from an .xlsx ledger.

The district's social-governance centre forwards problem lists to streets as
spreadsheets (DOMAIN.md §1). Each row becomes a case registered through
`do_register_case` with channel `forwarded`, so it gets a tracking number,
deadlines and an event like any other case.

1. The file must be an .xlsx workbook by its content (a zip holding a workbook), not by
   its name; an old .xls gets its own message.
2. The header row (one of the first rows, so that a title row above it is fine) must
   hold the required columns and no column we do not know.
(Steps 1 and 2, and the chunks, are `lianxin.sheets`, shared with the registers.)
3. Each row is checked on its own; a bad row is reported with its row number and the
   reason in Chinese, and the good rows are registered, a chunk of rows per transaction.
4. Each row carries an idempotency key, from its source number (来源编号) or, when it
   has none, from its content: importing the same file again creates nothing new, and
   the report says which rows were there already.
"""

import datetime as dt
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from lianxin import sheets
from lianxin.cases.actions import do_register_case
from lianxin.cases.actions.intake import PHONE_RE
from lianxin.cases.models import Case, Category, Channel
from lianxin.cases.rules import WorkflowError
from lianxin.orgs.models import Unit
from lianxin.sheets import (
    Columns,
    ImportColumn,
    ImportRefused,
    Sheet,
    open_sheet,
    template_workbook,
)
from lianxin.sheets import cell_text as _text

__all__ = ["CHUNK_ROWS", "ImportColumn", "ImportRefused", "chunked", "open_sheet"]

MAX_ROWS = 20000
# A chunk takes about a second. Read when chunking, so that a test may make it small.
CHUNK_ROWS = sheets.CHUNK_ROWS
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

COLUMNS = [
    ImportColumn(
        "来源编号",
        "source_id",
        False,
        gettext_lazy(
            "转办清单上的编号，如 ZB-2026-0057。同一编号只导入一次；留空则按整行内容判断是否重复。"
        ),
        16,
    ),
    ImportColumn("标题", "title", True, gettext_lazy("必填，不超过100字。"), 30),
    ImportColumn("诉求内容", "text", True, gettext_lazy("必填，至少5个字。"), 50),
    ImportColumn("地址", "address", True, gettext_lazy("必填。"), 30),
    ImportColumn(
        "所属网格", "grid", False, gettext_lazy("网格编码或名称；名称重复时请填编码。"), 16
    ),
    ImportColumn("问题分类", "category", False, gettext_lazy("分类编码或名称。"), 14),
    ImportColumn("联系人", "resident_name", False, gettext_lazy("群众姓名，可留空。"), 10),
    ImportColumn(
        "联系电话", "resident_phone", False, gettext_lazy("11位手机号或带区号的固话，可留空。"), 16
    ),
    ImportColumn(
        "登记时间",
        "registered_at",
        False,
        gettext_lazy("日期或日期时间，如 2026-03-02 09:30；留空为导入时间。"),
        18,
    ),
]
# Columns a list may carry that the import ignores: 序号, 备注.
LIST_COLUMNS = Columns(COLUMNS, anchor="title")
HEADER_OF = LIST_COLUMNS.header_of
DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y年%m月%d日",
)


def expected_columns_text() -> str:
    return LIST_COLUMNS.expected_text()


@dataclass
class RowResult:
    """What became of one data row: `outcome` is one of OUTCOMES."""

    row: int
    outcome: str
    message: str = ""
    case: Case | None = None
    title: str = ""


CREATED, DUPLICATE, ERROR = "created", "duplicate", "error"
OUTCOMES = (CREATED, DUPLICATE, ERROR)


@dataclass
class ImportReport:
    created: list[RowResult] = field(default_factory=list)
    duplicates: list[RowResult] = field(default_factory=list)
    errors: list[RowResult] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.created) + len(self.duplicates) + len(self.errors)

    def add(self, result: RowResult) -> None:
        {CREATED: self.created, DUPLICATE: self.duplicates, ERROR: self.errors}[
            result.outcome
        ].append(result)


class Lookups:
    """Grids and categories by code and by name, read once per import."""

    def __init__(self):
        # With its community: registering a case reads grid.parent, once per row otherwise.
        self.grids = self._index(
            Unit.objects.filter(kind=Unit.Kind.GRID, active=True).select_related("parent")
        )
        self.categories = self._index(Category.objects.filter(active=True))

    @staticmethod
    def _index(objects):
        by_code, by_name = {}, defaultdict(list)
        for obj in objects:
            by_code[obj.code.lower()] = obj
            by_name[obj.name].append(obj)
        return by_code, by_name

    def find(self, index, value: str, what: str):
        by_code, by_name = index
        found = by_code.get(value.lower())
        if found is not None:
            return found
        named = by_name.get(value, [])
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            raise ValueError(
                _("%(what)s名称“%(value)s”对应多个%(what)s，请填写编码。")
                % {"what": what, "value": value}
            )
        raise ValueError(_("未找到%(what)s“%(value)s”。") % {"what": what, "value": value})


def _moment(value, now: dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    else:
        text, zone = _text(value), timezone.get_current_timezone()
        for pattern in DATETIME_FORMATS:
            try:
                # The sheet's times are the platform's local time.
                moment = dt.datetime.strptime(text, pattern).replace(tzinfo=zone)
                break
            except ValueError:
                continue
        else:
            raise ValueError(
                _("登记时间“%(value)s”无法识别，请写成 2026-03-02 09:30 的形式。") % {"value": text}
            )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)  # the sheet's times are the platform's local time
    if moment > now:
        raise ValueError(_("登记时间晚于当前时间。"))
    if moment < EARLIEST:
        raise ValueError(_("登记时间早于2000年，请检查。"))
    return moment


def row_key(values: dict) -> str:
    """The idempotency key of a row: its source number, or a digest of its content."""
    if values["source_id"]:
        basis = "source:" + values["source_id"]
    else:
        basis = "row:" + "\x1f".join(
            values[key] for key in ("title", "text", "address", "resident_phone", "when_text")
        )
    return "ledger:" + hashlib.sha256(basis.encode()).hexdigest()


class ListSheet(Sheet):
    """An opened forwarded list whose header row is checked."""

    def __init__(self, upload):
        super().__init__(upload, LIST_COLUMNS)


def inspect_list(upload) -> int:
    """Check a list before it is imported: a spreadsheet, the right columns, some rows and
    not too many. Return the number of data rows; raise ImportRefused otherwise."""
    sheet = ListSheet(upload)
    total = sum(1 for _row in sheet.data_rows())
    sheet.close()
    upload.seek(0)
    if total == 0:
        raise ImportRefused(_("表头（第%(row)d行）下面没有数据。") % {"row": sheet.header_row})
    if total > MAX_ROWS:
        raise ImportRefused(
            _("表格有%(total)d行数据，超过单次导入上限%(max)d行，请分成几个文件导入。")
            % {"total": total, "max": MAX_ROWS}
        )
    return total


def chunked(rows: Iterable, size: int | None = None):
    return sheets.chunked(rows, size or CHUNK_ROWS)


@dataclass
class Checked:
    """A row that passed the checks, ready to register."""

    row: int
    values: dict
    grid: Unit | None
    category: Category | None
    when: dt.datetime | None
    key: str


# The longest text each case field takes (a longer one is the row's fault, not a crash).
LIMITS = {
    "title": Case._meta.get_field("title").max_length,
    "address": Case._meta.get_field("address").max_length,
    "resident_name": Case._meta.get_field("resident_name").max_length,
}


class Importer:
    """Checks rows and registers the good ones through `do_register_case`, a chunk at a time.

    Per file, not per row: grids and categories are read once (`Lookups`), and the rows of
    a chunk are looked up by idempotency key in one query. Each row is still registered by
    the workflow action, with its own event; `import_chunk` is meant to run inside one
    transaction per chunk, so the rows of a chunk commit together (one commit, not one per
    row) and a failure loses at most the chunk it happened in.
    """

    def __init__(self, *, actor, now: dt.datetime):
        self.actor, self.now = actor, now
        self.lookups = Lookups()
        self.first_row_of_key: dict[str, int] = {}

    def check(self, number: int, raw: dict) -> Checked | RowResult:
        """The row ready to register, or an error naming all of its problems."""
        values = {column.key: _text(raw.get(column.key)) for column in COLUMNS}
        problems: list[str] = []
        found: dict[str, Any] = {}
        for key, index, what in (
            ("grid", self.lookups.grids, _("网格")),
            ("category", self.lookups.categories, _("分类")),
        ):
            found[key] = None
            if values[key]:
                try:
                    found[key] = self.lookups.find(index, values[key], what)
                except ValueError as error:
                    problems.append(str(error))
        when = None
        if raw.get("registered_at") not in (None, ""):
            try:
                when = _moment(raw["registered_at"], self.now)
            except ValueError as error:
                problems.append(str(error))
        for column in COLUMNS:
            if column.required and not values[column.key]:
                problems.append(_("缺少%(name)s。") % {"name": column.header})
        # The workflow checks these too; checked here as well so that a row's report names
        # all of its problems at once, and so that a text too long for its column is the
        # row's error rather than a database error that stops the import.
        values["resident_phone"] = re.sub(r"\s", "", values["resident_phone"])
        if values["resident_phone"] and not PHONE_RE.match(values["resident_phone"]):
            problems.append(_("联系电话格式不正确，请填写11位手机号或带区号的固话。"))
        for key, limit in LIMITS.items():
            if limit is not None and len(values[key]) > limit:
                problems.append(
                    _("%(name)s不能超过%(n)d个字。") % {"name": HEADER_OF[key], "n": limit}
                )
        if problems:
            return RowResult(number, ERROR, "".join(problems), title=values["title"])
        values["when_text"] = when.isoformat() if when else ""
        return Checked(number, values, found["grid"], found["category"], when, row_key(values))

    def remember(self, rows: Iterable[tuple[int, dict]]) -> None:
        """Rows imported by an earlier run of the same job: only their keys are kept, so
        that a repeat of one of them further down is reported as a repeat."""
        for number, raw in rows:
            checked = self.check(number, raw)
            if isinstance(checked, Checked):
                self.first_row_of_key.setdefault(checked.key, number)

    def import_chunk(self, rows: list[tuple[int, dict]]) -> list[RowResult]:
        """Check and register a chunk of rows; return each row's result, in row order."""
        results: list[RowResult] = []
        fresh: list[Checked] = []
        for number, raw in rows:
            checked = self.check(number, raw)
            if isinstance(checked, RowResult):
                results.append(checked)
            elif checked.key in self.first_row_of_key:
                first = self.first_row_of_key[checked.key]
                message = _("与第%(row)d行重复。") % {"row": first}
                results.append(RowResult(number, DUPLICATE, message, title=checked.values["title"]))
            else:
                self.first_row_of_key[checked.key] = number
                fresh.append(checked)
        # One query for the chunk, so that the report can name the earlier case.
        existing = {
            case.idempotency_key: case
            for case in Case.objects.filter(
                idempotency_key__in=[checked.key for checked in fresh]
            ).only("pk", "tracking_number", "idempotency_key")
        }
        for checked in fresh:
            results.append(self._register(checked, existing.get(checked.key)))
        results.sort(key=lambda result: result.row)
        return results

    def _register(self, checked: Checked, existing: Case | None) -> RowResult:
        values = checked.values
        if existing is not None:
            message = _("已于此前导入（受理编号 %(number)s）。") % {
                "number": existing.tracking_number
            }
            return RowResult(checked.row, DUPLICATE, message, existing, values["title"])
        try:
            case = do_register_case(
                actor=self.actor,
                channel=Channel.FORWARDED,
                title=values["title"],
                text=values["text"],
                address=values["address"],
                grid=checked.grid,
                category=checked.category,
                resident_name=values["resident_name"],
                resident_phone=values["resident_phone"],
                idempotency_key=checked.key,
                when=checked.when or self.now,
            )
        except WorkflowError as error:
            return RowResult(checked.row, ERROR, str(error.message), title=values["title"])
        return RowResult(checked.row, CREATED, "", case, values["title"])


def import_cases(upload, *, actor, now: dt.datetime | None = None) -> ImportReport:
    """Register the rows of a forwarded list as cases, here and now; report each row's fate.

    The page runs imports as jobs (`lianxin.ledgers.import_jobs`), which do the same chunk
    by chunk and keep the report; this is the plain form, for the shell and the benchmark.
    """
    inspect_list(upload)
    sheet = ListSheet(upload)
    importer = Importer(actor=actor, now=now or timezone.now())
    report = ImportReport()
    for chunk in chunked(sheet.data_rows()):
        with transaction.atomic():
            for result in importer.import_chunk(chunk):
                report.add(result)
    sheet.close()
    return report


def write_template(target) -> None:
    """The import template: the list sheet with its headers, how to fill it in, and the
    grid and category codes in use."""
    workbook = template_workbook(
        _("诉求清单"),
        LIST_COLUMNS,
        [
            _("“序号”“备注”列可以保留，导入时忽略；其他列名请勿改动。"),
            _("每行一件诉求；同一文件重复导入不会重复登记。"),
        ],
    )
    sheet = workbook.worksheets[0]
    when = get_column_letter(len(COLUMNS))
    for row in range(2, 502):  # typed dates show as dates in the first 500 rows
        sheet[f"{when}{row}"].number_format = "yyyy-mm-dd hh:mm"

    codes = workbook.create_sheet(_("网格与分类编码"))
    codes.append(
        [_("网格编码"), _("网格名称"), _("社区"), _("街道"), "", _("分类编码"), _("分类名称")]
    )
    grids = Unit.objects.filter(kind=Unit.Kind.GRID, active=True).select_related(
        "parent", "parent__parent"
    )
    categories = Category.objects.filter(active=True).select_related("parent")
    grid_rows = [
        [g.code, g.name, g.parent.name if g.parent else "", _grandparent(g)] for g in grids
    ]
    category_rows = [[c.code, str(c)] for c in categories]
    for index in range(max(len(grid_rows), len(category_rows))):
        left = grid_rows[index] if index < len(grid_rows) else ["", "", "", ""]
        right = category_rows[index] if index < len(category_rows) else ["", ""]
        codes.append([*left, "", *right])
    for letter, width in zip("ABCDEFG", (16, 18, 14, 14, 3, 18, 24), strict=True):
        codes.column_dimensions[letter].width = width
    for cell in codes[1]:
        cell.font = Font(bold=True)
    workbook.save(target)


def _grandparent(unit) -> str:
    parent = unit.parent
    return parent.parent.name if parent is not None and parent.parent is not None else ""
