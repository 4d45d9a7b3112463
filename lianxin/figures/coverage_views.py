"""The coverage page (走访覆盖) and the households behind each of its numbers.

Both start from `lianxin.registry.access.households_visible_to(user)` through
`lianxin.figures.coverage`: a community sees its own households, a department those of
the 片区 it is attached to, a cadre his pair's, the office the whole district.
"""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from lianxin.figures import coverage
from lianxin.registry.access import log_unmasked, personal_data_household_ids, shown_phone
from lianxin.registry.models import Round

PAGE_SIZE = 50


def _allowed(user) -> None:
    if not coverage.may_see(user):
        raise Http404


def chosen_round(raw) -> Round | None:
    """The round asked for (`?round=<pk>`), else the open round; a round that does not
    exist is a 404."""
    if raw:
        try:
            return Round.objects.exclude(status=Round.Status.DRAFT).get(pk=int(raw))
        except (Round.DoesNotExist, ValueError):
            raise Http404 from None
    return coverage.current_round()


def chosen_grouping(raw) -> str:
    return raw if raw in coverage.TABS else "community"


def _key(raw: str):
    if raw == coverage.NONE_KEY:
        return None
    try:
        return int(raw)
    except ValueError:
        raise Http404 from None


@login_required
def coverage_page(request):
    _allowed(request.user)
    round_ = chosen_round(request.GET.get("round"))
    by = chosen_grouping(request.GET.get("by"))
    rounds = Round.objects.exclude(status=Round.Status.DRAFT).order_by("-number")
    context = {"rounds": rounds, "round": round_, "by": coverage.GROUPINGS[by]}
    if round_ is not None:
        base = {"round": round_.pk}
        list_url = reverse("figures:coverage_households")

        def link(measure, key=..., grouping=by):
            params = {**base, "measure": measure}
            if key is not ...:
                params["by"] = grouping
                params["key"] = coverage.NONE_KEY if key is None else key
            return f"{list_url}?{urlencode(params)}"

        def cells(row, key=...):
            return {m: {"value": getattr(row, m), "url": link(m, key)} for m in coverage.MEASURES}

        rows, total = coverage.breakdown_and_total(request.user, round_, by)
        context.update(
            {
                "total": total,
                "total_cells": cells(total),
                "rows": [{"row": r, "cells": cells(r, r.key)} for r in rows],
                "tabs": [
                    {
                        "label": g.label,
                        "current": g.code == by,
                        "url": "?" + urlencode({**base, "by": g.code}),
                    }
                    for g in coverage.GROUPINGS.values()
                    if g.code in coverage.TABS
                ],
                "export_query": urlencode({**base, "by": by}),
                "round_query": urlencode(base),
            }
        )
    return render(request, "figures/coverage.html", context)


@login_required
def coverage_households(request):
    """The households one number counts; phones unmasked only for those the user calls
    and visits, and each unmasked list logged."""
    _allowed(request.user)
    round_ = chosen_round(request.GET.get("round"))
    if round_ is None:
        raise Http404
    measure = request.GET.get("measure", "not_visited")
    if measure not in coverage.MEASURES:
        raise Http404
    by = request.GET.get("by") or None
    if by is not None and by not in coverage.GROUPINGS:
        raise Http404
    key = _key(request.GET.get("key", "")) if by else None
    households = coverage.households_behind(request.user, round_, by, key, measure)
    households = households.select_related("community", "grid", "pair").order_by(
        "community__name", "address_key", "pk"
    )
    page = Paginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
    unmasked = personal_data_household_ids(request.user, page.object_list)
    log_unmasked(request.user, unmasked, "phone", place=request.path)
    items = [
        {"household": h, "phone": shown_phone(h.phone, h.pk in unmasked)} for h in page.object_list
    ]
    group_label = coverage.group_labels(by, [key]).get(key, "") if by else ""
    query = request.GET.copy()
    query.pop("page", None)
    export = {"round": round_.pk, "measure": measure}
    if by:
        export.update({"by": by, "key": request.GET.get("key", "")})
    return render(
        request,
        "figures/coverage_households.html",
        {
            "round": round_,
            "measure_label": coverage.MEASURES[measure],
            "grouping": coverage.GROUPINGS[by] if by else None,
            "group_label": group_label,
            "page": page,
            "items": items,
            "query": query.urlencode(),
            "export_query": urlencode(export),
            "back_url": reverse("figures:coverage")
            + "?"
            + urlencode({"round": round_.pk, "by": by or "community"}),
        },
    )
