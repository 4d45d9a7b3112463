"""`lianxin intel topics`: the top topics of a CSV of messages, with their messages."""

import io

import pytest
from django.core.management import CommandError, call_command

ROWS = [
    (
        "丽发新城小区附近搅拌站噪音扰民",
        "搅拌站日夜施工，噪音太大",
        "2019-11-02 10:00:00",
        "3",
        "u1",
    ),
    ("丽发新城旁搅拌站噪音严重", "小区旁边的搅拌站半夜还在响", "2019-11-03 10:00:00", "0", "u2"),
    ("投诉丽发新城附近搅拌站噪音", "搅拌站粉尘噪音都很严重", "2019-11-04 10:00:00", "1", "u2"),
    ("人民医院挂号难", "挂号排队太久", "2019-11-05 10:00:00", "9", "u3"),
]


def write(tmp_path):
    path = tmp_path / "messages.csv"
    lines = ["主题,详情,时间,点赞,用户"] + [",".join(row) for row in ROWS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_prints_the_topics_with_their_messages(tmp_path):
    out = io.StringIO()
    call_command(
        "intel",
        "topics",
        "--input",
        str(write(tmp_path)),
        "--text-columns",
        "主题,详情",
        "--time-column",
        "时间",
        "--votes-column",
        "点赞",
        "--user-column",
        "用户",
        stdout=out,
    )
    text = out.getvalue()
    assert "4 messages, 1 topics of 2 or more" in text
    assert "#1 hotness" in text and "3 messages, 2 people, 4 votes" in text
    assert "丽发新城旁搅拌站噪音严重" in text
    assert "人民医院挂号难" not in text  # alone: not a topic


def test_a_missing_column_is_named(tmp_path):
    with pytest.raises(CommandError, match="标题"):
        call_command(
            "intel",
            "topics",
            "--input",
            str(write(tmp_path)),
            "--text-columns",
            "标题",
            "--time-column",
            "时间",
        )
