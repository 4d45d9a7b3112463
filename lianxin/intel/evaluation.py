"""Scoring the category model on labelled CSV files, beside a plain baseline.

Plain Python (no Django): the `lianxin intel eval` command is a thin wrapper.
"""

import csv
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC

from lianxin.intel.classifier import CategoryModel
from lianxin.intel.store import save_model


class MissingColumns(ValueError):
    def __init__(self, path: Path | str, missing: Sequence[str]):
        self.missing = list(missing)
        super().__init__(f"{path} has no column {', '.join(self.missing)}")


def read_labelled_csv(
    path: Path | str, text_columns: Sequence[str], label_column: str
) -> tuple[list[str], list[str]]:
    """(texts, labels) of a UTF-8 CSV: text columns joined with a space, a missing cell is ""."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames or []
        missing = [c for c in [*text_columns, label_column] if c not in header]
        if missing:
            raise MissingColumns(path, missing)
        texts, labels = [], []
        for row in reader:
            texts.append(" ".join((row.get(c) or "") for c in text_columns))
            labels.append((row.get(label_column) or "").strip())
    return texts, labels


def baseline(train_texts, train_labels, test_texts) -> list[str]:
    """The yardstick: TF-IDF of characters 1 to 3 in a row, a linear SVM, default settings."""
    pipeline = make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 3)), LinearSVC())
    pipeline.fit(train_texts, train_labels)
    return list(pipeline.predict(test_texts))


def evaluate(
    train: tuple[list[str], list[str]], test: tuple[list[str], list[str]]
) -> dict[str, object]:
    """Train on `train`, score on `test`; the figures of the `eval` command.

    predict_ms times one message at a time, as a case arrives, not a batch.
    """
    train_texts, train_labels = train
    test_texts, test_labels = test
    if not test_texts:
        raise ValueError("the test file has no rows")

    started = time.perf_counter()
    model = CategoryModel.train(train_texts, train_labels)
    train_seconds = time.perf_counter() - started

    with tempfile.TemporaryDirectory() as tmp:
        path = save_model(model, Path(tmp) / "model.joblib")
        model_mb = path.stat().st_size / 2**20

    started = time.perf_counter()
    suggestions = [model.suggest(text, 3) for text in test_texts]
    predict_ms = (time.perf_counter() - started) * 1000 / len(test_texts)

    predicted = [s[0].label for s in suggestions]
    pairs = zip(test_labels, suggestions, strict=True)
    top3 = sum(gold in {s.label for s in top} for gold, top in pairs)
    base = baseline(train_texts, train_labels, test_texts)
    return {
        "accuracy": round(accuracy_score(test_labels, predicted), 4),
        "macro_f1": round(f1_score(test_labels, predicted, average="macro"), 4),
        "top3_accuracy": round(top3 / len(test_labels), 4),
        "train_seconds": round(train_seconds, 2),
        "predict_ms": round(predict_ms, 3),
        "model_mb": round(model_mb, 3),
        "baseline": {
            "accuracy": round(accuracy_score(test_labels, base), 4),
            "macro_f1": round(f1_score(test_labels, base, average="macro"), 4),
        },
    }
