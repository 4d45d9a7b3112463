"""Importing the registers from the .xlsx lists offices keep: households (with their
residents), buildings, shops, cadres and pairs.

The reading is `lianxin.sheets` (the file by its content, the header row with its variant
names, blank rows out, chunks); the writing is the registry's save actions, which are
idempotent: a household is found by its normalised address within its community, so the
same file twice changes nothing and a corrected file updates only what changed.

1. The file is refused as a whole only when it cannot be read as a list of this kind (not
   an .xlsx, no header, a column we do not know, no rows, too many rows).
2. Each row is checked and saved on its own (a savepoint per row): a bad row is reported
   with its row number and its reason in Chinese, and the other rows go in.
3. Rows are saved a chunk per transaction (`lianxin.sheets.CHUNK_ROWS`).
"""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lianxin.cases.rules import WorkflowError
from lianxin.orgs.models import Unit
from lianxin.registry import actions
from lianxin.registry.addresses import address_key
from lianxin.registry.models import Building, Cadre, Household, Resident, Tag
from lianxin.sheets import (
    Columns,
    ImportColumn,
    ImportRefused,
    Sheet,
    cell_text,
    chunked,
    template_workbook,
)

MAX_ROWS = 50000
KINDS = ("households", "buildings", "shops", "cadres", "pairs")
KIND_LABELS = {
    "households": gettext_lazy("住户"),
    "buildings": gettext_lazy("楼栋"),
    "shops": gettext_lazy("商铺"),
    "cadres": gettext_lazy("联户干部"),
    "pairs": gettext_lazy("联户组"),
}
PHONE_VARIANTS = ("联系电话", "手机号码", "手机号", "手机", "联系方式")
COMMUNITY = ImportColumn(
    "社区",
    "community",
    True,
    gettext_lazy("社区或村的编码或名称，必填。"),
    14,
    ("社区/村", "所属社区", "村/社区", "村", "村居"),
)
GRID = ImportColumn(
    "网格",
    "grid",
    False,
    gettext_lazy("网格编码或名称，须属于该社区；可留空。"),
    12,
    ("所属网格", "网格名称"),
)

COLUMNS = {
    "households": Columns(
        [
            COMMUNITY,
            GRID,
            ImportColumn(
                "地址",
                "address",
                True,
                gettext_lazy("必填，如 福临苑3号楼2单元301室；同一社区内地址相同即为同一户。"),
                30,
                ("住址", "家庭住址", "详细地址", "门牌地址"),
            ),
            ImportColumn(
                "楼栋",
                "building",
                False,
                gettext_lazy("楼栋或村民小组名称（须已导入），可留空。"),
                12,
                ("楼号", "楼栋名称", "村民小组"),
            ),
            ImportColumn("单元", "entrance", False, gettext_lazy("单元或组，可留空。"), 8, ("组",)),
            ImportColumn(
                "门牌号",
                "room",
                False,
                gettext_lazy("室号或门牌号，可留空。"),
                10,
                ("房号", "室", "户号", "室号"),
            ),
            ImportColumn("户主", "head_name", True, gettext_lazy("必填。"), 10, ("户主姓名",)),
            ImportColumn(
                "电话",
                "phone",
                False,
                gettext_lazy("11位手机号或带区号的固话，可留空。"),
                14,
                PHONE_VARIANTS,
            ),
            ImportColumn(
                "人口",
                "member_count",
                False,
                gettext_lazy("整数；留空则按家庭成员人数计。"),
                8,
                ("人数", "家庭人口", "人口数"),
            ),
            ImportColumn(
                "类型", "kind", False, gettext_lazy("城镇或农村；留空为城镇。"), 8, ("户类型",)
            ),
            ImportColumn(
                "家庭成员",
                "members",
                False,
                gettext_lazy(
                    "每人写作 姓名（关系，出生年份，标签），多人用分号隔开，如 "
                    "王秀兰（户主，1948，低保）；赵国强（配偶，1946，老军人）。"
                    "填写后按此名单更新成员；留空则不改动成员。"
                ),
                50,
                ("成员", "家庭成员情况"),
            ),
        ],
        ignored=("序号",),
        anchor="head_name",
    ),
    "buildings": Columns(
        [
            COMMUNITY,
            GRID,
            ImportColumn(
                "名称",
                "name",
                True,
                gettext_lazy("楼栋或村民小组名称，必填。"),
                16,
                ("楼栋名称", "楼栋", "楼号"),
            ),
            ImportColumn(
                "地址",
                "address",
                True,
                gettext_lazy("必填；同一社区内地址相同即为同一楼栋。"),
                30,
                ("楼栋地址", "详细地址"),
            ),
            ImportColumn("类型", "kind", False, gettext_lazy("楼栋或村民小组；留空为楼栋。"), 10),
            ImportColumn("层数", "floors", False, gettext_lazy("整数，可留空。"), 8, ("楼层数",)),
            ImportColumn(
                "单元数", "entrances", False, gettext_lazy("整数，可留空。"), 8, ("单元",)
            ),
            ImportColumn(
                "户数",
                "declared_households",
                False,
                gettext_lazy("整数，可留空。"),
                8,
                ("登记户数", "住户数"),
            ),
            ImportColumn("纬度", "latitude", False, gettext_lazy("WGS-84，可留空。"), 10),
            ImportColumn("经度", "longitude", False, gettext_lazy("WGS-84，可留空。"), 10),
        ],
        anchor="name",
    ),
    "shops": Columns(
        [
            COMMUNITY,
            GRID,
            ImportColumn(
                "店名", "name", True, gettext_lazy("必填。"), 20, ("商铺名称", "名称", "店铺名称")
            ),
            ImportColumn(
                "地址", "address", True, gettext_lazy("必填。"), 30, ("经营地址", "详细地址")
            ),
            ImportColumn(
                "经营者",
                "operator",
                False,
                gettext_lazy("可留空。"),
                10,
                ("负责人", "经营者姓名", "店主"),
            ),
            ImportColumn("电话", "phone", False, gettext_lazy("可留空。"), 14, PHONE_VARIANTS),
            ImportColumn(
                "行业", "trade", False, gettext_lazy("可留空。"), 12, ("经营类别", "经营范围")
            ),
        ],
        anchor="name",
    ),
    "cadres": Columns(
        [
            ImportColumn("姓名", "name", True, gettext_lazy("必填。"), 10, ("干部姓名",)),
            ImportColumn(
                "工作单位",
                "employer",
                True,
                gettext_lazy("单位编码或名称，必填。"),
                20,
                ("单位", "所在单位"),
            ),
            ImportColumn(
                "手机号",
                "phone",
                False,
                gettext_lazy("有手机号的按手机号识别同一人；否则按单位内姓名。"),
                14,
                ("电话", *PHONE_VARIANTS),
            ),
            ImportColumn("党员", "party_member", False, gettext_lazy("是或否。"), 8, ("是否党员",)),
            ImportColumn(
                "本地人", "local", False, gettext_lazy("是或否；留空为是。"), 8, ("是否本地",)
            ),
            ImportColumn(
                "有群众工作经验",
                "experienced",
                False,
                gettext_lazy("是或否。"),
                10,
                ("有经验", "群众工作经验"),
            ),
            ImportColumn(
                "账号", "username", False, gettext_lazy("平台登录账号，可留空。"), 12, ("用户名",)
            ),
        ],
        anchor="name",
    ),
    "pairs": Columns(
        [
            ImportColumn(
                "编号", "code", True, gettext_lazy("联户组编号，必填。"), 12, ("联户组编号", "组号")
            ),
            COMMUNITY,
            ImportColumn(
                "干部一",
                "cadre_1",
                True,
                gettext_lazy("干部手机号或姓名（须已导入）。"),
                12,
                ("干部1", "第一名干部", "联户干部1"),
            ),
            ImportColumn(
                "干部二",
                "cadre_2",
                False,
                gettext_lazy("干部手机号或姓名；暂缺可留空。"),
                12,
                ("干部2", "第二名干部", "联户干部2"),
            ),
            ImportColumn(
                "联系住户",
                "households",
                False,
                gettext_lazy("该组负责的住户地址，用分号隔开（须已导入）；留空则不改动。"),
                50,
                ("住户", "包联住户", "联户住户"),
            ),
        ],
        anchor="code",
    ),
}

RELATIONS = {label: value for value, label in Resident.Relation.choices} | {
    "本人": Resident.Relation.HEAD,
    "妻子": Resident.Relation.SPOUSE,
    "丈夫": Resident.Relation.SPOUSE,
    "夫妻": Resident.Relation.SPOUSE,
    "子": Resident.Relation.CHILD,
    "女": Resident.Relation.CHILD,
    "儿子": Resident.Relation.CHILD,
    "女儿": Resident.Relation.CHILD,
    "父亲": Resident.Relation.PARENT,
    "母亲": Resident.Relation.PARENT,
    "孙子": Resident.Relation.GRANDCHILD,
    "孙女": Resident.Relation.GRANDCHILD,
}
YES = {"是", "Y", "y", "yes", "1", "√", "党员"}
NO = {"否", "N", "n", "no", "0", "", "×"}


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
        member = {"name": match["name"].strip(), "relation": "", "birth_year": None, "tags": []}
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


class Importer:
    """Checks and saves one kind of row through the registry's save actions."""

    def __init__(self, kind: str, *, actor):
        self.kind, self.actor = kind, actor
        self.units = Units()
        self.tag_names = {tag.name for tag in Tag.objects.all()} | set(
            Tag.objects.values_list("code", flat=True)
        )

    def save(self, number: int, raw: dict) -> RowResult:
        values = {key: cell_text(value) for key, value in raw.items()}
        label = values.get("address") or values.get("name") or values.get("code") or ""
        try:
            with transaction.atomic():
                saved = getattr(self, f"_save_{self.kind}")(values, raw)
        except RowError as error:
            return RowResult(number, "error", str(error), label)
        except WorkflowError as error:
            return RowResult(number, "error", str(error.message), label)
        return RowResult(number, saved, "", label)

    def _save_households(self, values: dict, raw: dict) -> str:
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
        residents = None
        if values.get("members"):
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
            building = Building.objects.filter(community=community, name=values["building"]).first()
            if building is None:
                problems.append(
                    _("该社区没有楼栋“%(name)s”，请先导入楼栋。") % {"name": values["building"]}
                )
        if problems:
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
        return actions.do_save_household(
            actor=self.actor,
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
        ).outcome

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


def open_list(kind: str, upload) -> Sheet:
    if kind not in COLUMNS:
        raise ImportRefused(_("未知的导入类型：%(kind)s。") % {"kind": kind})
    return Sheet(upload, COLUMNS[kind])


def import_registers(kind: str, upload, *, actor, max_rows: int = MAX_ROWS) -> Report:
    """Import a list of `kind` (households, buildings, shops, cadres, pairs); report each row.

    Raises ImportRefused when the file as a whole cannot be read as such a list.
    """
    sheet = open_list(kind, upload)
    try:
        rows = list(sheet.data_rows())
    finally:
        sheet.close()
    if not rows:
        raise ImportRefused(_("表头（第%(row)d行）下面没有数据。") % {"row": sheet.header_row})
    if len(rows) > max_rows:
        raise ImportRefused(
            _("表格有%(total)d行数据，超过单次导入上限%(max)d行，请分成几个文件导入。")
            % {"total": len(rows), "max": max_rows}
        )
    importer = Importer(kind, actor=actor)
    report = Report(kind)
    for chunk in chunked(rows):
        with transaction.atomic():
            for number, raw in chunk:
                report.results.append(importer.save(number, raw))
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
