"""The Django side of category suggestion: training data, the cached model, suggestions.

The model comes from `lianxin intel train`; before the first one, keyword rules
built from the active categories' names stand in (cold start). Each process keeps
the current model in memory and reloads it only when `intel train` publishes a
newer version (the store's `current` pointer names another file).
"""

import logging
import threading
from pathlib import Path
from typing import NamedTuple

from django.conf import settings

from lianxin.cases.models import Case, CaseEvent, Category, Status
from lianxin.intel.classifier import CategoryModel, KeywordRules, normalize
from lianxin.intel.store import ModelStore, load_model

logger = logging.getLogger(__name__)

# The dispatch events whose data may carry a dispatcher's choice of category.
DISPATCH_EVENTS = ("cases.case.dispatched", "cases.case.split")
# Cases whose text is not a resident's concern worth learning from.
NOT_LESSONS = (Status.VOIDED, Status.MERGED, Status.WITHDRAWN)


class CategorySuggestion(NamedTuple):
    category: Category
    confidence: float
    source: str  # "model" or "keywords"

    @property
    def unit(self):
        """The unit that follows from the category (its own or its parent's default), or None."""
        return self.category.suggested_unit()


def category_store() -> ModelStore:
    return ModelStore(settings.DATA_DIR / "models")


def case_text(title: str, text: str) -> str:
    return normalize(f"{title} {text}")


class _Cache:
    """One model per process, keyed by the file it came from."""

    lock = threading.Lock()
    path: Path | None = None
    model: CategoryModel | None = None


def current_model() -> CategoryModel | None:
    """The published model, loaded once per process and again only when a newer one is
    published; None before the first. Reading the pointer costs a small file read."""
    path = category_store().current_path()
    if path is None:
        return None
    if path != _Cache.path:
        with _Cache.lock:
            if path != _Cache.path:
                # The pointer is switched only after the file is complete: loading is safe.
                try:
                    model = load_model(path)
                except Exception:  # unpickling garbage raises anything
                    # A damaged file must not take the dispatch screen down: keyword
                    # rules stand in until the next `intel train`.
                    logger.exception("cannot load the category model %s", path)
                    model = None
                _Cache.model, _Cache.path = model, path
    return _Cache.model


def training_examples() -> tuple[list[str], list[str]]:
    """(texts, category codes): closed cases with their final category, and the
    dispatchers' choices of category for cases not (yet) closed.

    A dispatcher's choice is the category in the last dispatch event that set one
    (`do_dispatch_case` records `category` and `category_from` in the event's data);
    once the case closes, its final category speaks instead.
    """
    rows = Case.objects.filter(status=Status.CLOSED, category__isnull=False).values_list(
        "pk", "title", "text", "category__code"
    )
    texts, labels, seen = [], [], set()
    for pk, title, text, code in rows.iterator(chunk_size=2000):
        seen.add(pk)
        texts.append(case_text(title, text))
        labels.append(code)

    chosen: dict[int, int] = {}  # case -> category id, the latest choice winning
    events = (
        CaseEvent.objects.filter(code__in=DISPATCH_EVENTS, data__has_key="category")
        .exclude(case__status__in=NOT_LESSONS)
        .order_by("at", "pk")
        .values_list("case_id", "data")
    )
    for case_id, data in events.iterator(chunk_size=2000):
        if case_id not in seen and data.get("category"):
            chosen[case_id] = data["category"]
    codes = dict(Category.objects.filter(pk__in=set(chosen.values())).values_list("pk", "code"))
    cases = Case.objects.filter(pk__in=list(chosen)).values_list("pk", "title", "text")
    for pk, title, text in cases.iterator(chunk_size=2000):
        if chosen[pk] in codes:
            texts.append(case_text(title, text))
            labels.append(codes[chosen[pk]])
    return texts, labels


def suggest_categories(title: str, text: str, k: int = 3) -> list[CategorySuggestion]:
    """The k likeliest active categories; each carries its default unit (the department)."""
    content = case_text(title, text)
    model = current_model()
    categories = Category.objects.filter(active=True).select_related("default_unit")
    by_code = {c.code: c for c in categories}
    if model is not None:
        # All labels, then the active ones: a category retired since training drops out.
        source, suggestions = "model", model.suggest(content, len(model.labels))
    else:
        rules = KeywordRules.from_names({c.code: c.name for c in categories})
        source, suggestions = "keywords", rules.suggest(content, k)
    found = [
        CategorySuggestion(by_code[s.label], s.confidence, source)
        for s in suggestions
        if s.label in by_code
    ]
    return found[:k]


def dispatch_context(case: Case) -> dict:
    """What the dispatch form's suggestion panel shows for `case`."""
    suggestions = suggest_categories(case.title, case.text)
    return {
        "suggestions": suggestions,
        "registered_suggested": any(s.category.pk == case.category_id for s in suggestions),
        "other_categories": Category.objects.filter(active=True, parent__isnull=False)
        .select_related("parent")
        .order_by("parent__sort_order", "sort_order", "code"),
    }
