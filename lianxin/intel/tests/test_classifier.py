import math

import numpy as np
import pytest

from lianxin.intel.classifier import CategoryModel, KeywordRules, normalize
from lianxin.intel.store import ModelStore, load_model, save_model
from lianxin.intel.tests.samples import examples


@pytest.fixture(scope="module")
def model() -> CategoryModel:
    texts, labels = examples()
    return CategoryModel.train(texts, labels)


def test_suggests_top_three_with_confidences(model):
    suggestions = model.suggest("南山小区门口的公交车站太远了")
    assert len(suggestions) == 3
    assert suggestions[0].label == "traffic"
    confidences = [s.confidence for s in suggestions]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0 <= c <= 1 for c in confidences)
    assert confidences[0] > 0.5
    assert sum(confidences) <= 1.0001
    assert len({s.label for s in suggestions}) == 3


def test_probabilities_over_all_labels_sum_to_one(model):
    p = model.probabilities(["工资", "", "废气"])
    assert p.shape == (3, 4)
    assert np.allclose(p.sum(axis=1), 1)


def test_predicts_unseen_wording(model):
    assert model.predict(["小区垃圾没人清理", "幼儿园学位不够", "老板拖欠工资"]) == [
        "environment",
        "education",
        "labour",
    ]


def test_scores_match_scikit_learn(model):
    import scipy.sparse as sp

    texts = ["和平路红绿灯坏了", "噪音\u3000扰民\xa0严重", "完全无关的话"]
    cleaned = [normalize(t) for t in texts]
    x = sp.hstack([v.transform(cleaned) for v in model.vectorizers]).tocsr()
    assert np.allclose(model.scores(texts), model.svm.decision_function(x))


def test_label_with_one_example_is_left_out():
    texts, labels = examples()
    model = CategoryModel.train([*texts, "路灯不亮"], [*labels, "lighting"])
    assert "lighting" not in model.labels
    assert model.meta["left_out"] == ["lighting"]


def test_two_labels():
    texts, labels = examples()
    pairs = [(t, y) for t, y in zip(texts, labels, strict=True) if y in ("traffic", "labour")]
    model = CategoryModel.train([t for t, _ in pairs], [y for _, y in pairs])
    top = model.suggest("公司拖欠工资", 3)
    assert [s.label for s in top] == ["labour", "traffic"]
    assert math.isclose(sum(s.confidence for s in top), 1, abs_tol=1e-3)


def test_needs_two_labels():
    with pytest.raises(ValueError, match="two labels"):
        CategoryModel.train(["一", "二", "三"], ["a", "a", "b"])


def test_save_and_load_round_trip(model, tmp_path):
    path = save_model(model, tmp_path / "m.joblib")
    loaded = load_model(path)
    text = "滨江花园工厂排放废气"
    assert loaded.suggest(text) == model.suggest(text)
    assert loaded.meta["examples"] == 72


def test_store_keeps_the_current_model_until_a_new_one_is_published(model, tmp_path):
    import datetime as dt

    store = ModelStore(tmp_path / "models")
    assert store.load_current() is None
    first = store.publish(model, now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    texts, labels = examples()
    newer = CategoryModel.train(texts[:36] + texts[-18:], labels[:36] + labels[-18:])
    second = store.publish(newer, now=dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
    assert store.versions() == [first, second]
    assert store.current_path() == second
    assert store.load_current().labels == newer.labels
    assert load_model(first).labels == model.labels  # the previous version stays usable
    assert not list(store.directory.glob(".tmp-*"))


def test_keyword_rules_for_the_cold_start():
    rules = KeywordRules.from_names(
        {"traffic": "交通运输", "env": "环境保护/噪音", "edu": "教育、学校", "x": "其他"}
    )
    top = rules.suggest("晚上工地噪音太大，影响环境")
    assert [s.label for s in top] == ["env"]
    assert top[0].confidence == 1
    mixed = rules.suggest("学校门口交通运输车辆多，噪音大")
    assert {s.label for s in mixed} == {"traffic", "env", "edu"}
    assert mixed[0].label == "traffic"  # the longest keyword weighs most
    assert math.isclose(sum(s.confidence for s in mixed), 1, abs_tol=1e-3)
    assert rules.suggest("今天天气不错") == []


def test_confidences_blend_the_svm_and_naive_bayes_as_scikit_learn_would(model):
    import scipy.sparse as sp

    texts = ["和平路红绿灯坏了", "幼儿园学位", "完全无关的话", ""]
    x = sp.hstack([v.transform([normalize(t) for t in texts]) for v in model.vectorizers]).tocsr()
    z = model.svm.decision_function(x) / model.temperature
    svm = np.exp(z - z.max(axis=1, keepdims=True))
    svm /= svm.sum(axis=1, keepdims=True)
    expected = (svm + model.NB_WEIGHT * model.nb.predict_proba(x)) / (1 + model.NB_WEIGHT)
    assert np.allclose(model.probabilities(texts), expected)
    assert model.predict(texts) == [model.labels[i] for i in expected.argmax(axis=1)]


def test_a_model_saved_before_the_naive_bayes_still_loads(model, tmp_path):
    import joblib

    path = tmp_path / "old.joblib"
    payload = {
        "format": 1,
        "meta": {},
        "vectorizers": model.vectorizers,
        "svm": model.svm,
        "temperature": model.temperature,
    }
    joblib.dump(payload, path)
    old = load_model(path)
    assert old.nb is None
    assert old.suggest("公司拖欠工资不发")[0].label == "labour"
    assert math.isclose(float(old.probabilities(["废气"]).sum()), 1.0)
    joblib.dump({**payload, "format": 99}, path)
    with pytest.raises(ValueError, match="format 99"):
        load_model(path)
