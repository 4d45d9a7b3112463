"""Who sees which plan and project: the one place that decides it.

- the office, leaders and administrators: every plan and project;
- a unit's staff (a department, a street, a community, a grid): the projects their unit
  leads, co-handles or owns a milestone of;
- a street's staff: as well, the projects of their street and of their street's plan;
- a project's responsible leader: his projects (a leader sees the district anyway).

A plan is visible when one of its projects is (or to those who see the district). A plan
or a project outside one's scope is a 404, exactly like one that does not exist. The
public pages ("向您报告") are not here: they show published plans to anyone, through
`public_projects`, and never an internal note.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from lianxin.accounts.models import Actor
from lianxin.cases.access import standing_of
from lianxin.projects.models import Milestone, Plan, Project


def project_scope(user: Actor) -> Q:
    """A filter on Project for what `user` may see (no query per row)."""
    if not user or not user.is_authenticated:
        return Q(pk__in=[])
    standing = standing_of(user)
    if standing.sees_whole_district:
        return Q()
    scope = Q(leader=user)
    units = standing.handling_unit_ids
    if units:
        scope |= Q(lead_unit__in=units)
        scope |= Q(pk__in=Project.co_units.through.objects.filter(unit__in=units).values("project"))
        scope |= Q(pk__in=Milestone.objects.filter(owner_unit__in=units).values("project"))
    if standing.street_ids:
        scope |= Q(street__in=standing.street_ids) | Q(plan__street__in=standing.street_ids)
    return scope


def projects_visible_to(user: Actor) -> QuerySet[Project]:
    return Project.objects.filter(project_scope(user))


def sees_projects(user: Actor) -> bool:
    """Whether the nav shows 办实事: the district's readers, or a unit with a project."""
    standing = standing_of(user)
    return standing.sees_whole_district or projects_visible_to(user).exists()


def plans_visible_to(user: Actor) -> QuerySet[Plan]:
    standing = standing_of(user)
    if standing.sees_whole_district:
        return Plan.objects.all()
    return Plan.objects.filter(pk__in=projects_visible_to(user).values("plan"))


def access_plan_by_id(user: Actor, pk, *, for_update: bool = False) -> Plan:
    plans = plans_visible_to(user)
    if for_update:
        plans = plans.select_for_update()
    try:
        return plans.get(pk=pk)
    except (Plan.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_project_by_id(user: Actor, pk, *, for_update: bool = False) -> Project:
    """The project if `user` may see it; 404 for missing and for not yours alike."""
    projects = projects_visible_to(user)
    if for_update:
        projects = projects.select_for_update()
    try:
        return projects.select_related("plan", "lead_unit", "leader", "street").get(pk=pk)
    except (Project.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def require_planner(user: Actor) -> None:
    """The office's pages (import, a project's form, promotion): 404 for anyone else."""
    standing = standing_of(user)
    if not (standing.office or standing.admin):
        raise Http404


def public_projects(street=None) -> QuerySet[Project]:
    """The projects of published plans, for the residents' pages: a street's, or all."""
    projects = Project.objects.filter(plan__published=True)
    if street is not None:
        projects = projects.filter(Q(street=street) | Q(plan__street=street))
    return projects
