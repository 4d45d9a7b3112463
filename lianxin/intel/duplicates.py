"""Is a new report the same problem as an open one? Text, place and time: no Django here.

Residents describe the same broken lamp in different words, so the text
measure works on characters, not words: the Dice coefficient of character
bigram sets, which holds up on short Chinese texts where word segmentation
wavers. Place names are taken out of the text before comparing, so that two
different problems in the same estate do not look alike merely because both
name the estate; the place is judged on its own (same building, grid,
community, named place, or metres apart on the map). Recency fades a match
over a few weeks.

    score = text × (0.4 + 0.6 × place) × (0.7 + 0.3 × recency)

A pair needs some text likeness (≥ MIN_TEXT) and some place in common to
count at all; then `score ≥ threshold` makes it a probable duplicate.
"""

import functools
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from lianxin.intel.places import Places, extract_places, haversine_m, place_overlap

# Metres within which two map points are "the same place" (1.0), fading to 0 at NEAR_M.
SAME_SPOT_M = 80
NEAR_M = 500
# Days over which a match fades from 1 (same day) to 0.
RECENT_DAYS = 60
MIN_TEXT = 0.18
THRESHOLD = 0.25
# A first look without reading the candidate's places (which needs word segmentation):
# candidates this unlike the new report, less its place names, are not looked at further.
QUICK_MIN = 0.12

# Bigrams every petition uses: they say nothing about which problem it is.
_STOP_BIGRAMS_TEXT = (
    "反映 问题 希望 请求 要求 相关 部门 尽快 解决 处理 领导 政府 你好 您好 谢谢 麻烦 "
    "严重 影响 居民 群众 市民 我们 本人 现在 目前 一直 已经 多次 没有 一个 情况 这个 "
    "非常 能够 是否 请问 建议 关于 咨询 投诉 举报 恳请 急盼 感谢 给予 予以 重视 "
    "有关 百姓 老百姓 小区 社区"
)
STOP_BIGRAMS = frozenset(_STOP_BIGRAMS_TEXT.split())
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, no spaces or punctuation."""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text or "").lower())


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams of the normalised text, less the words every petition uses."""
    t = normalize(text)
    if len(t) == 1:
        return frozenset({t})
    grams = {t[i : i + 2] for i in range(len(t) - 1)}
    return frozenset(g for g in grams if g not in STOP_BIGRAMS and not g.isdigit())


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def without_places(text: str, places: Places) -> str:
    """The text with its place names blanked out, so that only the problem is compared."""
    for name in sorted(places.names | places.areas, key=lambda n: (-len(n), n)):
        text = text.replace(name, " ")
    return text


@dataclass(frozen=True)
class Report:
    """A case or a message as the comparison sees it."""

    key: object
    title: str
    text: str = ""
    address: str = ""
    at: datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    grid: object = None
    community: object = None
    building: str = ""
    supports: int = 0
    resident: object = None

    def __post_init__(self):
        # Map points come from the database as Decimal; floats compare far faster, and the
        # topics compare a great many pairs.
        for name in ("latitude", "longitude"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, float):
                object.__setattr__(self, name, float(value))


@dataclass
class Profile:
    """A report's comparable parts, computed once: the texts' bigrams and its places."""

    report: Report
    places: Places
    title_grams: frozenset[str]
    body_grams: frozenset[str]


def profile(report: Report, body_chars: int = 200) -> Profile:
    """Prepare a report for comparison. Only the start of a long text is used: residents
    say what and where first, then tell the story."""
    body = report.text[:body_chars]
    places = extract_places(f"{report.address} {report.title} {body}")
    return Profile(
        report=report,
        places=places,
        title_grams=bigrams(without_places(report.title, places)),
        body_grams=bigrams(without_places(f"{report.title} {body}", places)),
    )


def text_similarity(a: Profile, b: Profile) -> float:
    """Titles weigh most: they are the resident's own summary of the problem."""
    title = dice(a.title_grams, b.title_grams)
    body = dice(a.body_grams, b.body_grams)
    return max(title, 0.6 * title + 0.4 * body, body)


@dataclass
class Match:
    key: object
    score: float
    text: float
    place: float
    recency: float
    distance_m: float | None = None
    # (code, value) pairs; the Django side words them. Codes: text, same_building,
    # distance, same_grid, same_community, same_place_name, days.
    reasons: list[tuple[str, object]] = field(default_factory=list)


def place_nearness(
    a: Report, b: Report, pa: Places, pb: Places
) -> tuple[float, list, float | None]:
    """How near two reports are, 0 to 1, with the reasons and the distance if both have one."""
    reasons: list[tuple[str, object]] = []
    score = 0.0
    distance = None
    building_a, building_b = _norm_building(a.building), _norm_building(b.building)
    same_area = (a.grid is not None and a.grid == b.grid) or (
        a.community is not None and a.community == b.community
    )
    if building_a and building_a == building_b and same_area:
        score = 1.0
        reasons.append(("same_building", b.building))
    if (
        a.latitude is not None
        and a.longitude is not None
        and b.latitude is not None
        and b.longitude is not None
    ):
        distance = haversine_m(
            float(a.latitude), float(a.longitude), float(b.latitude), float(b.longitude)
        )
        if distance <= NEAR_M:
            near = 1.0 if distance <= SAME_SPOT_M else 1 - (distance - SAME_SPOT_M) / NEAR_M
            score = max(score, near)
            reasons.append(("distance", round(distance)))
    named = place_overlap(pa, pb)
    if named:
        shared = sorted(pa.names & pb.names) or sorted(pa.names)[:1]
        score = max(score, 0.85 * named)
        reasons.append(("same_place_name", shared[0]))
    if a.grid is not None and a.grid == b.grid:
        score = max(score, 0.7)
        reasons.append(("same_grid", b.grid))
    elif a.community is not None and a.community == b.community:
        score = max(score, 0.45)
        reasons.append(("same_community", b.community))
    return score, reasons, distance


# The place nearness at which two reports are at the same place for the topics, and the
# metres within which the distance alone makes it so (355 m).
SAME_PLACE = 0.45
SAME_PLACE_M = SAME_SPOT_M + (1 - SAME_PLACE) * NEAR_M
_METRES_PER_DEGREE_LAT = 111_000


def at_same_place(a: Report, b: Report, pa: Places, pb: Places) -> bool:
    """Whether `place_nearness(a, b, pa, pb)` is at least SAME_PLACE, the cheap way: the
    topics ask it of a great many pairs, most of them far apart. The same grid or
    community, map points close enough, or a named place in common."""
    if a.grid is not None and a.grid == b.grid:
        return True
    if a.community is not None and a.community == b.community:
        return True  # also covers the same building, which needs the same grid or community
    # A degree of latitude is the same length everywhere: a first look without trigonometry.
    if (
        a.latitude is not None
        and b.latitude is not None
        and abs(a.latitude - b.latitude) * _METRES_PER_DEGREE_LAT <= SAME_PLACE_M + 1
        and a.longitude is not None
        and b.longitude is not None
        and haversine_m(a.latitude, a.longitude, b.latitude, b.longitude) <= SAME_PLACE_M
    ):
        return True
    return place_overlap(pa, pb) > 0


@functools.lru_cache(maxsize=20_000)
def _norm_building(value: str) -> str:
    return normalize(value).replace("号楼", "").replace("栋", "").replace("幢", "")


def recency(a: Report, b: Report) -> tuple[float, float | None]:
    if a.at is None or b.at is None:
        return 0.5, None
    days = abs((a.at - b.at).total_seconds()) / 86400
    return max(0.0, 1 - days / RECENT_DAYS), days


def compare(new: Profile, old: Profile) -> Match | None:
    """Score `old` as a duplicate of `new`; None when the two share no place or no words."""
    text = text_similarity(new, old)
    if text < MIN_TEXT:
        return None
    place, reasons, distance = place_nearness(new.report, old.report, new.places, old.places)
    if place <= 0:
        return None
    fresh, days = recency(new.report, old.report)
    score = text * (0.4 + 0.6 * place) * (0.7 + 0.3 * fresh)
    reasons.insert(0, ("text", round(text * 100)))
    if days is not None:
        reasons.append(("days", math.floor(days)))
    return Match(old.report.key, score, text, place, fresh, distance, reasons)


def _quick_grams(report: Report, places: Places) -> frozenset[str]:
    """Bigrams less the new report's own place names: the candidates come from the same
    place, so its name in their texts says nothing about the problem."""
    return bigrams(without_places(f"{report.title} {report.text[:200]}", places))


def find_duplicates(
    new: Report, candidates: Iterable[Report], *, threshold: float = THRESHOLD, limit: int = 5
) -> list[Match]:
    """The candidates that are probably the same problem as `new`, best first."""
    target = profile(new)
    quick = _quick_grams(new, target.places)
    found = []
    for candidate in candidates:
        if candidate.key == new.key:
            continue
        if dice(quick, _quick_grams(candidate, target.places)) < QUICK_MIN:
            continue
        match = compare(target, profile(candidate))
        if match is not None and match.score >= threshold:
            found.append(match)
    found.sort(key=lambda m: m.score, reverse=True)
    return found[:limit]
