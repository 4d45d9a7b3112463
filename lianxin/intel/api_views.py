"""The category suggestion as JSON, for clients other than the dispatch screen."""

from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from lianxin.cases.access import access_case_by_id
from lianxin.cases.rules import available_actions
from lianxin.intel.suggest import suggest_categories


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


@require_GET
def case_suggestions(request, pk):
    """The top three categories for case `pk`, each with its confidence and the department
    it would go to; for those who may dispatch the case now, as on the dispatch screen."""
    if not request.user.is_authenticated:
        return _error(401, "not_signed_in", _("请先登录。"))
    try:
        case = access_case_by_id(request.user, pk)
    except Http404:
        return _error(404, "not_found", _("没有这件诉求，或您无权查看。"))
    actions = available_actions(request.user, case)
    if "dispatch" not in actions and "split" not in actions:
        return _error(403, "not_dispatchable", _("只有能派单的人员可以在派单时查看分类推荐。"))
    suggestions = suggest_categories(case.title, case.text)
    return JsonResponse(
        {
            "case": case.tracking_number,
            "registered_category": case.category.code if case.category_id else None,
            "suggestions": [
                {
                    "category": s.category.code,
                    "category_name": str(s.category),
                    "confidence": round(s.confidence, 4),
                    "source": s.source,
                    "department": _unit(s.unit),
                }
                for s in suggestions
            ],
        },
        json_dumps_params={"ensure_ascii": False},
    )


def _unit(unit) -> dict | None:
    return {"code": unit.code, "name": unit.name} if unit else None
