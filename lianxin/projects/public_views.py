"""向您报告: the residents' pages of the practical projects, no sign-in needed.

The district's page lists every published plan's projects, and each street has its own
page (the projects it serves, and its own plan's). A project shows what the public may
know: its class, name, lead unit, target, finish date, milestones (done or not), progress
and state. Never a report's text, a closing note, an overdue mark or anyone's name: those
are the offices' working notes.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from lianxin.orgs.models import Unit
from lianxin.projects import ledger
from lianxin.projects.access import public_projects
from lianxin.projects.models import Plan
from lianxin.workdays.days import local_date


def _page(request, projects, heading, street=None, plan=None) -> HttpResponse:
    today = local_date(timezone.now())
    found = ledger.rows(projects, today)
    plans: dict[int, tuple[Plan, list]] = {}
    for row in found:
        plans.setdefault(row.project.plan_id, (row.project.plan, []))[1].append(row)
    context = {
        "heading": heading,
        "street": street,
        "plan": plan,
        "plans": [(p, ledger.by_category(rows), ledger.counts(rows)) for p, rows in plans.values()],
        "streets": Unit.objects.filter(kind=Unit.Kind.STREET, active=True).order_by(
            "sort_order", "name"
        ),
        "today": today,
        "nav": "projects",
    }
    return render(request, "projects/public.html", context)


@require_safe
def district(request):
    return _page(request, public_projects(), None)


@require_safe
def street_page(request, pk):
    street = get_object_or_404(Unit, pk=pk, kind=Unit.Kind.STREET, active=True)
    return _page(request, public_projects(street), street.name, street=street)


@require_safe
def plan_page(request, pk):
    plan = get_object_or_404(Plan, pk=pk)
    if not plan.published:
        raise Http404
    return _page(request, public_projects().filter(plan=plan), plan.title, plan=plan)
