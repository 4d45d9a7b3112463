import datetime as dt
import itertools
import random
from decimal import Decimal

from lianxin.intel.duplicates import (
    SAME_PLACE,
    Report,
    at_same_place,
    bigrams,
    compare,
    dice,
    find_duplicates,
    place_nearness,
    profile,
)

T = dt.datetime(2026, 5, 6, 10, tzinfo=dt.UTC)
LAMP = Report(
    key="new",
    title="福临苑3号楼门口路灯不亮",
    text="福临苑小区3号楼门口的路灯坏了一个多星期，晚上老人出门看不清路。",
    address="福临苑小区3号楼",
    at=T,
    latitude=36.06610,
    longitude=120.38260,
    grid="g1",
    building="3号楼",
)


def report(key, title, text="", **fields):
    values = {
        "address": "福临苑小区",
        "at": T - dt.timedelta(days=3),
        "latitude": 36.06615,
        "longitude": 120.38268,
        "grid": "g1",
    }
    values.update(fields)
    return Report(key=key, title=title, text=text, **values)


def test_bigrams_ignore_punctuation_width_and_petition_words():
    assert bigrams("路灯，不亮！") == bigrams("路灯 不亮")
    assert "反映" not in bigrams("反映路灯不亮")
    assert dice(bigrams("路灯不亮"), bigrams("路灯不亮")) == 1.0
    assert dice(bigrams("路灯不亮"), bigrams("垃圾清运")) == 0.0


def test_the_same_lamp_in_other_words_is_a_duplicate_with_reasons():
    same = report("a", "3号楼前路灯坏了", "晚上3号楼门口那盏路灯一直不亮", building="3栋")
    [match] = find_duplicates(LAMP, [same])
    assert match.key == "a"
    codes = dict(match.reasons)
    assert codes["same_building"] == "3栋"
    assert codes["distance"] < 20
    assert codes["days"] == 3
    assert "same_grid" in codes


def test_a_different_problem_at_the_same_place_is_not():
    other = report("b", "福临苑小区垃圾无人清运", "小区垃圾桶满了好几天没人清理，气味难闻")
    assert compare(profile(LAMP), profile(other)) is None
    assert find_duplicates(LAMP, [other]) == []


def test_the_same_problem_far_away_is_not():
    far = report(
        "c",
        "路灯不亮",
        "和平路上的路灯坏了",
        address="青峰社区和平路",
        grid="g2",
        latitude=36.2,
        longitude=120.5,
    )
    assert find_duplicates(LAMP, [far]) == []


def test_older_matches_score_lower_and_best_comes_first():
    fresh = report("fresh", "3号楼门口路灯坏了", "路灯不亮")
    stale = report("stale", "3号楼门口路灯坏了", "路灯不亮", at=T - dt.timedelta(days=50))
    found = find_duplicates(LAMP, [stale, fresh])
    assert [m.key for m in found] == ["fresh", "stale"]
    assert found[0].score > found[1].score


def test_place_from_text_alone_when_there_is_no_map_point_or_grid():
    a = Report("x", "丽发新城小区附近搅拌站噪音扰民", "搅拌站日夜施工噪音大", at=T)
    b = Report("y", "丽发新城旁边搅拌站噪音太大", "搅拌站晚上噪音很大", at=T)
    [match] = find_duplicates(a, [b])
    reasons = dict(match.reasons)
    assert "丽发新城" in reasons["same_place_name"]
    assert match.place > 0.7


def test_the_report_itself_is_skipped():
    assert find_duplicates(LAMP, [LAMP]) == []


def test_the_quick_same_place_test_agrees_with_place_nearness():
    """The topics ask `at_same_place` of many pairs; it must say what place_nearness says."""
    rng = random.Random(3)
    addresses = [
        "福临苑小区3号楼",
        "福临苑5号楼",
        "丽发新城小区",
        "丽发小区",
        "青峰路12号",
        "",
        "东湖学校",
    ]
    reports = []
    for n in range(120):
        point = rng.random() < 0.7
        reports.append(
            Report(
                key=n,
                title="路灯不亮",
                address=rng.choice(addresses),
                # Points up to about 700 m apart, some right at the 355 m edge.
                latitude=36.066 + rng.uniform(-0.0032, 0.0032) if point else None,
                longitude=120.382 + rng.uniform(-0.004, 0.004) if point else None,
                grid=rng.choice([None, "g1", "g2"]),
                community=rng.choice([None, "c1", "c2"]),
                building=rng.choice(["", "3号楼", "3栋"]),
            )
        )
    profiles = [profile(r) for r in reports]
    for a, b in itertools.product(profiles, repeat=2):
        nearness = place_nearness(a.report, b.report, a.places, b.places)[0]
        assert at_same_place(a.report, b.report, a.places, b.places) == (nearness >= SAME_PLACE)


def test_map_points_from_the_database_are_floats():
    report = Report(
        key=1, title="路灯不亮", latitude=Decimal("36.066100"), longitude=Decimal("120.3826")
    )
    assert (report.latitude, report.longitude) == (36.0661, 120.3826)
    assert isinstance(report.latitude, float)
