"""Importing the registers from the .xlsx lists offices keep: households (with their
residents), buildings, shops, cadres and pairs.

The reading is `lianxin.sheets` (the file by its content, the header row with its variant
names, blank rows out, chunks); the writing is the registry's save actions, which are
idempotent: a household is found by its normalised address within its community, so the
same file twice changes nothing and a corrected file updates only what changed.

1. The file is refused as a whole only when it cannot be read as a list of this kind (not
   an .xlsx, no header, a column we do not know, no rows, too many rows).
2. Each row is checked on its own: a bad row is reported with its row number and its
   reason in Chinese, and the other rows go in.
3. Rows are saved a chunk per transaction. Households go through `do_save_households`, a
   chunk of `HOUSEHOLD_CHUNK_ROWS` at once (a few queries a chunk); the other kinds go row
   by row through their save action, each in its own savepoint (`lianxin.sheets.CHUNK_ROWS`
   rows a transaction).
4. A list too large for the page is imported by a job (`lianxin.registry.import_jobs`),
   the same chunks with a checkpoint.

Households come in either of the two layouts offices keep: a row per household, its
members in one column (王秀兰（户主，1948，低保）；赵国强（配偶）), or a row per person with
the head's name repeated, the rows of one address making one household. In the second,
"created", "updated" and "unchanged" count households, and "rows" counts every row.
"""

import datetime as dt
import re
from collections import Counter, defaultdict
from contextlib import nullcontext
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import islice
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from lianxin import sheets
from lianxin.cases.rules import WorkflowError
from lianxin.orgs.models import Unit
from lianxin.registry import actions
from lianxin.registry.addresses import address_key
from lianxin.registry.import_columns import (  # noqa: F401  (the page and tests use them)
    COLUMNS,
    KIND_LABELS,
    KINDS,
    MAX_ROWS,
    NO,
    RELATIONS,
    YES,
)
from lianxin.registry.models import Building, Cadre, Household, Resident, Tag
from lianxin.sheets import (
    ImportRefused,
    Sheet,
    cell_text,
    chunked,
    template_workbook,
)

# A row of a one-row-per-person list that went in as a member of the household of an
# earlier row: counted in "rows", not again as a household created or updated.
MEMBER = "member"
MEMBER_KEYS = {"resident_name", "relation", "birth_year", "tags", "id_number"}
# Households saved together by `do_save_households`: a few queries a chunk, whatever its size.
HOUSEHOLD_CHUNK_ROWS = 250


class RowError(ValueError):
    """A row's problem, in Chinese."""


@dataclass
class RowResult:
    row: int
    outcome: str  # created, updated, unchanged or error
    message: str = ""
    label: str = ""


@dataclass
class Report:
    kind: str
    results: list[RowResult] = field(default_factory=list)

    @property
    def counts(self) -> Counter:
        return Counter(result.outcome for result in self.results)

    @property
    def errors(self) -> list[RowResult]:
        return [result for result in self.results if result.outcome == "error"]

    def summary(self) -> dict:
        counts = self.counts
        return {
            "rows": len(self.results),
            "created": counts["created"],
            "updated": counts["updated"],
            "unchanged": counts["unchanged"],
            "errors": counts["error"],
        }


class Units:
    """Communities, grids and employers by code and by name, read once per import."""

    def __init__(self):
        self.by_code, self.by_name = {}, defaultdict(list)
        for unit in Unit.objects.filter(active=True).select_related("parent"):
            self.by_code[unit.code.lower()] = unit
            self.by_name[unit.name].append(unit)

    def find(self, value: str, *, kinds=None, parent=None, what: str) -> Unit:
        found = self.by_code.get(value.lower())
        if found is not None and self._fits(found, kinds, parent):
            return found
        named = [unit for unit in self.by_name.get(value, []) if self._fits(unit, kinds, parent)]
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            raise RowError(
                _("%(what)s名称“%(value)s”对应多个单位，请填写编码。")
                % {"what": what, "value": value}
            )
        raise RowError(_("未找到%(what)s“%(value)s”。") % {"what": what, "value": value})

    @staticmethod
    def _fits(unit: Unit, kinds, parent) -> bool:
        return (kinds is None or unit.kind in kinds) and (
            parent is None or unit.parent_id == parent.pk
        )

    def community(self, value: str) -> Unit:
        if not value:
            raise RowError(_("缺少社区。"))
        return self.find(value, kinds={Unit.Kind.COMMUNITY}, what=_("社区"))

    def grid(self, value: str, community: Unit) -> Unit | None:
        if not value:
            return None
        return self.find(value, kinds={Unit.Kind.GRID}, parent=community, what=_("该社区的网格"))


def _whole(value, name: str, *, minimum: int = 0) -> int | None:
    """A whole number from a cell (3, 3.0, "3"), or None for a blank cell."""
    text = cell_text(value)
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or number != number.to_integral_value() or number < minimum:
        raise RowError(_("%(name)s“%(value)s”不是整数。") % {"name": name, "value": text})
    return int(number)


def _decimal(value, name: str) -> Decimal | None:
    text = cell_text(value)
    if not text:
        return None
    try:
        return Decimal(text).quantize(Decimal("0.000001"))
    except InvalidOperation:
        raise RowError(_("%(name)s“%(value)s”不是数字。") % {"name": name, "value": text}) from None


def _yes(value, name: str, *, default: bool) -> bool:
    text = cell_text(value)
    if not text:
        return default
    if text in YES:
        return True
    if text in NO:
        return False
    raise RowError(_("%(name)s请填写“是”或“否”。") % {"name": name})


_PERSON_SPLIT = re.compile(r"[；;\n]+")
_PERSON = re.compile(r"^(?P<name>[^（(]+)(?:[（(](?P<detail>[^）)]*)[）)])?$")
_DETAIL_SPLIT = re.compile(r"[，,、/\s]+")


def parse_members(text: str) -> list[dict]:
    """王秀兰（户主，1948，低保）；赵国强（配偶） → a list of residents for do_save_household."""
    members = []
    for part in _PERSON_SPLIT.split(text):
        part = part.strip()
        if not part:
            continue
        match = _PERSON.match(part)
        if match is None:
            raise RowError(_("家庭成员“%(part)s”无法识别。") % {"part": part})
        member: dict[str, Any] = {
            "name": match["name"].strip(),
            "relation": "",
            "birth_year": None,
            "tags": [],
        }
        for item in _DETAIL_SPLIT.split(match["detail"] or ""):
            if not item:
                continue
            if item in RELATIONS:
                member["relation"] = RELATIONS[item]
            elif re.fullmatch(r"(19|20)\d\d年?", item):
                member["birth_year"] = int(item[:4])
            else:
                member["tags"].append(item)
        members.append(member)
    return members


@dataclass
class _Prepared:
    """A household's rows, checked: the household to save, or the problem of each row."""

    rows: list[tuple[int, dict]]
    label: str
    household: actions.HouseholdRow | None
    problems: dict[int, str]


class Importer:
    """Checks and saves one kind of row through the registry's save actions: households a
    chunk at a time, the other kinds row by row."""

    def __init__(self, kind: str, *, actor, per_person: bool = False):
        self.kind, self.actor, self.per_person = kind, actor, per_person
        self.units = Units()
        self.tag_names = {tag.name for tag in Tag.objects.all()} | set(
            Tag.objects.values_list("code", flat=True)
        )
        self.buildings: dict[int, dict[str, Building]] = {}

    def save_chunk(self, units: list[list[tuple[int, dict]]]) -> list[RowResult]:
        """Save a chunk of units (see `units_of`) in one transaction; a result per row."""
        with transaction.atomic():
            if self.kind == "households":
                return self.save_households(units)
            return [self.save(number, raw) for ((number, raw),) in units]

    def save(self, number: int, raw: dict) -> RowResult:
        values = {key: cell_text(value) for key, value in raw.items()}
        label = values.get("address") or values.get("name") or values.get("code") or ""
        # Each save action is atomic on its own; a pairs row takes several (the pair, then
        # its households), which must go in or stay out together.
        whole_row = transaction.atomic() if self.kind == "pairs" else nullcontext()
        try:
            with whole_row:
                saved = getattr(self, f"_save_{self.kind}")(values, raw)
        except RowError as error:
            return RowResult(number, "error", str(error), label)
        except WorkflowError as error:
            return RowResult(number, "error", str(error.message), label)
        return RowResult(number, saved, "", label)

    def save_households(self, groups: list[list[tuple[int, dict]]]) -> list[RowResult]:
        """Check a chunk of households and save them at once (`do_save_households`).

        Each group is the rows of one household: a single row, or in a one-row-per-person
        list the rows of one address, whose own columns are taken from the first row that
        fills them, each row adding a member. A household with a bad row is left out whole
        (a member left out would be taken for one who moved away), and each of its rows
        says why.
        """
        prepared = [self._prepare_household(rows) for rows in groups]
        saved = iter(
            actions.do_save_households(
                [p.household for p in prepared if p.household is not None], actor=self.actor
            )
        )
        results = []
        for p in prepared:
            first = p.rows[0][0]
            if p.household is not None:
                done = next(saved)
                if isinstance(done, WorkflowError):
                    p.problems[first] = str(done.message)
                else:
                    results.append(RowResult(first, done.outcome, "", p.label))
                    results += [RowResult(n, MEMBER, "", p.label) for n, _raw in p.rows[1:]]
                    continue
            bad = "、".join(str(n) for n in sorted(p.problems))
            results += [
                RowResult(
                    number,
                    "error",
                    p.problems.get(number)
                    or _("同户第%(rows)s行有误，本户未导入。") % {"rows": bad},
                    p.label,
                )
                for number, _raw in p.rows
            ]
        return results

    def _prepare_household(self, rows: list[tuple[int, dict]]) -> "_Prepared":
        members: list[dict] | None = None
        problems: dict[int, str] = {}
        if not self.per_person:
            merged = rows[0][1]
        else:
            members = []
            for number, raw in rows:
                try:
                    members.append(self._member(raw))
                except RowError as error:
                    problems[number] = str(error)
            merged = {}
            for _number, raw in rows:
                for key, value in raw.items():
                    if key not in MEMBER_KEYS and cell_text(merged.get(key)) == "":
                        merged[key] = value
            if not cell_text(merged.get("head_name")):
                heads = [m["name"] for m in members if m["relation"] == Resident.Relation.HEAD]
                merged["head_name"] = heads[0] if heads else ""
        values = {key: cell_text(value) for key, value in merged.items()}
        prepared = _Prepared(rows, values.get("address", ""), None, problems)
        if not problems:
            try:
                prepared.household = self._household(values, merged, members)
            except RowError as error:
                problems[rows[0][0]] = str(error)
        return prepared

    def _member(self, raw: dict) -> dict:
        name = cell_text(raw.get("resident_name"))
        if not name:
            raise RowError(_("缺少姓名。"))
        relation = RELATIONS.get(cell_text(raw.get("relation")), "")
        if not relation and name == cell_text(raw.get("head_name")):
            relation = Resident.Relation.HEAD
        birth = raw.get("birth_year")
        year = None
        if isinstance(birth, dt.date):
            year = birth.year
        elif cell_text(birth):
            match = re.match(r"^((?:19|20)\d\d)(?:$|[-/.年])", cell_text(birth))
            if match is None:
                raise RowError(
                    _("出生年份“%(value)s”无法识别，请写成1948的形式。")
                    % {"value": cell_text(birth)}
                )
            year = int(match[1])
        tags = [t for t in re.split(r"[、，,;；/\s]+", cell_text(raw.get("tags"))) if t]
        unknown = [tag for tag in tags if tag not in self.tag_names]
        if unknown:
            raise RowError(_("未知的人员标签：%(tags)s。") % {"tags": "、".join(unknown)})
        member = {"name": name, "relation": relation, "birth_year": year, "tags": tags}
        if cell_text(raw.get("id_number")):  # checked, and refused if off, by the action
            member["id_number"] = cell_text(raw.get("id_number"))
        return member

    def _household(self, values: dict, raw: dict, residents=None) -> actions.HouseholdRow:
        """The household a row describes, checked as far as the row alone tells; raise
        RowError naming every problem of the row."""
        problems = []
        community = grid = None
        try:
            community = self.units.community(values["community"])
            grid = self.units.grid(values.get("grid", ""), community)
        except RowError as error:
            problems.append(str(error))
        if not values["address"]:
            problems.append(_("缺少地址。"))
        if not values["head_name"]:
            problems.append(_("缺少户主姓名。"))
        count = None
        try:
            count = _whole(raw.get("member_count"), _("人口"), minimum=1)
        except RowError:
            problems.append(
                _("人口“%(value)s”不是不小于1的整数。") % {"value": values["member_count"]}
            )
        if residents is None and values.get("members"):
            try:
                residents = parse_members(values["members"])
            except RowError as error:
                problems.append(str(error))
            unknown = [
                tag for m in residents or () for tag in m["tags"] if tag not in self.tag_names
            ]
            if unknown:
                problems.append(_("未知的人员标签：%(tags)s。") % {"tags": "、".join(unknown)})
        kind = Household.Kind.URBAN
        if values.get("kind"):
            kinds = {"城镇": Household.Kind.URBAN, "城市": Household.Kind.URBAN}
            kinds |= {"农村": Household.Kind.VILLAGE, "村": Household.Kind.VILLAGE}
            if values["kind"] not in kinds:
                problems.append(_("类型请填写“城镇”或“农村”。"))
            kind = kinds.get(values["kind"], kind)
        building = None
        if community is not None and values.get("building"):
            building = self._buildings(community).get(values["building"])
            if building is None:
                problems.append(
                    _("该社区没有楼栋“%(name)s”，请先导入楼栋。") % {"name": values["building"]}
                )
        if problems or community is None:  # no community is among the problems
            raise RowError("".join(problems))
        if residents is not None:
            names = [m["name"] for m in residents]
            if values["head_name"] not in names:
                residents.insert(0, {"name": values["head_name"], "relation": "head", "tags": []})
            for member in residents:
                if member["name"] == values["head_name"]:
                    member["relation"] = Resident.Relation.HEAD
                member["relation"] = member["relation"] or Resident.Relation.OTHER
        if count is None:
            count = len(residents) if residents else 1
        return actions.HouseholdRow(
            community=community,
            grid=grid,
            building=building,
            address=values["address"],
            head_name=values["head_name"],
            phone=values.get("phone", ""),
            member_count=count,
            kind=kind,
            entrance=values.get("entrance", ""),
            room=values.get("room", ""),
            residents=residents,
        )

    def _buildings(self, community: Unit) -> dict[str, Building]:
        """The community's buildings by name, read once per import (the first of a name)."""
        if community.pk not in self.buildings:
            found: dict[str, Building] = {}
            for building in Building.objects.filter(community=community).order_by("pk"):
                found.setdefault(building.name, building)
            self.buildings[community.pk] = found
        return self.buildings[community.pk]

    def _save_buildings(self, values: dict, raw: dict) -> str:
        community = self.units.community(values["community"])
        kinds = {"": Building.Kind.BUILDING, "楼栋": Building.Kind.BUILDING}
        kinds["村民小组"] = kinds["组"] = Building.Kind.VILLAGE_GROUP
        if values.get("kind", "") not in kinds:
            raise RowError(_("类型请填写“楼栋”或“村民小组”。"))
        return actions.do_save_building(
            actor=self.actor,
            community=community,
            grid=self.units.grid(values.get("grid", ""), community),
            name=values["name"],
            address=values["address"],
            kind=kinds[values.get("kind", "")],
            floors=_whole(raw.get("floors"), _("层数")),
            entrances=_whole(raw.get("entrances"), _("单元数")),
            declared_households=_whole(raw.get("declared_households"), _("户数")),
            latitude=_decimal(raw.get("latitude"), _("纬度")),
            longitude=_decimal(raw.get("longitude"), _("经度")),
        ).outcome

    def _save_shops(self, values: dict, raw: dict) -> str:
        community = self.units.community(values["community"])
        return actions.do_save_shop(
            actor=self.actor,
            community=community,
            grid=self.units.grid(values.get("grid", ""), community),
            name=values["name"],
            address=values["address"],
            operator=values.get("operator", ""),
            phone=values.get("phone", ""),
            trade=values.get("trade", ""),
        ).outcome

    def _save_cadres(self, values: dict, raw: dict) -> str:
        if not values["employer"]:
            raise RowError(_("缺少工作单位。"))
        employer = self.units.find(values["employer"], what=_("工作单位"))
        user = None
        if values.get("username"):
            user = get_user_model().objects.filter(username=values["username"]).first()
            if user is None:
                raise RowError(_("未找到账号“%(name)s”。") % {"name": values["username"]})
        return actions.do_save_cadre(
            actor=self.actor,
            name=values["name"],
            employer=employer,
            phone=values.get("phone", ""),
            party_member=_yes(raw.get("party_member"), _("党员"), default=False),
            local=_yes(raw.get("local"), _("本地人"), default=True),
            experienced=_yes(raw.get("experienced"), _("有群众工作经验"), default=False),
            user=user,
        ).outcome

    def _cadre(self, value: str) -> Cadre:
        found = list(Cadre.objects.filter(phone=value, active=True)[:1]) if value else []
        found = found or list(Cadre.objects.filter(name=value, active=True)[:2])
        if len(found) == 1:
            return found[0]
        if found:
            raise RowError(_("干部“%(name)s”有重名，请填写手机号。") % {"name": value})
        raise RowError(_("未找到干部“%(name)s”，请先导入干部。") % {"name": value})

    def _save_pairs(self, values: dict, raw: dict) -> str:
        community = self.units.community(values["community"])
        if not values["cadre_1"]:
            raise RowError(_("缺少干部一。"))
        cadres = [self._cadre(values["cadre_1"])]
        if values.get("cadre_2"):
            cadres.append(self._cadre(values["cadre_2"]))
        saved = actions.do_save_pair(
            actor=self.actor, code=values["code"], community=community, cadres=cadres
        )
        outcome = saved.outcome
        if values.get("households"):
            for address in filter(
                None, (a.strip() for a in re.split(r"[；;\n]+", values["households"]))
            ):
                household = Household.objects.filter(
                    community=community, address_key=address_key(address)
                ).first()
                if household is None:
                    raise RowError(
                        _("该社区没有地址为“%(address)s”的住户，请先导入住户。")
                        % {"address": address}
                    )
                if household.pair_id != saved.row.pk:
                    actions.do_assign_household_to_pair(household, actor=self.actor, pair=saved.row)
                    outcome = "updated" if outcome == "unchanged" else outcome
        return outcome


def households_by_address(rows: list[tuple[int, dict]]) -> list[list[tuple[int, dict]]]:
    """The rows of a one-row-per-person list grouped by household (community and
    normalised address), in the order of their first rows. A row without an address is a
    household of its own, to be refused."""
    groups: dict = {}
    for number, raw in rows:
        address = address_key(cell_text(raw.get("address")))
        key = (cell_text(raw.get("community")), address) if address else number
        groups.setdefault(key, []).append((number, raw))
    return list(groups.values())


def open_list(kind: str, upload) -> Sheet:
    if kind not in COLUMNS:
        raise ImportRefused(_("未知的导入类型：%(kind)s。") % {"kind": kind})
    return Sheet(upload, COLUMNS[kind])


def read_list(kind: str, upload, *, max_rows: int = MAX_ROWS) -> list[tuple[int, dict]]:
    """The data rows of a list of `kind`, numbered as in the sheet.

    Raises ImportRefused when the file as a whole cannot be read as such a list.
    """
    rows = _first_rows(kind, upload, max_rows + 1)
    if len(rows) > max_rows:
        # Count them all for the message: the user is told how to cut the file.
        sheet = open_list(kind, upload)
        try:
            total = sum(1 for _row in sheet.data_rows())
        finally:
            sheet.close()
        raise ImportRefused(
            _("表格有%(total)d行数据，超过单次导入上限%(max)d行，请分成几个文件导入。")
            % {"total": total, "max": max_rows}
        )
    return rows


def read_short_list(kind: str, upload, *, limit: int) -> list[tuple[int, dict]] | None:
    """The rows of a list of at most `limit` rows, checked as an import checks a list;
    None for a longer list, whose rows only its job reads (200,000 rows take minutes)."""
    rows = _first_rows(kind, upload, limit + 1)
    if len(rows) > limit:
        return None
    units_of(kind, rows)
    return rows


def _first_rows(kind: str, upload, limit: int) -> list[tuple[int, dict]]:
    sheet = open_list(kind, upload)
    try:
        rows = list(islice(sheet.data_rows(), limit))
    finally:
        sheet.close()
    if not rows:
        raise ImportRefused(_("表头（第%(row)d行）下面没有数据。") % {"row": sheet.header_row})
    return rows


def units_of(kind: str, rows: list[tuple[int, dict]]) -> tuple[list[list], bool]:
    """The list's rows as the units saved together: a household's rows in a
    one-row-per-person list, each row on its own otherwise. Also whether the list is one
    row per person. The units are the same for the same file, so a job's checkpoint can
    count them."""
    # The template has both columns: the list is one row per person when it names people.
    per_person = kind == "households" and any(
        cell_text(raw.get("resident_name")) for _n, raw in rows
    )
    if per_person and any(cell_text(raw.get("members")) for _n, raw in rows):
        raise ImportRefused(
            _("“姓名”列（一人一行）与“家庭成员”列（一户一行）不能同时填写，请保留其一。")
        )
    if per_person:
        return households_by_address(rows), True
    return [[row] for row in rows], False


def chunk_size(kind: str) -> int:
    """Households go in a chunk at a time through `do_save_households`; larger chunks mean
    fewer round trips. The others go row by row, a chunk per transaction."""
    return HOUSEHOLD_CHUNK_ROWS if kind == "households" else sheets.CHUNK_ROWS


def import_registers(kind: str, upload, *, actor, max_rows: int = MAX_ROWS) -> Report:
    """Import a list of `kind` (households, buildings, shops, cadres, pairs); report each row.

    Raises ImportRefused when the file as a whole cannot be read as such a list.
    """
    return import_rows(kind, read_list(kind, upload, max_rows=max_rows), actor=actor)


def import_rows(kind: str, rows: list[tuple[int, dict]], *, actor) -> Report:
    """Import the rows `read_list` read, in the request; report each row."""
    units, per_person = units_of(kind, rows)
    importer = Importer(kind, actor=actor, per_person=per_person)
    report = Report(kind)
    for chunk in chunked(units, chunk_size(kind)):
        report.results.extend(importer.save_chunk(chunk))
    return report


def write_template(kind: str, target) -> None:
    """The import template of `kind`: the header row, how to fill it in, and the codes of
    the communities and grids."""
    columns = COLUMNS[kind]
    notes = [
        _("第一行为列名；“序号”列可以保留，导入时忽略。列名也可用“也可写作”中的写法。"),
        _("同一文件重复导入不会重复登记；修改后再次导入只更新有变化的内容。"),
        _("有问题的行会列出行号和原因，其余行照常导入。"),
    ]
    if kind == "households":
        tags = "、".join(Tag.objects.filter(active=True).values_list("name", flat=True))
        notes.append(_("可用的人员标签：%(tags)s。") % {"tags": tags})
    workbook = template_workbook(str(KIND_LABELS[kind]), columns, notes)
    codes = workbook.create_sheet(_("社区与网格编码"))
    codes.append([_("编码"), _("名称"), _("类型"), _("上级")])
    for unit in Unit.objects.filter(
        kind__in=(Unit.Kind.COMMUNITY, Unit.Kind.GRID), active=True
    ).select_related("parent"):
        codes.append([unit.code, unit.name, unit.get_kind_display(), str(unit.parent or "")])
    for letter, width in zip("ABCD", (16, 18, 8, 18), strict=True):
        codes.column_dimensions[letter].width = width
    workbook.save(target)
