"""Category suggestion: a trained text classifier and keyword rules for the cold start.

Plain Python (no Django). Titles of residents' messages are short, so the model
reads both characters (1 to 3 in a row) and jieba words (1 and 2 in a row, in
jieba's search mode, which also yields the short words inside long ones), and a
linear SVM gives the ranking; temperature scaling fitted on held-out folds turns
its scores into confidences a dispatcher can read.
"""

import logging
import math
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize_scalar
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.naive_bayes import ComplementNB
from sklearn.svm import LinearSVC

# Bumped when a saved model can no longer be read by this code.
FORMAT = 2

_SPACE = re.compile(r"[\s\u3000\xa0]+")
_jieba_lock = threading.Lock()
_jieba = None


class Suggestion(NamedTuple):
    label: str
    confidence: float


def normalize(text: str | None) -> str:
    """Fold the page whitespace of imported messages (tabs, \\u3000, \\xa0, CR) into spaces."""
    return _SPACE.sub(" ", text or "").strip()


def load_jieba():
    """jieba, with its packaged dictionary loaded once per process (it takes a second)."""
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import jieba

                # jieba announces its dictionary loading on stderr at DEBUG level.
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba = jieba
    return _jieba


def words(text: str) -> list[str]:
    """jieba's words of `text`, without the spaces."""
    return [word for word in load_jieba().lcut(text) if not word.isspace()]


def search_words(text: str) -> list[str]:
    """jieba's search-mode words: 交通拥堵 also yields 交通 and 拥堵.

    Chosen on the dev rows of the tipdm2020c titles (and 5 folds of train+dev):
    about +0.004 macro-F1 over plain words, as residents write the short words
    and the compounds interchangeably.
    """
    return [word for word in load_jieba().lcut_for_search(text) if not word.isspace()]


def _top(labels: Sequence[str], scores: np.ndarray, k: int) -> list[Suggestion]:
    order = np.argsort(-scores, kind="stable")[:k]
    return [Suggestion(labels[i], round(float(scores[i]), 4)) for i in order]


class CategoryModel:
    """A trained classifier: `train` it on (text, label) pairs, then `suggest` labels.

    Two models read the same TF-IDF features: a linear SVM, whose scores become
    probabilities by a softmax at a temperature fitted on cross-validated scores,
    and a complement naive Bayes. The confidences are their weighted average
    (NB_WEIGHT): the naive Bayes rarely changes the first label but often puts
    the right one among the first three when the SVM's first is wrong.
    """

    # Chosen on the dev rows of the tipdm2020c titles (train on train, score on dev):
    # 0.3 kept macro-F1 (0.894) and raised top-3 accuracy from 0.984 to 0.988.
    NB_WEIGHT = 0.3
    NB_ALPHA = 0.3

    def __init__(
        self,
        vectorizers: list[TfidfVectorizer],
        svm: LinearSVC,
        temperature: float,
        meta: dict | None = None,
        nb: ComplementNB | None = None,
    ):
        self.vectorizers = vectorizers
        self.svm = svm
        self.temperature = temperature
        self.meta = meta or {}
        self.nb = nb  # None in models saved before format 2
        self.labels = [str(label) for label in svm.classes_]

    @staticmethod
    def new_vectorizers() -> list[TfidfVectorizer]:
        return [
            TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True),
            TfidfVectorizer(
                tokenizer=search_words,
                token_pattern=None,
                lowercase=False,
                ngram_range=(1, 2),
                sublinear_tf=True,
            ),
        ]

    @classmethod
    def train(
        cls, texts: Sequence[str], labels: Sequence[str], *, meta: dict | None = None
    ) -> "CategoryModel":
        """Fit on the pairs.

        1. Drop labels with a single example (listed in meta["left_out"]): the
           confidences are fitted on held-out folds, which need two of each.
        2. Fit TF-IDF of characters 1-3 and of jieba words 1-2, a linear SVM and a
           complement naive Bayes.
        3. Score each example by an SVM that did not see it (up to 5 folds) and fit
           the softmax temperature that makes those scores the likeliest.
        """
        counts: dict[str, int] = {}
        for label in labels:
            counts[label] = counts.get(label, 0) + 1
        left_out = sorted(label for label, n in counts.items() if n < 2)
        pairs = [(normalize(t), y) for t, y in zip(texts, labels, strict=True) if counts[y] >= 2]
        kept = [n for n in counts.values() if n >= 2]
        if len(kept) < 2:
            raise ValueError("training needs at least two labels with two examples each")
        x_texts, y = [t for t, _ in pairs], np.array([y for _, y in pairs])

        vectorizers = cls.new_vectorizers()
        x = sp.hstack([v.fit_transform(x_texts) for v in vectorizers]).tocsr()
        svm = LinearSVC(C=1.0).fit(x, y)
        nb = ComplementNB(alpha=cls.NB_ALPHA).fit(x, y)

        folds = StratifiedKFold(min(5, min(kept)), shuffle=True, random_state=0)
        held_out = cross_val_predict(LinearSVC(C=1.0), x, y, cv=folds, method="decision_function")
        if held_out.ndim == 1:  # two labels: one score, for the second label
            held_out = np.column_stack([-held_out, held_out])
        gold = np.searchsorted(svm.classes_, y)
        temperature = _fit_temperature(held_out, gold)
        meta = {**(meta or {}), "examples": len(pairs), "left_out": left_out, "format": FORMAT}
        return cls(vectorizers, svm, temperature, meta, nb)

    def _features(self, texts: Sequence[str]):
        """Each text's TF-IDF weights as (indices, weights) over the stacked vocabularies.

        Computed by hand (sublinear tf, idf, L2 norm per vectorizer, as scikit-learn
        does): its input checks on every call cost several times the arithmetic for
        one short message.
        """
        if not hasattr(self, "_parts"):
            self._prepare()
        for text in texts:
            text = normalize(text)
            all_indices, all_weights = [], []
            for analyze, vocabulary, idf, offset in self._parts:
                counts: dict[int, int] = {}
                for term in analyze(text):
                    index = vocabulary.get(term)
                    if index is not None:
                        counts[index] = counts.get(index, 0) + 1
                if not counts:
                    continue
                indices = np.fromiter(counts, dtype=np.intp, count=len(counts))
                tf = np.fromiter(counts.values(), dtype=float, count=len(counts))
                weights = (1.0 + np.log(tf)) * idf[indices]
                weights /= np.sqrt(weights @ weights)
                all_indices.append(indices + offset)
                all_weights.append(weights)
            if all_indices:
                yield np.concatenate(all_indices), np.concatenate(all_weights)
            else:
                yield np.empty(0, dtype=np.intp), np.empty(0)

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """The SVM's score of each label for each text (rows: texts, columns: self.labels)."""
        svm, _ = self._linear(texts)
        return svm

    def _linear(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray | None]:
        """(SVM scores, naive Bayes joint log-likelihoods or None) of each text."""
        if not hasattr(self, "_weights"):
            self._prepare()
        k, width = len(self.labels), self._weights.shape[1]
        out = np.zeros((len(texts), width))
        for row, (indices, weights) in enumerate(self._features(texts)):
            if len(indices):
                out[row] = weights @ self._weights[indices]
        n_svm = self.svm.coef_.shape[0]
        svm = out[:, :n_svm] + self.svm.intercept_
        if n_svm == 1:  # two labels: the SVM scores the second one only
            svm = np.column_stack([-svm[:, 0], svm[:, 0]])
        nb = out[:, n_svm : n_svm + k] if self.nb is not None else None
        return svm, nb

    def _prepare(self) -> None:
        self._parts = []
        offset = 0
        for v in self.vectorizers:
            self._parts.append((v.build_analyzer(), v.vocabulary_, v.idf_, offset))
            offset += len(v.vocabulary_)
        columns = [self.svm.coef_.T]
        if self.nb is not None:
            columns.append(self.nb.feature_log_prob_.T)
        self._weights = np.ascontiguousarray(np.hstack(columns))

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("_parts", None)
        state.pop("_weights", None)
        return state

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Each label's confidence for each text: the weighted average of the two models'."""
        svm, nb = self._linear(texts)
        p = _softmax(svm / self.temperature)
        if nb is None:
            return p
        # ComplementNB's predict_proba: a softmax of its joint log-likelihoods.
        return (p + self.NB_WEIGHT * _softmax(nb)) / (1 + self.NB_WEIGHT)

    def suggest(self, text: str, k: int = 3) -> list[Suggestion]:
        """The k likeliest labels of one text, most confident first; confidences sum to <= 1."""
        return self.suggest_many([text], k)[0]

    def suggest_many(self, texts: Sequence[str], k: int = 3) -> list[list[Suggestion]]:
        return [_top(self.labels, row, k) for row in self.probabilities(texts)]

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [self.labels[i] for i in self.probabilities(texts).argmax(axis=1)]


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _fit_temperature(scores: np.ndarray, gold: np.ndarray) -> float:
    """The temperature T minimising the log loss of softmax(scores / T) (temperature scaling)."""

    def loss(log_t: float) -> float:
        p = _softmax(scores / math.exp(log_t))
        return float(-np.log(p[np.arange(len(gold)), gold] + 1e-12).mean())

    result = minimize_scalar(loss, bounds=(-5.0, 3.0), method="bounded")
    return math.exp(result.x)


class KeywordRules:
    """Cold-start suggestions before any model exists: keyword hits, longest keywords weighing most.

    Built from the category names (and any keywords an administrator gives), so it
    is crude: it suggests nothing for a text that names none of them.
    """

    def __init__(self, keywords: Mapping[str, Iterable[str]]):
        self.keywords = {
            label: sorted({normalize(w) for w in words_ if normalize(w)}, key=len, reverse=True)
            for label, words_ in keywords.items()
        }

    @classmethod
    def from_names(cls, names: Mapping[str, str]) -> "KeywordRules":
        """Rules from {label: category name}.

        "环境保护/噪音" yields 环境保护, 噪音 and also 环境, 保护: names are mostly
        compounds of two-character words, and residents rarely write the compound.
        """
        keywords: dict[str, set[str]] = {}
        for label, name in names.items():
            parts = {p for p in re.split(r"[/、，,和与及\s]+", name) if len(p) >= 2}
            halves = {p[i : i + 2] for p in parts if len(p) >= 4 for i in range(0, len(p) - 1, 2)}
            keywords[label] = parts | halves | {name}
        return cls(keywords)

    def suggest(self, text: str, k: int = 3) -> list[Suggestion]:
        text = normalize(text)
        scores = {}
        for label, keywords in self.keywords.items():
            score = sum(math.log1p(len(w)) * text.count(w) for w in keywords if w in text)
            if score:
                scores[label] = score
        total = sum(scores.values())
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:k]
        return [Suggestion(label, round(score / total, 4)) for label, score in ranked]
