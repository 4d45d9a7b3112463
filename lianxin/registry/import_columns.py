"""The columns of each register's list, with the other names offices give them.

Kept apart from the importer so that each reads on its own: this is the template's
content, `lianxin.registry.imports` is what happens to a row.
"""

from django.utils.translation import gettext_lazy

from lianxin.registry.models import RegistryImportJob, Resident
from lianxin.sheets import Columns, ImportColumn

# A Qingdao urban district's households in one list (the file stays under sheets.MAX_BYTES).
MAX_ROWS = 250000
KINDS = tuple(RegistryImportJob.Kind.values)
KIND_LABELS = dict(RegistryImportJob.Kind.choices)
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
            # One row per person (户主 repeated on each row of the household): these name
            # the person; the rows of one address make one household.
            ImportColumn(
                "姓名",
                "resident_name",
                False,
                gettext_lazy(
                    "一人一行时填写：本行人员的姓名。同一地址的各行合为一户，此时不用“家庭成员”列。"
                ),
                10,
                ("成员姓名", "居民姓名", "人员姓名"),
            ),
            ImportColumn(
                "与户主关系",
                "relation",
                False,
                gettext_lazy("一人一行时填写，如 户主、配偶、子女。"),
                10,
                ("关系",),
            ),
            ImportColumn(
                "出生年份",
                "birth_year",
                False,
                gettext_lazy("一人一行时填写，如 1948 或 1948-05-01。"),
                10,
                ("出生年月", "出生日期"),
            ),
            ImportColumn(
                "人员标签",
                "tags",
                False,
                gettext_lazy("一人一行时填写，多个用顿号隔开，如 低保、独居。"),
                14,
                ("标签", "人员类别"),
            ),
            ImportColumn(
                "身份证号",
                "id_number",
                False,
                gettext_lazy("一人一行时填写，18位；仅在本区开启身份证号登记后可导入。"),
                20,
                ("身份证号码", "公民身份号码"),
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
