"""Text as people paste it, made fit to store and to write out.

Residents and staff paste from Word, WeChat and old spreadsheets, and bring along
characters no one can see: Word's manual line break is a vertical tab (U+000B), a page
break is a form feed, and a broken clipboard leaves lone surrogates or non-characters
such as U+FFFE. Stored, they make every .xlsx holding them fail (openpyxl refuses
them) and the Open311 XML ill-formed.

Two functions, at the bottom of the house so that every app may use them:
- `clean_text` at intake: line breaks become "\\n", and every other control,
  surrogate or non-character goes. Actions call it on what they store.
- `xml_safe` at export: drops what XML 1.0 (hence .xlsx) cannot carry, for rows
  stored before intake cleaned them.
"""

import re
from typing import TypeAlias

from django.utils.functional import Promise

# A message for a person: a string, or one translated lazily (gettext_lazy).
Message: TypeAlias = str | Promise

# Line separators that Word, old Macs and Unicode use; each becomes one newline.
_LINE_BREAKS = re.compile(r"\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# C0 controls except tab and newline, DEL and C1 controls, lone surrogates, and the
# non-characters (U+FDD0..U+FDEF and the last two code points of every plane).
_UNWANTED = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17))
    + "]"
)
_BREAKS_AND_TABS = re.compile(r"\s*[\n\t][\n\t\s]*")
# What XML 1.0 cannot carry: https://www.w3.org/TR/xml/#charsets
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean_text(value: str | None, *, one_line: bool = False) -> str:
    """The text as it should be stored: line breaks as "\\n", no invisible controls,
    surrogates or non-characters, no surrounding white space. `one_line` (a title, an
    address, a name) turns each run of line breaks and tabs into one space."""
    if not value:
        return ""
    text = _UNWANTED.sub("", _LINE_BREAKS.sub("\n", value))
    if one_line:
        text = _BREAKS_AND_TABS.sub(" ", text)
    return text.strip()


def xml_safe(value: str) -> str:
    """The text without the characters XML 1.0 (and so .xlsx) cannot carry."""
    if value.isprintable():
        # No control, surrogate or unassigned character: most cells, told in a fraction of
        # the regular expression's time (an export calls this for every text cell).
        return value
    return _NOT_XML.sub("", value)
