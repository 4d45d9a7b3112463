import pytest

from lianxin.intel.places import (
    bounding_box,
    core,
    extract_places,
    haversine_m,
    place_overlap,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A市万家丽南路丽发新城居民区附近搅拌站扰民", {"万家丽南路", "丽发新城"}),
        ("福临苑小区3号楼门口路灯不亮", {"福临苑小区"}),
        ("福临苑小区路灯不亮", {"福临苑小区"}),  # jieba cuts 小区 / 路 / 灯不亮
        ("A5区魅力之城临街门面油烟扰民", {"魅力之城"}),
        ("A市经济学院强制学生外出实习", {"经济学院"}),
    ],
)
def test_reads_named_places(text, expected):
    assert expected <= extract_places(text).names


def test_areas_and_buildings_are_kept_apart_from_names():
    places = extract_places("A3区麓谷明珠小区6栋架空层被改变用途")
    assert "A3区" in places.areas
    assert "6" in places.buildings
    assert not any("A3" in name for name in places.names)


def test_offices_and_vague_words_are_not_places():
    names = extract_places("请市委市政府关注该小区的马路问题").names
    assert not any("政府" in n for n in names)
    assert "马路" not in names and "该小区" not in names


def test_same_estate_under_different_names_overlaps():
    a = extract_places("丽发新城小区附近搅拌站噪音大")
    b = extract_places("丽发小区旁建搅拌站")
    c = extract_places("青青家园小区门口占道经营")
    assert core("丽发新城小区") == "丽发"
    assert place_overlap(a, b) >= 0.8
    assert place_overlap(a, c) == 0


def test_haversine_and_box():
    # One thousandth of a degree of latitude is about 111 m anywhere.
    assert haversine_m(36.0, 120.0, 36.001, 120.0) == pytest.approx(111.2, abs=0.5)
    lat0, lat1, lon0, lon1 = bounding_box(36.0, 120.0, 500)
    assert haversine_m(36.0, 120.0, lat1, 120.0) == pytest.approx(500, rel=0.01)
    assert haversine_m(36.0, 120.0, 36.0, lon1) == pytest.approx(500, rel=0.01)
    assert lat0 < 36.0 < lat1 and lon0 < 120.0 < lon1
