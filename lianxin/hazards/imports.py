"""Importing the places to inspect from the .xlsx lists offices keep (检查对象清单).

Built on `lianxin.sheets` like the other imports: the header row found among the first
rows (a title row above it is fine), header variants (联系电话/电话/手机号), a row-level
error in Chinese with the row number Excel shows, and idempotence: a place is the same
place when its name and community are (`do_save_place`), so importing the same list
again changes nothing, and a corrected list updates what changed.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lianxin.accounts.models import Actor
from lianxin.errors import WorkflowError
from lianxin.hazards.actions import do_save_place
from lianxin.hazards.models import PlaceKind
from lianxin.orgs.models import Unit
from lianxin.sheets import Columns, ImportColumn, ImportRefused, Sheet, cell_text, chunked

COLUMNS = Columns(
    [
        ImportColumn(
            "单位名称",
            "name",
            True,
            gettext_lazy("企业、学校、餐饮单位、村庄或小区的名称"),
            24,
            ("名称", "检查对象", "单位"),
        ),
        ImportColumn(
            "类型",
            "kind",
            True,
            gettext_lazy("企业、学校、餐饮单位、村庄、物业小区"),
            10,
            ("对象类型", "单位类型"),
        ),
        ImportColumn(
            "所属社区",
            "community",
            True,
            gettext_lazy("社区或村的名称或编码"),
            14,
            ("社区", "所属社区/村", "社区/村", "所属村居"),
        ),
        ImportColumn(
            "所属网格",
            "grid",
            False,
            gettext_lazy("网格的名称或编码，须属于所填社区"),
            16,
            ("网格",),
        ),
        ImportColumn(
            "责任单位",
            "responsible",
            True,
            gettext_lazy("负责监管或整改督办的部门、街道或社区，名称或编码"),
            18,
            ("监管单位", "主管部门"),
        ),
        ImportColumn(
            "地址", "address", False, gettext_lazy("详细地址"), 24, ("详细地址", "单位地址")
        ),
        ImportColumn(
            "联系人",
            "contact_name",
            False,
            gettext_lazy("负责人或安全管理员"),
            10,
            ("负责人", "安全负责人"),
        ),
        ImportColumn(
            "联系电话",
            "contact_phone",
            False,
            gettext_lazy("手机或带区号的固话"),
            14,
            ("电话", "手机号", "联系方式"),
        ),
        ImportColumn("纬度", "latitude", False, gettext_lazy("WGS-84，如36.150000"), 10),
        ImportColumn("经度", "longitude", False, gettext_lazy("WGS-84，如120.400000"), 10),
    ]
)
KIND_WORDS = {
    "企业": PlaceKind.ENTERPRISE,
    "生产经营单位": PlaceKind.ENTERPRISE,
    "学校": PlaceKind.SCHOOL,
    "幼儿园": PlaceKind.SCHOOL,
    "餐饮单位": PlaceKind.RESTAURANT,
    "餐饮": PlaceKind.RESTAURANT,
    "食堂": PlaceKind.RESTAURANT,
    "餐饮单位/食堂": PlaceKind.RESTAURANT,
    "村庄": PlaceKind.VILLAGE,
    "村": PlaceKind.VILLAGE,
    "物业小区": PlaceKind.ESTATE,
    "小区": PlaceKind.ESTATE,
}


@dataclass
class Result:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": len(self.errors),
        }


class _Units:
    """Units by code and by name, read once per import."""

    def __init__(self):
        self.by_code: dict[str, Unit] = {}
        self.by_name: dict[tuple[str, str], list[Unit]] = {}
        for unit in Unit.objects.filter(active=True):
            self.by_code[unit.code] = unit
            self.by_name.setdefault((unit.kind, unit.name), []).append(unit)

    def find(self, text: str, kinds) -> Unit | None:
        unit = self.by_code.get(text)
        if unit is not None and unit.kind in kinds:
            return unit
        found = [u for kind in kinds for u in self.by_name.get((kind, text), [])]
        return found[0] if len(found) == 1 else None


def _row(units: _Units, values: dict) -> dict:
    """The action's arguments for one row, or WorkflowError saying what is wrong."""
    text = {key: cell_text(value) for key, value in values.items()}
    if not text.get("name"):
        raise WorkflowError("name_required", _("单位名称为空"))
    kind = KIND_WORDS.get(text.get("kind", ""))
    if kind is None:
        raise WorkflowError(
            "invalid_kind",
            _("类型“%(kind)s”无法识别（应为企业、学校、餐饮单位、村庄或物业小区）")
            % {"kind": text.get("kind", "")},
        )
    community = units.find(text.get("community", ""), (Unit.Kind.COMMUNITY,))
    if community is None:
        raise WorkflowError(
            "unknown_community", _("找不到社区“%(name)s”") % {"name": text.get("community", "")}
        )
    grid = None
    if text.get("grid"):
        grid = units.find(text["grid"], (Unit.Kind.GRID,))
        if grid is None:
            raise WorkflowError("unknown_grid", _("找不到网格“%(name)s”") % {"name": text["grid"]})
    responsible = units.find(text.get("responsible", ""), Unit.HANDLING_KINDS)
    if responsible is None:
        raise WorkflowError(
            "unknown_unit",
            _("找不到责任单位“%(name)s”") % {"name": text.get("responsible", "")},
        )
    return {
        "kind": kind,
        "name": text["name"],
        "community": community,
        "grid": grid,
        "responsible_unit": responsible,
        "address": text.get("address", ""),
        "contact_name": text.get("contact_name", ""),
        "contact_phone": text.get("contact_phone", ""),
        "latitude": text.get("latitude", ""),
        "longitude": text.get("longitude", ""),
    }


def import_places(upload, *, actor: Actor) -> Result:
    """Save each row of the list as a place; a bad row is reported and skipped, the rest
    are saved. Raises ImportRefused for a file that is not such a list at all."""
    sheet = Sheet(upload, COLUMNS)
    result = Result()
    units = _Units()
    try:
        for chunk in chunked(sheet.data_rows()):
            with transaction.atomic():
                for number, values in chunk:
                    result.rows += 1
                    try:
                        with transaction.atomic():
                            saved = do_save_place(actor=actor, **_row(units, values))
                    except WorkflowError as error:
                        result.errors.append((number, str(error.message)))
                        continue
                    if saved.created:
                        result.created += 1
                    elif saved.changed:
                        result.updated += 1
                    else:
                        result.unchanged += 1
    finally:
        sheet.close()
    return result


__all__ = ["COLUMNS", "ImportRefused", "Result", "import_places"]
