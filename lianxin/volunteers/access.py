"""Who sees which team, activity and report-in.

- The office, leaders and administrators: the whole district.
- A community's, street's or department's staff: the teams of their units (a street also
  its communities'), and the report-ins of their communities (a street: its communities');
  a department also the report-ins of its own staff (where its people serve).
- Anyone: the teams he is a member of, and his own report-in.

Everything else is a 404, like a row that does not exist. Residents who serve in a team are
shown as 王** with a masked phone wherever they appear; cadres and people who reported in
serve in public under their names, their phones masked.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from lianxin.accounts.models import Actor
from lianxin.cases.access import standing_of
from lianxin.orgs.models import Unit
from lianxin.volunteers.models import Activity, ReportIn, Team


def _units(user: Actor) -> Q:
    """A filter on a unit field's id for the units `user` works for (and a street's
    communities), written for a field named `unit`."""
    standing = standing_of(user)
    mine = standing.department_ids | standing.area_unit_ids
    return Q(unit__in=mine) | Q(unit__parent__in=standing.street_ids)


def teams_visible_to(user: Actor) -> QuerySet[Team]:
    if not user or not user.is_authenticated:
        return Team.objects.none()
    if standing_of(user).sees_whole_district:
        return Team.objects.all()
    return Team.objects.filter(_units(user) | Q(members__user=user)).distinct()


def access_team_by_id(user: Actor, pk) -> Team:
    try:
        return teams_visible_to(user).select_related("unit", "partner").get(pk=pk)
    except (Team.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_activity_by_id(user: Actor, pk) -> Activity:
    try:
        return Activity.objects.select_related("team", "team__unit", "recorded_by").get(
            pk=pk, team__in=teams_visible_to(user)
        )
    except (Activity.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def report_ins_visible_to(user: Actor) -> QuerySet[ReportIn]:
    if not user or not user.is_authenticated:
        return ReportIn.objects.none()
    standing = standing_of(user)
    if standing.sees_whole_district:
        return ReportIn.objects.all()
    return ReportIn.objects.filter(
        Q(community__in=standing.community_ids)
        | Q(community__parent__in=standing.street_ids)
        | Q(employer__in=standing.department_ids)
        | Q(user=user)
    )


def access_report_in_by_id(user: Actor, pk) -> ReportIn:
    try:
        return report_ins_visible_to(user).select_related("employer", "community").get(pk=pk)
    except (ReportIn.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def kept_units(user: Actor, kinds) -> QuerySet[Unit]:
    """The units of `kinds` whose teams or report-ins `user` keeps (all for the office)."""
    standing = standing_of(user)
    units = Unit.objects.filter(kind__in=kinds, active=True)
    if standing.office or standing.admin:
        return units
    mine = standing.department_ids | standing.area_unit_ids
    return units.filter(
        Q(pk__in=mine) | Q(parent__in=standing.street_ids, kind=Unit.Kind.COMMUNITY)
    )
