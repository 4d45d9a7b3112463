"""The demo's place names, person names and concern texts (no database)."""

import random
import re

import pytest

from lianxin.demo import concerns, places, taxonomy

SUBCATEGORY_CODES = [code for _f, _n, subs in taxonomy.CATEGORIES for code, *_ in subs]
PLACEHOLDER = re.compile(r"[{}]")
GENERIC_LISTS = {
    "RETURN_REASONS": 8,
    "EXTENSION_REASONS": 6,
    "UNSATISFIED_COMMENTS": 10,
    "SATISFIED_COMMENTS": 10,
    "PROGRESS_NOTES": 10,
    "VERIFY_NOTES": 6,
    "ESCALATION_NOTES": 4,
    "LEADER_INSTRUCTIONS": 4,
    "VOID_REASONS": 4,
    "WITHDRAW_REASONS": 4,
    "GENERIC_CONSTRAINED": 3,
    "GENERIC_REPLIES": 5,
    "GENERIC_RESOLUTIONS": 5,
}
# Lists callers may use with rng.choice directly: no placeholders.
PLAIN_LISTS = [
    "EXTENSION_REASONS",
    "UNSATISFIED_COMMENTS",
    "SATISFIED_COMMENTS",
    "PROGRESS_NOTES",
    "VERIFY_NOTES",
    "ESCALATION_NOTES",
    "LEADER_INSTRUCTIONS",
    "VOID_REASONS",
    "WITHDRAW_REASONS",
]


def test_category_codes_match_taxonomy():
    assert concerns.CATEGORY_CODES == SUBCATEGORY_CODES
    assert set(concerns.TEXTS) == set(SUBCATEGORY_CODES)


@pytest.mark.parametrize("code", SUBCATEGORY_CODES)
def test_category_has_enough_distinct_texts(code):
    texts = concerns.TEXTS[code]
    assert len(set(texts.concerns)) >= 6
    assert len({t.title for t in texts.concerns}) == len(texts.concerns)
    assert len({a.text for a in texts.replies}) >= 3
    assert len({a.text for a in texts.resolutions}) >= 3


@pytest.mark.parametrize("code", SUBCATEGORY_CODES)
def test_concern_templates_use_only_known_placeholders(code):
    for title, text, _needs in concerns.TEXTS[code].concerns:
        fields = set(re.findall(r"\{(\w*)\}", title + text))
        assert fields <= {"place", "addr", "n"}, (title, fields)
        assert "place" in fields or "addr" in fields, title


@pytest.mark.parametrize("code", SUBCATEGORY_CODES)
def test_every_concern_has_its_own_reply_and_resolution(code):
    texts = concerns.TEXTS[code]
    for number in range(1, len(texts.concerns) + 1):
        for answers in (texts.replies, texts.resolutions):
            assert any(number in a.concerns or not a.concerns for a in answers), (code, number)


@pytest.mark.parametrize("code", SUBCATEGORY_CODES)
def test_every_concern_has_a_place_that_fits(code):
    all_places = places.all_places()
    for template in concerns.TEXTS[code].concerns:
        assert any(concerns._suits(template, p) for p in all_places), template.title


def test_write_concern_fills_every_placeholder():
    rng = random.Random(20240601)
    all_places = places.all_places()
    for code in SUBCATEGORY_CODES:
        # every template of the category, with the longest and shortest names
        for title_tpl, text_tpl, _needs in concerns.TEXTS[code].concerns:
            for place in (max(all_places, key=len), min(all_places, key=len)):
                addr = places.address(rng, place)
                values = {"place": place, "addr": addr, "n": 9}
                title = concerns.fill(rng, title_tpl, **values)
                text = concerns.fill(rng, text_tpl, **values)
                assert 8 <= len(title) <= 25, title
                assert 40 <= len(text) <= 200, text
        for _ in range(20):
            place = rng.choice(all_places)
            title, text = concerns.write_concern(rng, code, place, places.address(rng, place))
            assert not PLACEHOLDER.search(title + text), (code, title, text)


def test_department_texts_are_filled():
    rng = random.Random(7)
    for code in SUBCATEGORY_CODES:
        for _ in range(10):
            for text in (
                concerns.reply_text(rng, code),
                concerns.resolution_note(rng, code),
                concerns.constrained_explanation(rng, code),
            ):
                assert not PLACEHOLDER.search(text), (code, text)
                assert len(text) >= 15, text


def test_answers_follow_the_concern_title():
    rng = random.Random(8)
    all_places = places.all_places()
    for code in SUBCATEGORY_CODES:
        texts = concerns.TEXTS[code]
        for number, template in enumerate(texts.concerns, start=1):
            title = concerns.fill(rng, template.title, place=rng.choice(all_places), n=3)
            assert concerns.concern_number(code, title) == number, title
            own = {a.text for a in texts.replies if number in a.concerns}
            for _ in range(5):
                reply = concerns.reply_text(rng, code, title=title, n=3)
                if own:
                    assert reply in {concerns.fill(rng, t, n=3) for t in own}, (title, reply)
            constrained = concerns.constrained_explanation(rng, code, title=title)
            assert not PLACEHOLDER.search(constrained)
            if not concerns.has_constrained(code, title=title):
                assert constrained in concerns.GENERIC_CONSTRAINED
    assert concerns.concern_number("sanitation", "与任何模板都不符的标题") is None


def test_constrained_falls_back_to_generic(monkeypatch):
    code = SUBCATEGORY_CODES[0]
    bare = concerns.TEXTS[code]._replace(constrained=[])
    monkeypatch.setitem(concerns.TEXTS, code, bare)
    assert not concerns.has_constrained(code)
    text = concerns.constrained_explanation(random.Random(1), code)
    assert text in concerns.GENERIC_CONSTRAINED


def test_place_needs_steer_template_choice():
    rng = random.Random(4)
    flat_titles = {t.title for t in concerns.TEXTS["lift"].concerns if "flat" in t.needs}
    assert flat_titles
    for _ in range(50):
        title, _text = concerns.write_concern(rng, "lift", "观潮广场", "观潮广场东门")
        assert title not in flat_titles
    assert concerns.fits("ferry", "南嘴村中街")
    assert not concerns.fits("ferry", "福临苑小区")
    assert concerns.places_that_fit("ferry", ["福临苑小区", "北头村后街"]) == ["北头村后街"]
    # a place no template suits still gets a concern
    title, text = concerns.write_concern(rng, "ferry", "福临苑小区", "福临苑小区1号楼1单元101室")
    assert title and "福临苑小区" in title + text


@pytest.mark.parametrize(("name", "minimum"), GENERIC_LISTS.items())
def test_generic_lists(name, minimum):
    items = getattr(concerns, name)
    assert len(set(items)) >= minimum
    rng = random.Random(3)
    for _ in range(30):
        text = concerns.pick(rng, items, unit="区城市管理局")
        assert not PLACEHOLDER.search(text), text
    if name in PLAIN_LISTS:
        assert not any(PLACEHOLDER.search(item) for item in items), name


def test_pick_defaults_and_missing_placeholder():
    rng = random.Random(5)
    text = concerns.pick(rng, ["请{unit}在{n}日内办理"])
    assert text.startswith("请" + concerns.DEFAULT_UNIT)
    with pytest.raises(KeyError):
        concerns.pick(rng, ["{place}"])


def test_parse_block_format():
    texts = concerns.parse_block(
        """
        @concerns
        - [flat] 标题
          第一行
          第二行
        - 标题二
          正文
        @replies
        - (2) 答复一
          续
        - 答复二
        """
    )
    assert texts.concerns == [
        ("标题", "第一行第二行", frozenset({"flat"})),
        ("标题二", "正文", frozenset()),
    ]
    assert texts.replies == [("答复一续", frozenset({2})), ("答复二", frozenset())]
    assert texts.resolutions == [] and texts.constrained == []
    for bad in ("@unknown\n- x", "@concerns\n- [nowhere] 标题\n  正文", "@replies\n- (3) x"):
        with pytest.raises(ValueError):
            concerns.parse_block(bad)


def test_places_structure_and_unique_codes():
    assert places.DISTRICT_NAME.endswith("区")
    assert len(places.STREETS) == 10
    codes = []
    for street_code, street_name, communities in places.STREETS:
        codes.append(street_code)
        assert street_name.endswith(("街道", "镇"))
        assert len(communities) == 4
        for community_code, community_name, names in communities:
            codes.append(community_code)
            assert community_name.endswith(("社区", "村"))
            assert 4 <= len(names) <= 6
            assert len(set(names)) == len(names)
    assert len(codes) == len(set(codes)) == 50
    for code in codes:
        assert re.fullmatch(r"[a-z0-9-]{1,30}", code), code
    all_places = places.all_places()
    assert len(all_places) == len(set(all_places))


def test_person_names_and_phones():
    rng = random.Random(42)
    names = [places.person_name(rng) for _ in range(1000)]
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,3}", name) for name in names)
    assert len(set(names)) > 850
    phones = [places.mobile_phone(rng) for _ in range(1000)]
    assert all(re.fullmatch(r"^1[3-9]\d{9}$", phone) for phone in phones)


def test_addresses():
    rng = random.Random(11)
    assert re.fullmatch(r"福临苑小区\d+号楼\d单元\d{3,4}室", places.address(rng, "福临苑小区"))
    for place in places.all_places():
        addr = places.address(rng, place)
        assert addr.startswith(place)
        assert len(addr) > len(place)
    road = {places.address(rng, "海韵路") for _ in range(50)}
    assert any("交叉口" in a for a in road)
    assert places.is_rural("前渔村前街") and not places.is_rural("海韵路")
    assert places.is_island("鸥岛客运码头") and not places.is_island("前渔村前街")


def test_the_texts_are_data_files_shipped_with_the_package():
    import tomllib
    from fnmatch import fnmatch
    from pathlib import Path

    demo = Path(concerns.__file__).parent
    pyproject = demo.parent.parent / "pyproject.toml"
    patterns = tomllib.loads(pyproject.read_text())["tool"]["setuptools"]["package-data"]
    files = sorted(p.relative_to(demo).as_posix() for p in (demo / "data").rglob("*.txt"))
    assert len([f for f in files if f.startswith("data/concerns/")]) == len(SUBCATEGORY_CODES)
    assert "data/wishes.txt" in files
    unshipped = [f for f in files if not any(fnmatch(f, p) for p in patterns["lianxin.demo"])]
    assert unshipped == []
