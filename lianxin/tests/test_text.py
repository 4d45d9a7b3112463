"""Pasted text made fit to store (`clean_text`) and to write out (`xml_safe`)."""

import io
import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from lianxin.text import clean_text, xml_safe

# Every code point, surrogates included: what a broken clipboard or a bad decoder hands us.
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()))


def test_words_line_breaks_become_newlines_and_invisible_controls_go():
    pasted = " 路灯不亮\x0b已一周\r\n请尽快\x0c修理\u2028谢谢\x00\x07\x1b\x7f\x9f\t！ "
    assert clean_text(pasted) == "路灯不亮\n已一周\n请尽快\n修理\n谢谢\t！"


def test_surrogates_and_non_characters_go():
    assert clean_text("井盖\ud800松动\ufffe\uffff\ufdd0\U0001fffe\U0010ffff了") == "井盖松动了"


def test_ordinary_text_is_kept_as_it_is():
    text = "福临苑3号楼（王秀兰家）：路灯😀不亮，ＡＢＣ全角、emoji 与制表符\t都保留。"
    assert clean_text(text) == text
    assert xml_safe(text) == text


def test_one_line_text_turns_breaks_and_tabs_into_one_space():
    assert clean_text(" 福临苑\x0b\r\n 3号楼\t北门 ", one_line=True) == "福临苑 3号楼 北门"


def test_empty_and_none():
    assert clean_text(None) == ""
    assert clean_text(" \x0b\x00 ") == ""


@given(ANY_TEXT)
def test_clean_text_leaves_nothing_an_xlsx_refuses(value):
    cleaned = clean_text(value)
    assert clean_text(cleaned) == cleaned  # cleaning twice changes nothing
    assert xml_safe(cleaned) == cleaned
    assert not any(ch in cleaned for ch in "\r\x0b\x0c\x00")


# Each example saves a workbook (100–400 ms on a loaded machine): no per-example deadline.
@settings(deadline=None)
@given(ANY_TEXT)
def test_xml_safe_text_can_be_written_to_xlsx_and_to_xml(value):
    safe = xml_safe(value)
    book = Workbook()
    book.active["A1"] = safe  # openpyxl raises IllegalCharacterError on what it refuses
    book.save(io.BytesIO())
    element = ET.Element("description")
    element.text = safe
    parsed = ET.fromstring(ET.tostring(element, encoding="unicode"))  # noqa: S314  (our own)
    assert (parsed.text or "").replace("\r", "\n") == safe.replace("\r\n", "\n").replace("\r", "\n")


def test_an_xlsx_cell_keeps_the_text_around_what_was_dropped():
    book = Workbook()
    book.active["A1"] = xml_safe("路灯\x0b不亮\x00")
    target = io.BytesIO()
    book.save(target)
    assert load_workbook(target).active["A1"].value == "路灯不亮"
