"""Addresses as offices write them, reduced to one spelling: a household's identity.

The same flat is written 福临苑3号楼2单元301室, 福临苑 3号楼 2-301, 福临苑３号楼二单元３０１
in different spreadsheets. `address_key` folds those spellings together so that an import
matches the household already in the register instead of creating it twice.

1. Full-width letters and digits become half-width (NFKC), letters lower case.
2. Spaces and punctuation go; a dash between numbers stands for 单元/号.
3. Chinese numerals directly before 号/栋/单元/室/层/组 become digits (二单元 → 2单元).
4. Synonyms take one spelling: 栋/幢/座 → 号楼, 门 → 单元, 户/号房 → 室.
"""

import re
import unicodedata

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_DIGITS.update({"六": 6, "七": 7, "八": 8, "九": 9})
_UNITS_AFTER_NUMBER = "号楼|号|栋|幢|座|单元|门|室|层|楼|组|户"
_CHINESE_NUMBER = re.compile(rf"([零〇一二两三四五六七八九十百]+)(?={_UNITS_AFTER_NUMBER})")
_PUNCTUATION = re.compile(r"[\s,，。.、;；:：'\"“”‘’()（）\[\]【】#＃_]+")
_SYNONYMS = [
    (re.compile(r"(\d+)(栋|幢|座)"), r"\1号楼"),
    (re.compile(r"(\d+)门"), r"\1单元"),
    (re.compile(r"(\d+)(户|号房)$"), r"\1室"),
]
# 3号楼2-301 → 3号楼2单元301室; 3-2-301 → 3号楼2单元301室.
_THREE_PART = re.compile(r"(?<![\d])(\d+)-(\d+)-(\d+)(?![\d])")
_BUILDING_DASH = re.compile(r"号楼(\d+)-(\d+)(?![\d])")
_TRAILING_ROOM = re.compile(r"单元(\d+)$")


def _chinese_to_int(text: str) -> int:
    """Small Chinese numerals as written in addresses (up to 999)."""
    total, current = 0, 0
    for char in text:
        if char == "百":
            total += (current or 1) * 100
            current = 0
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _DIGITS[char]
    return total + current


def address_key(address: str) -> str:
    text = unicodedata.normalize("NFKC", address or "").lower()
    text = text.replace("—", "-").replace("－", "-").replace("~", "-")
    text = _PUNCTUATION.sub("", text)
    text = _CHINESE_NUMBER.sub(lambda m: str(_chinese_to_int(m.group(1))), text)
    for pattern, replacement in _SYNONYMS:
        text = pattern.sub(replacement, text)
    text = _THREE_PART.sub(r"\1号楼\2单元\3室", text)
    text = _BUILDING_DASH.sub(r"号楼\1单元\2室", text)
    text = _TRAILING_ROOM.sub(r"单元\1室", text)
    return text[:200]
