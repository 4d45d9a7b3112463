import csv
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lianxin.intel.tests.samples import examples


def write_csv(path, rows, header=("编号", "标题", "详情", "一级标签")):
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def files(tmp_path):
    texts, labels = examples()
    pairs = enumerate(zip(texts, labels, strict=True))
    rows = [(i, text[:6], text[6:], label) for i, (text, label) in pairs]
    test_rows = [
        (1, "公交车站", "太远", "traffic"),
        (2, "垃圾", "", "environment"),
        (3, "学校乱收费", None, "education"),
        (4, "拖欠工资", "不发", "labour"),
    ]
    return write_csv(tmp_path / "train.csv", rows), write_csv(tmp_path / "test.csv", test_rows)


def run(*args) -> str:
    out = StringIO()
    call_command("intel", *args, stdout=out)
    return out.getvalue()


def test_eval_prints_json_last(files):
    train, test = files
    output = run(
        "eval", "--train", str(train), "--test", str(test),
        "--text-columns", "标题,详情", "--label-column", "一级标签",
    )  # fmt: skip
    result = json.loads(output.strip().splitlines()[-1])
    assert set(result) == {
        "accuracy", "macro_f1", "top3_accuracy", "train_seconds", "predict_ms", "model_mb",
        "baseline",
    }  # fmt: skip
    assert set(result["baseline"]) == {"accuracy", "macro_f1"}
    assert result["accuracy"] == 1.0
    assert result["top3_accuracy"] == 1.0
    assert result["model_mb"] > 0
    assert result["predict_ms"] > 0


def test_eval_names_the_missing_columns(files):
    train, test = files
    with pytest.raises(CommandError, match="正文, 分类"):
        run(
            "eval", "--train", str(train), "--test", str(test),
            "--text-columns", "标题,正文", "--label-column", "分类",
        )  # fmt: skip


def test_eval_missing_file(files, tmp_path):
    train, _ = files
    with pytest.raises(CommandError, match="nope.csv"):
        run(
            "eval", "--train", str(train), "--test", str(tmp_path / "nope.csv"),
            "--text-columns", "标题", "--label-column", "一级标签",
        )  # fmt: skip
