"""The demo district's invented geography and resident names.

Everything here is made up: a coastal district of a Shandong city with eight
urban streets (街道) and two towns (镇), one of them on an island.  Each
street or town has four communities (社区) or villages (村), and each of those
lists the residential compounds (小区), roads and landmarks its residents
mention when they describe a concern.

Pure Python: no Django imports, so the demo generator and tests can use it
anywhere. The outlines of streets, communities and grids are drawn here too
(`outlines`), on a real-looking stretch of coast (WGS-84).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

from lianxin.geo import tessellation

DISTRICT_NAME = "望潮区"

# (street_code, street_name, [(community_code, community_name, [place, ...]), ...])
STREETS: list[tuple[str, str, list[tuple[str, str, list[str]]]]] = [
    (
        "st-wangchao",
        "望潮街道",
        [
            (
                "cm-wangchao-fulin",
                "福临社区",
                ["福临苑小区", "福临新村", "望潮路", "福临菜市场", "望潮小学"],
            ),
            (
                "cm-wangchao-haiyue",
                "海月社区",
                ["海月花园小区", "海月湾公寓", "海月路", "观潮广场", "海月幼儿园"],
            ),
            (
                "cm-wangchao-qiaotou",
                "桥头社区",
                ["桥头新村", "纺织厂宿舍", "桥头路", "老桥头市场", "桥头公园"],
            ),
            (
                "cm-wangchao-chunhe",
                "春和社区",
                ["春和里小区", "春和家园", "春和路", "春和卫生服务站"],
            ),
        ],
    ),
    (
        "st-haiyun",
        "海韵路街道",
        [
            (
                "cm-haiyun-bihai",
                "碧海社区",
                ["碧海蓝庭小区", "碧海路", "海韵路", "碧海商业街", "碧海社区公园"],
            ),
            (
                "cm-haiyun-yingbin",
                "迎宾社区",
                ["迎宾花园小区", "迎宾路", "迎宾大厦", "海韵农贸市场"],
            ),
            (
                "cm-haiyun-tiantai",
                "天泰社区",
                ["天泰城小区", "天泰家园", "天泰路", "天泰公园", "海韵路小学"],
            ),
            (
                "cm-haiyun-yuhua",
                "雨花社区",
                ["雨花小区", "雨花新村", "港务宿舍", "雨花路", "雨花幼儿园"],
            ),
        ],
    ),
    (
        "st-qingfeng",
        "青峰街道",
        [
            (
                "cm-qingfeng-songling",
                "松岭社区",
                ["松岭小区", "松岭路", "青峰山登山口", "松岭菜市场"],
            ),
            (
                "cm-qingfeng-xiaqiao",
                "霞桥社区",
                ["霞桥家园", "霞桥路", "青峰路", "霞桥中学", "霞桥公交首末站"],
            ),
            (
                "cm-qingfeng-tangxi",
                "棠溪社区",
                ["棠溪苑小区", "棠溪路", "棠溪河", "棠溪湿地公园"],
            ),
            (
                "cm-qingfeng-meiling",
                "梅岭社区",
                ["梅岭小区", "机械厂宿舍", "梅岭东路", "梅岭体育公园", "梅岭综合市场"],
            ),
        ],
    ),
    (
        "st-zhubei",
        "珠贝街道",
        [
            (
                "cm-zhubei-beiwan",
                "贝湾社区",
                ["贝湾小区", "贝湾路", "珠贝海水浴场", "贝湾海鲜市场"],
            ),
            (
                "cm-zhubei-lanting",
                "澜庭社区",
                ["澜庭花园小区", "澜庭公寓", "珠贝路", "澜庭广场"],
            ),
            (
                "cm-zhubei-yugang",
                "渔港社区",
                ["渔港新村", "渔港路", "老渔港码头", "水产品加工园", "渔港小学"],
            ),
            (
                "cm-zhubei-dengta",
                "灯塔社区",
                ["灯塔小区", "灯塔路", "灯塔山公园", "灯塔路夜市"],
            ),
        ],
    ),
    (
        "st-shiwan",
        "石湾街道",
        [
            (
                "cm-shiwan-nanshan",
                "南山社区",
                ["南山小区", "南山路", "石湾农贸市场", "南山卫生服务站"],
            ),
            (
                "cm-shiwan-qianshi",
                "前石社区",
                ["前石家园", "前石路", "石湾中学", "前石幼儿园", "前石菜市场"],
            ),
            (
                "cm-shiwan-zhangjia",
                "张家庄社区",
                ["张家庄安置小区", "张家庄路", "张家庄老街", "石湾河桥"],
            ),
            (
                "cm-shiwan-hexin",
                "和欣社区",
                ["和欣苑小区", "和欣家园", "化工厂宿舍", "石湾路", "和欣广场"],
            ),
        ],
    ),
    (
        "st-yunling",
        "云岭街道",
        [
            (
                "cm-yunling-cuiwei",
                "翠微社区",
                ["翠微山庄小区", "翠微路", "云岭路", "翠微公园"],
            ),
            (
                "cm-yunling-jingshan",
                "景山社区",
                ["景山小区", "景山路", "云岭大集", "景山小学", "景山幼儿园"],
            ),
            (
                "cm-yunling-tangjia",
                "唐家社区",
                ["唐家新苑小区", "唐家路", "唐家菜市场", "云岭体育馆"],
            ),
            (
                "cm-yunling-xinglin",
                "杏林社区",
                ["杏林家园", "杏林小区", "杏林路", "云岭医院", "杏林养老服务中心"],
            ),
        ],
    ),
    (
        "st-donggang",
        "东港街道",
        [
            (
                "cm-donggang-gangxin",
                "港新社区",
                ["港新小区", "港新路", "东港客运站", "港新商业街"],
            ),
            (
                "cm-donggang-haijing",
                "海景社区",
                ["海景花园小区", "海景公寓", "海景路", "东港滨海步道", "海景社区广场"],
            ),
            (
                "cm-donggang-chuanchang",
                "船厂社区",
                ["船厂宿舍", "船厂路", "东港夜市", "船厂文化广场"],
            ),
            (
                "cm-donggang-yinghai",
                "映海社区",
                ["映海家园", "映海路", "映海小学", "东港农贸市场", "映海卫生服务站"],
            ),
        ],
    ),
    (
        "st-cuiping",
        "翠屏街道",
        [
            (
                "cm-cuiping-huayuan",
                "花苑社区",
                ["翠屏花苑小区", "花苑路", "翠屏路", "花苑幼儿园"],
            ),
            (
                "cm-cuiping-jinxiu",
                "锦绣社区",
                ["锦绣家园", "锦绣路", "锦绣天地购物中心", "锦绣公园", "锦绣小区"],
            ),
            (
                "cm-cuiping-yangguang",
                "阳光社区",
                ["阳光小区", "阳光路", "翠屏颐养中心", "翠屏中学"],
            ),
            (
                "cm-cuiping-fengze",
                "丰泽社区",
                ["丰泽苑小区", "丰泽新村", "丰泽路", "丰泽农贸市场", "丰泽文化站"],
            ),
        ],
    ),
    (
        "st-yuwan",
        "渔湾镇",
        [
            (
                "cm-yuwan-qianyu",
                "前渔村",
                ["前渔村前街", "前渔村委大院", "前渔渔港", "前渔海带晾晒场"],
            ),
            (
                "cm-yuwan-houhai",
                "后海村",
                ["后海村后街", "后海村文化广场", "后海养殖区", "后海村卫生室", "渔湾镇卫生院"],
            ),
            (
                "cm-yuwan-dongtan",
                "东滩村",
                ["东滩村东街", "东滩村委大院", "东滩海参圈", "渔湾镇中心小学"],
            ),
            (
                "cm-yuwan-xiling",
                "西岭村",
                ["西岭村北街", "西岭村委大院", "西岭果园", "西岭村水库", "渔湾大集"],
            ),
        ],
    ),
    (
        "st-oudao",
        "鸥岛镇",
        [
            (
                "cm-oudao-nanzui",
                "南嘴村",
                ["南嘴村中街", "鸥岛客运码头", "南嘴渔家乐街", "南嘴村委大院"],
            ),
            (
                "cm-oudao-beitou",
                "北头村",
                ["北头村后街", "北头渔港", "北头海带晾晒场", "北头村卫生室", "鸥岛镇卫生院"],
            ),
            (
                "cm-oudao-dashan",
                "大山村",
                ["大山村前街", "鸥岛灯塔", "大山村海水淡化站", "大山村文化大院"],
            ),
            (
                "cm-oudao-xiaowan",
                "小湾村",
                ["小湾村东街", "小湾沙滩", "小湾村老戏台", "鸥岛小学", "小湾渔港"],
            ),
        ],
    ),
]

# Surnames, weighted by repetition: the national top names plus the Jiaodong
# peninsula's own (于, 姜, 曲, 隋, 栾, 宫, 修, 衣, 矫, 逄, 鞠, 初, 迟, 綦 ...).
SURNAMES: list[str] = (
    ["王"] * 8
    + ["张"] * 6
    + ["李"] * 6
    + ["刘"] * 6
    + ["孙"] * 4
    + ["杨"] * 3
    + ["赵"] * 3
    + ["于"] * 4
    + ["徐"] * 3
    + ["陈"] * 3
    + ["高"] * 3
    + ["姜"] * 3
    + ["宋"] * 2
    + ["曲"] * 2
    + ["隋"] * 2
    + ["马"] * 2
    + ["郭"] * 2
    + ["林"] * 2
    + ["韩"] * 2
    + ["董"] * 2
    + list(
        "周吴胡朱何郑谢唐冯程曹袁许沈吕苏蒋丁魏薛叶范方石崔毛邱秦史侯邵孟牛"
        "栾修衣矫逄宫鞠初迟邴綦臧尹付郝纪夏田任葛薄常梁邢鲁"
    )
)


def _words(text: str) -> list[str]:
    return text.split()


# Given names across the generations: 1940s-60s (秀英, 建国), 1970s-80s
# (海燕, 志刚), 1990s onwards (子涵, 浩然).
GIVEN_NAMES: list[str] = _words("""
秀英 桂兰 玉兰 淑珍 凤英 秀兰 玉珍 桂芳 淑芬 秀珍 春梅 美玲 丽华 玉梅 桂英 素芬
爱华 红梅 秀云 凤兰 金凤 瑞芝 雪梅 淑华 玉芳 凤霞 凤琴 桂珍 桂香 淑兰 淑英 淑梅
玉华 玉莲 玉霞 秋菊 秋霞 冬梅 春华 春燕 海英 海霞 红霞 红英 红艳 建英 立华 玉洁
建国 建军 国强 德福 振华 志刚 永胜 长山 福海 海涛 立新 卫东 红军 洪波 学军 文斌
宝林 树森 庆祥 德胜 兆丰 明远 士强 克俭 成林 连生 吉祥 春生 海生 广福 传顺 德明
德水 德海 振东 振兴 振国 志强 志勇 志军 志明 志伟 永刚 永强 永华 永庆 长海 长春
长军 福生 福林 福成 世杰 世明 文军 文华 文杰 新民 新华 国华 国庆 国栋 国平 卫国
卫华 卫红 保国 宝山 宝成 连海 连成 传福 传明 增福 兆林 兆庆 维民 守义 守信 立军
丽娜 晓燕 海燕 静 敏 娜 伟 磊 勇 军 涛 强 鹏 杰 斌 霞 红 芳 艳 玲 燕 丹 峰 辉 刚
波 超 洁 蕾 晶 颖 雪 萍 慧 倩 丽丽 丽萍 丽君 金玲 晓东 晓峰 晓敏 晓丽 海鹰 海军
海波 建华 建平 建新 立平 文静 新宇 家豪 志远 文博 安琪 乐天 昕 睿 琳 婷 璐 爽
子涵 浩然 欣怡 雨萱 梓轩 思远 一诺 宇航 佳琪 梦瑶 天佑 俊杰 博文 诗琪 嘉怡 晨曦
若曦 子豪 铭泽 语桐 沐阳 可馨 亦凡 昊天 奕辰 紫萱 明轩 依晨 雅琪 欣然 宇轩 皓轩
梓涵 思琪 雨涵 子墨 浩宇 佳怡 宇辰
""")

# Real mobile number prefixes of the three carriers (and their virtual operators).
MOBILE_PREFIXES: list[str] = (
    [f"13{d}" for d in range(10)]
    + ["147", "150", "151", "152", "153", "155", "156", "157", "158", "159"]
    + ["166", "170", "171", "173", "175", "176", "177", "178"]
    + [f"18{d}" for d in range(10)]
    + ["191", "193", "195", "196", "197", "198", "199"]
)

_COMPOUND_SUFFIXES = ("小区", "家园", "公寓", "宿舍", "新村")
_ROAD_SUFFIXES = ("路", "街", "大道", "巷")
_LOW_RISE_SUFFIXES = ("宿舍", "新村")
_SIDES = ("东门", "西门口", "南侧", "北侧", "正门对面", "东北角", "西侧停车场", "北门外")
_DIRECTIONS = ("东", "西", "南", "北")
_METRES = (20, 30, 50, 80, 100, 150, 200)


def place_kind(name: str) -> str:
    """Classify a place name: "compound", "road" or "landmark"."""
    if name.endswith(_COMPOUND_SUFFIXES):
        return "compound"
    if name.endswith(_ROAD_SUFFIXES):
        return "road"
    return "landmark"


def iter_communities():
    """Yield (street_code, street_name, community_code, community_name, places)."""
    for street_code, street_name, communities in STREETS:
        for community_code, community_name, places in communities:
            yield street_code, street_name, community_code, community_name, places


def all_places() -> list[str]:
    """Every compound, road and landmark name, in module order."""
    return [place for *_, places in iter_communities() for place in places]


# Streets (here: the one town) on an island, reached by ferry.
ISLAND_STREETS = ("st-oudao",)

# Where the invented district lies, in WGS-84 (south, west, north, east): the urban
# streets and the mainland town on the coast east of Jiaozhou Bay, the island town
# out in the Yellow Sea. The mainland streets sit on a 3 x 3 layout (row 0 is the
# north, the coast is the south), the island town on its own.
MAINLAND_BOX = (36.100, 120.360, 36.196, 120.468)
ISLAND_BOX = (36.052, 120.447, 36.070, 120.469)
STREET_BLOCKS = {  # street code -> (row, col) on the mainland layout
    "st-yunling": (0, 0),
    "st-qingfeng": (0, 1),
    "st-cuiping": (0, 2),
    "st-shiwan": (1, 0),
    "st-wangchao": (1, 1),
    "st-haiyun": (1, 2),
    "st-yuwan": (2, 0),
    "st-zhubei": (2, 1),
    "st-donggang": (2, 2),
}


@dataclass
class Shape:
    centre: tuple[float, float]  # (latitude, longitude)
    boundary: dict  # GeoJSON Polygon or MultiPolygon
    cells: list = field(default_factory=list)  # a grid's lattice cells, to put cases in

    def unit_fields(self) -> dict:
        """The Unit columns that place it on the map."""
        lat, lon = self.centre
        return {
            "latitude": Decimal(f"{lat:.6f}"),
            "longitude": Decimal(f"{lon:.6f}"),
            "boundary": self.boundary,
        }


def grid_count(community_order: int) -> int:
    """150 grids over 40 communities: three communities in four have four grids."""
    return 3 if community_order == 3 else 4


def outlines(seed: int = 2026) -> dict:
    """The shapes of the district (key "district"), each street and community (by code)
    and each grid (by (community code, index)): a jittered lattice cut into nested blocks."""
    rng = random.Random(seed)
    mainland = tessellation.Lattice.over(MAINLAND_BOX, 12, 12, rng)
    island = tessellation.Lattice.over(ISLAND_BOX, 4, 4, rng)
    shapes: dict = {}
    for s_code, _s_name, communities in STREETS:
        lattice, (row, col) = (
            (island, (0, 0)) if s_code in ISLAND_STREETS else (mainland, STREET_BLOCKS[s_code])
        )
        row, col = row * 4, col * 4
        shapes[s_code] = _shape(lattice.ring(row, col, 4, 4))
        for c_order, (c_code, _c_name, _places) in enumerate(communities):
            c_row, c_col = row + c_order // 2 * 2, col + c_order % 2 * 2
            shapes[c_code] = _shape(lattice.ring(c_row, c_col, 2, 2))
            blocks = [(0, 0, 1), (0, 1, 1), (1, 0, 1), (1, 1, 1)]
            if grid_count(c_order) == 3:
                blocks = [(0, 0, 1), (0, 1, 1), (1, 0, 2)]  # the south half is one grid
            for g, (dr, dc, width) in enumerate(blocks):
                cells = [lattice.quad(c_row + dr, c_col + dc + i) for i in range(width)]
                ring = lattice.ring(c_row + dr, c_col + dc, 1, width)
                shapes[(c_code, g)] = _shape(ring, cells)
    rings = [mainland.ring(0, 0, 12, 12), island.ring(0, 0, 4, 4)]
    shapes["district"] = Shape(tessellation.centroid(rings[0]), tessellation.polygon(*rings))
    return shapes


def _shape(ring, cells=()) -> Shape:
    return Shape(tessellation.centroid(ring), tessellation.polygon(ring), list(cells))


def point_in_cells(rng: random.Random, cells: list) -> tuple[float, float]:
    """A random point inside a grid, spread over its cells (two draws from `rng`)."""
    u = rng.random() * len(cells)
    index = min(int(u), len(cells) - 1)
    return tessellation.point_in_quad(cells[index], u - index, rng.random())


_STREET_OF: dict[str, tuple[str, str]] = {
    place: (street_code, street_name)
    for street_code, street_name, _c, _n, places in iter_communities()
    for place in places
}


def is_rural(name: str) -> bool:
    """Whether the place lies in a town (镇) rather than an urban street."""
    street = _STREET_OF.get(name)
    return street is not None and street[1].endswith("镇")


def is_island(name: str) -> bool:
    """Whether the place lies on the island town."""
    street = _STREET_OF.get(name)
    return street is not None and street[0] in ISLAND_STREETS


def _is_city_road(name: str) -> bool:
    return place_kind(name) == "road" and "村" not in name and "街" not in name


# Urban roads usable as the cross street of an intersection address.
CITY_ROADS: list[str] = [p for p in all_places() if _is_city_road(p)]


def _nearby_roads() -> dict[str, list[str]]:
    """Map each place to the urban roads of its own street."""
    nearby: dict[str, list[str]] = {}
    for _code, _name, communities in STREETS:
        street_places = [p for _c, _n, places in communities for p in places]
        roads = [p for p in street_places if _is_city_road(p)]
        for place in street_places:
            nearby[place] = roads
    return nearby


# An intersection address prefers a cross street from the same street (街道).
_NEARBY_ROADS = _nearby_roads()


def person_name(rng: random.Random) -> str:
    """A plausible full name, e.g. "姜秀英" or "于浩然"."""
    return rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)


def mobile_phone(rng: random.Random) -> str:
    """An 11-digit mainland mobile number with a real carrier prefix."""
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _compound_address(rng: random.Random, compound: str) -> str:
    building = rng.randint(1, 24)
    unit = rng.randint(1, 4)
    if compound.endswith(_LOW_RISE_SUFFIXES) or rng.random() < 0.6:
        floor = rng.randint(1, 6)
    else:
        floor = rng.randint(7, 18)
    room = rng.randint(1, 4)
    return f"{compound}{building}号楼{unit}单元{floor}{room:02d}室"


def _road_address(rng: random.Random, road: str) -> str:
    if "村" in road:
        return f"{road}{rng.randint(1, 90)}号"
    number = rng.randint(1, 260)
    others = [r for r in _NEARBY_ROADS.get(road, []) if r != road]
    if not others:
        others = [r for r in CITY_ROADS if r != road]
    roll = rng.random()
    if roll < 0.5 and others:
        other = rng.choice(others)
        return f"{road}与{other}交叉口{rng.choice(_DIRECTIONS)}{rng.choice(_METRES)}米"
    if roll < 0.8:
        return f"{road}{number}号"
    return f"{road}{number}号门前"


def _landmark_address(rng: random.Random, landmark: str) -> str:
    if rng.random() < 0.6:
        return f"{landmark}{rng.choice(_SIDES)}"
    return f"{landmark}{rng.choice(_DIRECTIONS)}侧约{rng.choice(_METRES)}米"


def address(rng: random.Random, compound: str) -> str:
    """A full address for a place: a flat in a compound, a point on a road
    (number or intersection) or a spot by a landmark."""
    kind = place_kind(compound)
    if kind == "compound":
        return _compound_address(rng, compound)
    if kind == "road":
        return _road_address(rng, compound)
    return _landmark_address(rng, compound)
