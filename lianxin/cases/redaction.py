"""What of a case's words a stranger may read: its texts with personal data blanked out.

Every public output (the keyless Open311 feed, the "similar reports" box and the support
page on /m/) shows case text through `public_text`, so that one list of patterns decides
what is blanked. Residents write their name, phone, identity number and flat into the
text of a concern as often as into the fields meant for them; what the patterns blank:

1. the stored name and phone of the resident (and the given name of a Chinese name
   alone), and a name after 姓名 / 联系人 / 我叫;
2. identity-card numbers (18 digits, the last may be X, or the old 15) and any other run
   of 15 to 19 digits (bank cards);
3. mobile numbers (with or without +86 and separators) and landlines: with an area code
   (0532-88881234, (0532)88881234, 053288881234) or a bare 8-digit local number, except
   a date (20260617) or an amount (12000000元);
4. e-mail addresses;
5. vehicle plates: 鲁B12345, 鲁B·12345, new-energy 鲁BD12345, 鲁B12345F, 鲁B1234学;
6. door and flat numbers: 2单元502室, 502室, 1202房间, 2-502 and 3-2-502. The building
   (3号楼, 5栋) stays: it names where a street light or a leak is, not who lives there.

Ordinary words and numbers stay as they are: dates, times, amounts, the 12345 hotline,
house numbers of a road (香港中路8号), floors (5楼), layouts (3室2厅).
"""

import re

from lianxin.cases.models import Case

REDACTED = "***"

# Units after a number that make it an amount or a count, not a phone or a flat.
_QUANTITY = (
    r"(?:\s*(?:元|块|万|亿|千|百|角|平|米|㎡|公里|吨|斤|公斤"
    r"|个|户|人|次|件|天|年|月|日|号|%|％|\.\d))"
)

_ID_NUMBER = r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15,19})(?![0-9A-Za-z])"
_MOBILE = r"(?<![\d+])(?:\+?86[-\s]?)?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}(?!\d)"
_LANDLINE = (
    r"(?<![0-9A-Za-z])(?:[(（]\s*0\d{2,3}\s*[)）]\s*-?\s*|0\d{2,3}\s*-?\s*)[2-9]\d{2,3}-?\d{4}"
    r"(?:\s*(?:-|转|分机)\s*\d{1,5})?(?!\d)"
)
_DATE = r"(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
_LOCAL = rf"(?<![0-9A-Za-z.\-])(?!{_DATE}(?!\d))[2-9]\d{{3}}[-\s]?\d{{4}}(?![\d-])(?!{_QUANTITY})"
_EMAIL = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领"
_PLATE = (
    rf"[{_PROVINCES}]\s*[A-Za-z]\s*[·・.\s]?\s*"
    r"(?:[A-Za-z0-9]{5,6}(?![A-Za-z0-9])|[A-Za-z0-9]{4}[挂学警港澳])"
)
_FLAT = (
    r"(?:\d{1,2}\s*(?:单元|门|梯)\s*)?\d{3,4}\s*(?:室|房间)"
    r"|\d{1,2}\s*(?:单元|门)\s*\d{3,4}(?!\d)"
    r"|(?<![\d.:\-/])\d{1,3}-\d{1,2}-\d{3,4}(?![\d\-/.:])"
    rf"|(?<![\d.:\-/])\d{{1,3}}-\d{{3,4}}(?![\d\-/.:])(?!{_QUANTITY})"
)
_NAMED = r"(?:姓名|联系人|我叫|本人叫)\s*[:：]?\s*[\u4e00-\u9fff]{2,3}"

# One pass, longest-first alternatives: an identity number must go before its digits can
# look like a phone, a landline before its last eight digits look like a local number.
PERSONAL = re.compile(
    "|".join(f"(?:{p})" for p in (_EMAIL, _ID_NUMBER, _MOBILE, _LANDLINE, _PLATE, _FLAT, _NAMED))
    + f"|(?:{_LOCAL})"
)

_RUNS = re.compile(r"(?:\*\*\*){2,}")


def redact(text: str, *, names: tuple[str, ...] = (), phones: tuple[str, ...] = ()) -> str:
    """`text` with the given names and phones and anything that looks personal blanked."""
    if not text:
        return text
    for phone in phones:
        if phone:
            text = text.replace(phone, REDACTED)
    for name in names:
        if len(name) >= 2:
            text = text.replace(name, REDACTED)
    # Blanks side by side (a flat then a name) read as one: a stranger need not count them.
    return _RUNS.sub(REDACTED, PERSONAL.sub(REDACTED, text))


def _names(name: str) -> tuple[str, ...]:
    name = name.strip()
    if len(name) < 2:
        return ()
    # 王秀兰 is often written 秀兰; a two-character name's second character alone is too
    # common a word to blank.
    if 3 <= len(name) <= 4 and all("\u4e00" <= ch <= "\u9fff" for ch in name):
        return (name, name[1:])
    return (name,)


def public_text(text: str, case: Case) -> str:
    """`text` of `case` as a stranger may read it (see the module's list)."""
    return redact(text, names=_names(case.resident_name), phones=(case.resident_phone,))
