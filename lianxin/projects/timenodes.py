"""Reading a 时间节点 cell as offices write it into milestones.

"2027年3月底前完成方案；6月底前开工；年底前竣工" is three milestones: each date phrase
opens one, and the words up to the next phrase are its text. The phrases understood:

| phrase | date |
| --- | --- |
| 2027年10月15日前, 10月15日, 10月15号 | that day |
| 3月底前, 3月底, 3月末, 3月份, 3月 | the month's last day |
| 6月前, 6月以前, 6月之前 | the day before the month begins (5月31日) |
| 3月上旬 / 中旬 / 下旬 | the 10th / the 20th / the month's last day |
| 一季度, 第二季度, 3季度末 | the quarter's last day |
| 上半年, 年中 / 下半年, 年底, 年末, 年内, 全年 | 6月30日 / 12月31日 |

A year written before a phrase (2027年3月, 2028年底) holds for the phrases after it; a
phrase without one takes the plan's year. Months may be written in Chinese numerals
(三月底前, 十二月). A cell with text but no phrase is refused by the import: a project
without a date cannot be followed.
"""

import datetime as dt
import re
from dataclasses import dataclass

from lianxin.projects.state import month_end

NUMERALS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "十一": 11,
    "十二": 12,
}
_NUM = r"\d{1,2}|十[一二]?|[一二三四五六七八九]"
PHRASE = re.compile(
    rf"""
    (?:(?P<year>\d{{4}})\s*年\s*)?
    (?:
        (?P<month>{_NUM})\s*月\s*
        (?:
            (?P<day>\d{{1,2}})\s*[日号]
          | (?P<third>上旬|中旬|下旬)
          | (?P<end>底|末|份)
        )?
      | 第?(?P<quarter>[一二三四1-4])\s*季度(?:末|底)?
      | (?P<half>上半年|下半年|年中|年底|年末|年内|全年)
      | (?<=年)(?P<yearend>底|末)
    )
    (?P<before>以前|之前|前)?
    """,
    re.VERBOSE,
)
SEPARATORS = " ，,；;。.、：:\n\t（）()"


@dataclass(frozen=True)
class Node:
    due_date: dt.date
    text: str
    phrase: str


def _number(text: str) -> int:
    return int(text) if text.isdigit() else NUMERALS[text]


def _date(match: re.Match, year: int) -> dt.date | None:
    """The date one phrase names, or None for an impossible one (13月, 2月30日)."""
    g = match.groupdict()
    try:
        if g["month"]:
            month = _number(g["month"])
            if not 1 <= month <= 12:
                return None
            if g["day"]:
                return dt.date(year, month, int(g["day"]))
            if g["third"] == "上旬":
                return dt.date(year, month, 10)
            if g["third"] == "中旬":
                return dt.date(year, month, 20)
            if g["third"] or g["end"]:
                return month_end(year, month)
            if g["before"]:
                return dt.date(year, month, 1) - dt.timedelta(days=1)
            return month_end(year, month)
        if g["quarter"]:
            quarter = _number(g["quarter"])
            return month_end(year, 3 * quarter)
        if g["half"] in ("上半年", "年中"):
            return dt.date(year, 6, 30)
        return dt.date(year, 12, 31)
    except ValueError:
        return None


def parse_nodes(text: str, year: int) -> tuple[list[Node], list[str]]:
    """The milestones in a 时间节点 cell, and the phrases that name no real date."""
    text = (text or "").strip()
    matches = [m for m in PHRASE.finditer(text) if m.group(0).strip() and _has_date(m)]
    nodes: list[Node] = []
    bad: list[str] = []
    for index, match in enumerate(matches):
        if match.group("year"):
            year = int(match.group("year"))
        following = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        words = text[match.end() : following].strip(SEPARATORS)
        phrase = match.group(0).strip()
        day = _date(match, year)
        if day is None:
            bad.append(phrase)
            continue
        nodes.append(Node(day, words or phrase, phrase))
    return nodes, bad


def _has_date(match: re.Match) -> bool:
    g = match.groupdict()
    return bool(g["month"] or g["quarter"] or g["half"] or g["yearend"])
