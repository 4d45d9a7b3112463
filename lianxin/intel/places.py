"""Places in Chinese text and between map points: no Django here.

Residents name places in their words ("丽发新城小区", "黄兴路步行街", "3栋"); the
message-board data has no coordinates at all, so a place read from the text is
often the only place there is. `extract_places` finds the named places (estates,
roads, villages, schools, buildings), `haversine_m` measures map distances.

Reading places cuts words with jieba, whose dictionary and HMM model load on first
use (about a second of CPU). `warm_up_in_background` loads them in a thread of
their own where that is cheap and safe: when the job consumer starts, and in a web
process after its first request (see `lianxin.intel.apps` and `tasks`).
"""

import functools
import logging
import math
import re
import threading
from dataclasses import dataclass

from lianxin.intel.classifier import load_jieba

EARTH_RADIUS_M = 6_371_008.8

# Masked or real administrative areas: "A市", "A3区", "K4县", "西地省", "春华镇".
ADMIN_RE = re.compile(r"[A-Z][0-9]{0,2}[市区县]|[\u4e00-\u9fa5]{2,3}省")

# What a named place ends with; the longest suffixes first so that "小区" wins over "区".
PLACE_SUFFIXES = sorted(
    [
        "小区", "花园", "家园", "新城", "新村", "公寓", "大厦", "广场", "华府", "府",
        "苑", "园", "庭", "湾", "城", "居", "阁", "山庄", "公馆", "国际", "社区", "村", "镇", "乡",
        "街道", "大道", "路", "街", "巷", "道", "桥", "高速", "立交",
        "学院", "大学", "学校", "小学", "中学", "幼儿园", "医院", "市场", "公园", "车站",
        "地铁站", "站", "湖", "广场", "商场", "步行街", "工业园", "产业园", "项目",
    ],
    key=len,
    reverse=True,
)  # fmt: skip
_SUFFIX = "|".join(map(re.escape, dict.fromkeys(PLACE_SUFFIXES)))
SUFFIX_END_RE = re.compile(rf"(?:{_SUFFIX})$")
MAX_NAME = 12
# A word more frequent than this in jieba's dictionary is a common word, not part of a name.
COMMON_WORD_FREQ = 3000
# Buildings and units: "3栋", "G2栋", "12号楼", "5单元".
BUILDING_RE = re.compile(r"([A-Za-z]?\d{1,3})\s*(?:栋|号楼|幢|座)")
# Words that are never part of a place name, however rare jieba thinks they are.
_STOP_WORDS_TEXT = (
    "反映 关于 请问 咨询 投诉 举报 建议 希望 要求 请求 恳请 附近 旁边 周边 门口 对面 楼下 "
    "里面 本人 业主 居民 市民 村民 所在 问题 情况 能否 是否 为何 为什么 怎么 何时 什么 "
    "商品房 开发商 物业 政府 居民区 住户 宿舍 停车场 搅拌站 垃圾站 出入口 安置区 扰民 "
    "拆除 安装 施工 噪音 噪声 违建 违章 夜间 凌晨 改造 建设 规划 一期 二期 三期 四期 "
    "挨着 靠着 紧挨 毗邻 对着 临街 沿街 位于 地处 靠近 距离 紧邻 临近 "
    "到达 经过 横跨 进入 通往 直到 沿线"
)
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
LANDMARK_WORDS = ("门口", "附近", "旁边", "对面", "楼下", "路口", "楼")
FUNCTION_CHARS = frozenset("与和及在的了是向到从对把被给由至跟同或而但距离近")
# A road, village or town ends a name even when short ("南路", "镇"): the next name starts after it.
ROAD_ENDS = frozenset("路街道巷桥镇村乡")
# Words that end an estate's name, after which a lone 路 or 街 is never a road of it.
ESTATE_WORDS = ("小区", "社区")
# Offices are whom a resident writes to, not where the problem is ("市委市政府").
OFFICE_RE = re.compile(r"政府|市委|党委|人大|政协|委员会|办公室|管理局")
# Names that are a suffix with a vague word before it: not a place.
VAGUE = re.compile(
    r"^(?:该|本|此|这|那|我|各|每|某|其|上|下|前|后|中|大|小|新|老|全|整|附|马|道|公|一|二|三)"
    r"(?:小区|路|街|村|镇|城|园|站|道|府|湖|居|阁|庭|湾|项目|社区|市场|学校|医院|公园)$"
)
GENERIC = frozenset(
    {"马路", "道路", "公路", "街道", "小区", "社区", "学校", "医院", "公园", "项目", "城市",
     "农村", "城区", "县城", "市场", "高速", "车站", "地铁站", "幼儿园", "小学", "中学",
     "大学", "学院", "商场", "广场", "花园", "家园", "公寓", "大厦", "新城", "新村", "站",
     "物业", "开发商", "政府", "街道办", "居委会", "村委会", "城管", "交通", "一路", "出路",
     "线路", "思路", "门路", "道路交通", "城乡", "城管局", "国道", "省道", "乡镇", "乡村",
     "村镇", "城镇", "小城", "全城", "进城", "电梯公寓", "安置小区", "老小区", "老旧小区",
     "小区道路", "社区道路"}
)  # fmt: skip


@dataclass(frozen=True)
class Places:
    """What a text says about where: administrative areas, named places, buildings."""

    areas: frozenset[str]
    names: frozenset[str]
    buildings: frozenset[str]

    @property
    def specific(self) -> frozenset[str]:
        """Named places: an estate, a road, a school (an area alone is too wide)."""
        return self.names

    @functools.cached_property
    def letters(self) -> tuple[frozenset[str], frozenset[str]]:
        """The first characters of the names, and all their characters: two texts whose
        names overlap at all share a first character with the other's characters."""
        return frozenset(n[0] for n in self.names), frozenset("".join(self.names))


@functools.lru_cache(maxsize=20_000)
def extract_places(text: str) -> Places:
    """Read the places a Chinese text names.

    1. Administrative areas ("A3区", "西地省") are taken out first: they are too
       wide to say "the same place" and would glue onto the next name.
    2. The rest is cut into words (jieba) at punctuation.
    3. A word ending in a place suffix ("小区", "路", "学院") ends a name; the name
       reaches back over rare or unknown words (proper names: "麓谷", "丽发") and
       stops at a common word ("购买", "相关"), which is not part of a name.
    4. Vague or generic names ("该小区", "马路") are dropped.

    Cached per text: the same open cases are candidates for many new reports, and word
    segmentation is most of the cost of comparing them.
    """
    text = text or ""
    areas = frozenset(ADMIN_RE.findall(text))
    rest = ADMIN_RE.sub(" ", text)
    names: set[str] = set()
    for piece in re.split(r"[^\u4e00-\u9fa5A-Za-z0-9]+", rest):
        if len(piece) >= 2:
            names.update(_names_in(piece))
    buildings = frozenset(m.upper() for m in BUILDING_RE.findall(text))
    return Places(areas=areas, names=frozenset(_drop_contained(names)), buildings=buildings)


def _names_in(piece: str) -> list[str]:
    words = _cut(piece)
    found = []
    for i, word in enumerate(words):
        if not SUFFIX_END_RE.search(word) or word in STOP_WORDS:
            continue
        if len(word) == 1 and i > 0 and words[i - 1].endswith(ESTATE_WORDS):
            # "福临苑小区路灯" cut as 小区 / 路 / 灯不亮: no road is named after an estate,
            # the 路 is the lamp's; the estate is read on its own word.
            continue
        start = i
        while start > 0:
            before = words[start - 1]
            if sum(len(w) for w in words[start - 1 : i + 1]) > MAX_NAME:
                break
            # A bare suffix ("学院", "城小区") takes the word before it even if common
            # ("经济学院", "魅力之城小区"), unless that word is a particle or a stop word.
            bare = len("".join(words[start:i])) < 2 and len(word) <= 2
            if _name_part(before) or bare and _may_lead(before):
                start -= 1
            else:
                break
        name = _trim("".join(words[start : i + 1]))
        if (
            3 <= len(name) <= MAX_NAME
            and name not in GENERIC
            and not VAGUE.match(name)
            and not OFFICE_RE.search(name)
        ):
            found.append(name)
    return found


def _may_lead(word: str) -> bool:
    if word in STOP_WORDS or SUFFIX_END_RE.search(word):
        return False
    return not (len(word) == 1 and word in FUNCTION_CHARS)


def _name_part(word: str) -> bool:
    """Whether a word may be part of a place name: a rare or unknown word, not a common one."""
    # A word that itself ends a place ("南路" in "万家丽南路丽发新城") starts a new name.
    if word in STOP_WORDS or len(word) == 1 and word in FUNCTION_CHARS:
        return False
    if SUFFIX_END_RE.search(word) and (len(word) >= 3 or word[-1] in ROAD_ENDS):
        return False
    if word.isascii():
        return word.isalnum()
    return word == "之" or _frequency(word) < COMMON_WORD_FREQ


def _cut(piece: str) -> list[str]:
    return list(load_jieba().cut(piece, HMM=True))


def _frequency(word: str) -> int:
    return load_jieba().dt.FREQ.get(word) or 0


def _trim(name: str) -> str:
    # What stands before "门口" or "附近" is a landmark, not the place's own name.
    name = re.split("|".join(LANDMARK_WORDS), name)[-1]
    # A leading particle or house number ("与麓松路", "320号丽发新城") is not part of the name.
    return re.sub(r"^(?:[0-9]+(?:号|期)?|[与和及在的向到从对由至])+", "", name)


def _drop_contained(names: set[str]) -> set[str]:
    """Keep "丽发新城小区" and drop "丽发新城" when both were read from the same text."""
    return {n for n in names if not any(n != m and n in m for m in names)}


@functools.lru_cache(maxsize=20_000)
def core(name: str) -> str:
    """A name without its place suffixes: "丽发新城小区" → "丽发" (cached: topics compare
    the same names many times over)."""
    while True:
        match = SUFFIX_END_RE.search(name)
        if match is None or len(name) - len(match.group(0)) < 2:
            return name
        name = name[: match.start()]


def place_overlap(a: Places, b: Places) -> float:
    """How far two texts name the same place: 1 for a shared named place, 0.9 for one
    name inside the other ("丽发新城" in "丽发新城小区"), 0.8 for the same core name
    ("丽发小区" and "丽发新城"), 0 when either names none or they differ."""
    if not a.names or not b.names:
        return 0.0
    if a.names & b.names:
        return 1.0
    # Every overlap below needs a name's first character in the other's names: without
    # one (most pairs the topics compare), no need to compare name by name.
    (firsts_a, chars_a), (firsts_b, chars_b) = a.letters, b.letters
    if firsts_a.isdisjoint(chars_b) and firsts_b.isdisjoint(chars_a):
        return 0.0
    best = 0.0
    for x in a.names:
        for y in b.names:
            if x in y or y in x:
                best = max(best, 0.9)
            elif core(x) == core(y) or y.startswith(core(x)) or x.startswith(core(y)):
                best = max(best, 0.8)
    return best


# A text that needs jieba's dictionary and its HMM model (an unknown name: "福临苑").
_WARM_UP_TEXT = "福临苑小区3号楼门口路灯不亮"
_warm_up_lock = threading.Lock()
_warm_up_thread: threading.Thread | None = None
logger = logging.getLogger(__name__)


def warm_up() -> None:
    """Load what reading places needs (jieba's dictionary and HMM model), without leaving
    anything in the cache of texts."""
    extract_places.__wrapped__(_WARM_UP_TEXT)


def _warm_up_quietly() -> None:
    try:
        warm_up()
    except Exception:  # a warm-up that fails leaves the first real use to load it
        logger.exception("Could not warm up the place reader")


def warm_up_in_background() -> threading.Thread | None:
    """Start `warm_up` in a daemon thread, once per process; returns the thread it
    started, or None when one was started before. The first real use that comes while
    it runs waits for jieba's lock instead of loading it a second time."""
    global _warm_up_thread
    with _warm_up_lock:
        if _warm_up_thread is not None:
            return None
        _warm_up_thread = threading.Thread(
            target=_warm_up_quietly, name="lianxin-intel-warm-up", daemon=True
        )
        _warm_up_thread.start()
        return _warm_up_thread


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two WGS-84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of a square holding the circle of `radius_m`."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlon = math.degrees(radius_m / (EARTH_RADIUS_M * max(0.01, math.cos(math.radians(lat)))))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon
