"""The Django side of category suggestion: training data from closed cases, the model store.

The model comes from `lianxin intel train`; before the first one, keyword rules
built from the active categories' names stand in (cold start).
"""

from typing import NamedTuple

from django.conf import settings

from lianxin.cases.models import Case, Category, Status
from lianxin.intel.classifier import KeywordRules, normalize
from lianxin.intel.store import ModelStore


class CategorySuggestion(NamedTuple):
    category: Category
    confidence: float
    source: str  # "model" or "keywords"


def category_store() -> ModelStore:
    return ModelStore(settings.DATA_DIR / "models")


def case_text(title: str, text: str) -> str:
    return normalize(f"{title} {text}")


def training_examples() -> tuple[list[str], list[str]]:
    """(texts, category codes) of the closed cases that have a category."""
    rows = Case.objects.filter(status=Status.CLOSED, category__isnull=False).values_list(
        "title", "text", "category__code"
    )
    texts, labels = [], []
    for title, text, code in rows.iterator(chunk_size=2000):
        texts.append(case_text(title, text))
        labels.append(code)
    return texts, labels


def suggest_categories(title: str, text: str, k: int = 3) -> list[CategorySuggestion]:
    """The k likeliest active categories; each carries its default unit (the department).

    Loads the current model from disk on every call; a caller serving many
    requests should keep the model between them.
    """
    content = case_text(title, text)
    model = category_store().load_current()
    categories = Category.objects.filter(active=True).select_related("default_unit")
    by_code = {c.code: c for c in categories}
    if model is not None:
        source, suggestions = "model", model.suggest(content, k + len(by_code))
    else:
        rules = KeywordRules.from_names({c.code: c.name for c in categories})
        source, suggestions = "keywords", rules.suggest(content, k)
    found = [
        CategorySuggestion(by_code[s.label], s.confidence, source)
        for s in suggestions
        if s.label in by_code
    ]
    return found[:k]
