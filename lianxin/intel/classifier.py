"""Category suggestion: a trained text classifier and keyword rules for the cold start.

Plain Python (no Django). Titles of residents' messages are short, so the model
reads both characters (1 to 3 in a row) and jieba words (1 and 2 in a row), and a
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
from sklearn.svm import LinearSVC

# Bumped when a saved model can no longer be read by this code.
FORMAT = 1

_SPACE = re.compile(r"[\s\u3000\xa0]+")
_jieba_lock = threading.Lock()
_jieba = None


class Suggestion(NamedTuple):
    label: str
    confidence: float


def normalize(text: str | None) -> str:
    """Fold the page whitespace of imported messages (tabs, \\u3000, \\xa0, CR) into spaces."""
    return _SPACE.sub(" ", text or "").strip()


def words(text: str) -> list[str]:
    """jieba's words of `text`, without the spaces; jieba loads its packaged dictionary once."""
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import jieba

                # jieba announces its dictionary loading on stderr at DEBUG level.
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba = jieba
    return [word for word in _jieba.lcut(text) if not word.isspace()]


def _top(labels: Sequence[str], scores: np.ndarray, k: int) -> list[Suggestion]:
    order = np.argsort(-scores, kind="stable")[:k]
    return [Suggestion(labels[i], round(float(scores[i]), 4)) for i in order]


class CategoryModel:
    """A trained classifier: `train` it on (text, label) pairs, then `suggest` labels.

    A linear SVM ranks the labels; a softmax of its scores, at a temperature fitted
    on cross-validated scores, gives the confidences (so they never reorder the ranking).
    """

    def __init__(
        self,
        vectorizers: list[TfidfVectorizer],
        svm: LinearSVC,
        temperature: float,
        meta: dict | None = None,
    ):
        self.vectorizers = vectorizers
        self.svm = svm
        self.temperature = temperature
        self.meta = meta or {}
        self.labels = [str(label) for label in svm.classes_]

    @staticmethod
    def new_vectorizers() -> list[TfidfVectorizer]:
        return [
            TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True),
            TfidfVectorizer(
                tokenizer=words,
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
        2. Fit TF-IDF of characters 1-3 and of jieba words 1-2, and a linear SVM.
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

        folds = StratifiedKFold(min(5, min(kept)), shuffle=True, random_state=0)
        held_out = cross_val_predict(LinearSVC(C=1.0), x, y, cv=folds, method="decision_function")
        if held_out.ndim == 1:  # two labels: one score, for the second label
            held_out = np.column_stack([-held_out, held_out])
        gold = np.searchsorted(svm.classes_, y)
        temperature = _fit_temperature(held_out, gold)
        meta = {**(meta or {}), "examples": len(pairs), "left_out": left_out, "format": FORMAT}
        return cls(vectorizers, svm, temperature, meta)

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """The SVM's score of each label for each text (rows: texts, columns: self.labels).

        Computes the TF-IDF weights by hand (sublinear tf, idf, L2 norm per vectorizer,
        as scikit-learn does): its input checks on every call cost several times the
        arithmetic for one short message.
        """
        if not hasattr(self, "_weights"):
            self._prepare()
        out = np.empty((len(texts), self._weights.shape[1]))
        for row, text in enumerate(texts):
            text = normalize(text)
            total = np.array(self.svm.intercept_, dtype=float)
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
                total += weights @ self._weights[indices + offset]
            out[row] = total
        if out.shape[1] == 1:  # two labels: the SVM scores the second one only
            out = np.column_stack([-out[:, 0], out[:, 0]])
        return out

    def _prepare(self) -> None:
        self._parts = []
        offset = 0
        for v in self.vectorizers:
            self._parts.append((v.build_analyzer(), v.vocabulary_, v.idf_, offset))
            offset += len(v.vocabulary_)
        self._weights = np.ascontiguousarray(self.svm.coef_.T)

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("_parts", None)
        state.pop("_weights", None)
        return state

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        return _softmax(self.scores(texts) / self.temperature)

    def suggest(self, text: str, k: int = 3) -> list[Suggestion]:
        """The k likeliest labels of one text, most confident first; confidences sum to <= 1."""
        return self.suggest_many([text], k)[0]

    def suggest_many(self, texts: Sequence[str], k: int = 3) -> list[list[Suggestion]]:
        return [_top(self.labels, row, k) for row in self.probabilities(texts)]

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [self.labels[i] for i in self.scores(texts).argmax(axis=1)]


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
