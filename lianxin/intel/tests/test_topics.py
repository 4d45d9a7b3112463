import datetime as dt
import math

from lianxin.intel.topics import Report, group, hotness, read_reports_csv

T = dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC)


def messages():
    """Two problems at one estate, one at another, and noise: 12 reports made up here."""
    mixer = [
        ("丽发新城小区附近搅拌站噪音扰民", "搅拌站日夜施工，噪音太大睡不着"),
        ("丽发新城旁搅拌站噪音严重", "小区旁边的搅拌站半夜还在响"),
        ("投诉丽发新城附近搅拌站噪音和粉尘", "搅拌站粉尘噪音都很严重"),
        ("丽发新城小区搅拌站噪音扰民何时解决", "搅拌站噪音扰民多次反映无果"),
    ]
    parking = [
        ("青青家园小区车位捆绑销售", "开发商强制捆绑销售车位"),
        ("青青家园捆绑销售车位", "买房必须买车位，捆绑销售不合理"),
        ("投诉青青家园小区强制捆绑车位", "捆绑销售车位损害业主权益"),
    ]
    noise = [
        ("和平路口红绿灯坏了", "红绿灯不亮，交通混乱"),
        ("东湖学校食堂饭菜质量差", "孩子反映饭菜不好"),
        ("丽发新城小区电梯经常故障", "电梯坏了好几次"),
        ("人民医院挂号难", "挂号排队太久"),
        ("幸福村自来水停水", "停水三天了"),
    ]
    reports = []
    for n, (title, text) in enumerate(mixer + parking + noise):
        reports.append(
            Report(key=n, title=title, text=text, at=T + dt.timedelta(hours=n * 7), supports=n % 3)
        )
    return reports


def test_groups_one_problem_at_one_place():
    topics = group(messages())
    keys = [sorted(r.key for r in t.reports) for t in topics]
    assert [0, 1, 2, 3] in keys
    assert [4, 5, 6] in keys
    assert len(topics) == 2  # the lift at 丽发新城 is another problem: not in the mixer topic
    mixer = next(t for t in topics if t.size == 4)
    assert "丽发新城" in mixer.place
    assert "搅拌站" in mixer.title


def test_hottest_first_and_the_formula():
    topics = group(messages())
    assert topics[0].hotness >= topics[1].hotness
    # 4 cases by 4 people, 0+1+2+0 supports, within a day: rate 4 a day.
    assert hotness(4, 4, 3, T, T + dt.timedelta(hours=21)) == round(
        (4 + math.log2(4)) * (1 + 4 / 5), 2
    )
    # The same reports over a month are cooler; repeat reports by one person count half.
    assert hotness(4, 4, 3, T, T + dt.timedelta(days=30)) < hotness(4, 4, 3, T, T)
    assert hotness(4, 1, 0) < hotness(4, 4, 0)


def test_reads_a_csv_and_names_missing_columns(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text(
        "主题,详情,时间,点赞\n丽发新城搅拌站噪音,半夜施工,2019-11-02 10:00:00,3\n,,,\n",
        encoding="utf-8",
    )
    reports = read_reports_csv(path, ["主题", "详情"], "时间", "点赞")
    assert reports[0].title == "丽发新城搅拌站噪音"
    assert reports[0].supports == 3 and reports[0].at.year == 2019
    assert reports[1].title == "" and reports[1].at is None
    try:
        read_reports_csv(path, ["标题"], "时间")
    except ValueError as error:
        assert "标题" in str(error)
    else:
        raise AssertionError("a missing column must be an error")
