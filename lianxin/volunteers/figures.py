"""The volunteers' figures: hours by member, by person and by team; report-ins and what
each did, by employer unit (the articles rank units by this); counts for operators.

Every sum is one grouped query (`Sum`/`Count` with `values`), never a query per row;
`lianxin/volunteers/tests/test_figures.py` checks them against a count made by hand.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from lianxin.orgs.models import Unit
from lianxin.volunteers.models import (
    Activity,
    Assignment,
    Member,
    Participation,
    PartnerUnit,
    ReportIn,
    SolvedProblem,
    Team,
)

ZERO = Decimal("0")


def member_hours(members: QuerySet[Member]) -> dict[int, Decimal]:
    """{member id: his hours in his team}, members without hours left out."""
    rows = (
        Participation.objects.filter(member__in=members)
        .order_by()
        .values("member_id")
        .annotate(hours=Sum("hours"))
    )
    return {row["member_id"]: row["hours"] for row in rows}


def person_key(member: dict) -> tuple:
    """One person across teams: his account, else his report-in, else his phone, else his
    name within his team (a resident without a phone is known only there)."""
    if member["member__user_id"]:
        return ("user", member["member__user_id"])
    if member["member__report_in_id"]:
        return ("report_in", member["member__report_in_id"])
    if member["member__phone"]:
        return ("phone", member["member__phone"])
    return ("member", member["member_id"])


@dataclass
class PersonHours:
    name: str
    kind: str
    hours: Decimal = ZERO
    services: int = 0
    team_ids: set[int] = field(default_factory=set)


def person_hours(participations: QuerySet[Participation] | None = None) -> dict[tuple, PersonHours]:
    """Each person's hours and services over every team he serves in (one query)."""
    rows = (
        (participations if participations is not None else Participation.objects.all())
        .order_by()
        .values(
            "member_id",
            "member__user_id",
            "member__report_in_id",
            "member__phone",
            "member__name",
            "member__kind",
            "member__team_id",
        )
        .annotate(hours=Sum("hours"), services=Count("pk"))
    )
    people: dict[tuple, PersonHours] = {}
    for row in rows:
        person = people.setdefault(
            person_key(row), PersonHours(row["member__name"], row["member__kind"])
        )
        person.hours += row["hours"]
        person.services += row["services"]
        person.team_ids.add(row["member__team_id"])
    return people


@dataclass
class TeamFigures:
    members: int = 0
    activities: int = 0
    services: int = 0  # participations: one person at one activity
    hours: Decimal = ZERO
    solved: int = 0


def team_figures(teams: QuerySet[Team]) -> dict[int, TeamFigures]:
    """{team id: its members, activities, services, hours and problems solved} (4 queries)."""
    found: dict[int, TeamFigures] = defaultdict(TeamFigures)
    members = Member.objects.filter(team__in=teams, active=True).order_by().values("team_id")
    for row in members.annotate(n=Count("pk")):
        found[row["team_id"]].members = row["n"]
    activities = Activity.objects.filter(team__in=teams).order_by().values("team_id")
    for row in activities.annotate(n=Count("pk")):
        found[row["team_id"]].activities = row["n"]
    services = Participation.objects.filter(activity__team__in=teams).order_by()
    for row in services.values("activity__team_id").annotate(n=Count("pk"), h=Sum("hours")):
        found[row["activity__team_id"]].services = row["n"]
        found[row["activity__team_id"]].hours = row["h"]
    solved = SolvedProblem.objects.filter(activity__team__in=teams).order_by()
    for row in solved.values("activity__team_id").annotate(n=Count("pk")):
        found[row["activity__team_id"]].solved = row["n"]
    return dict(found)


@dataclass
class UnitFigures:
    unit_id: int
    name: str = ""
    public_enterprise: bool = False  # ranked apart by the assessment (lianxin.orgs)
    report_ins: int = 0
    party_members: int = 0
    assignments: int = 0
    assignments_done: int = 0
    activities: int = 0  # distinct activities its people served in
    hours: Decimal = ZERO


def total(found: dict[int, TeamFigures]) -> TeamFigures:
    """The teams' figures added up."""
    summed = TeamFigures()
    for figures in found.values():
        summed.members += figures.members
        summed.activities += figures.activities
        summed.services += figures.services
        summed.hours += figures.hours
        summed.solved += figures.solved
    return summed


def by_employer(report_ins: QuerySet[ReportIn]) -> list[UnitFigures]:
    """Report-ins and what they did, by employer unit: most report-ins first, then hours
    (the articles' ranking). Four queries whatever the number of units."""
    units: dict[int, UnitFigures] = {}

    def of(unit_id: int) -> UnitFigures:
        return units.setdefault(unit_id, UnitFigures(unit_id))

    counted = (
        report_ins.filter(active=True)
        .order_by()
        .values("employer_id")
        .annotate(n=Count("pk"), party=Count("pk", filter=Q(party_member=True)))
    )
    for row in counted:
        figures = of(row["employer_id"])
        figures.report_ins, figures.party_members = row["n"], row["party"]
    assignments = (
        Assignment.objects.filter(report_in__in=report_ins.filter(active=True))
        .order_by()
        .values("report_in__employer_id")
        .annotate(n=Count("pk"), done=Count("pk", filter=Q(done_at__isnull=False)))
    )
    for row in assignments:
        figures = of(row["report_in__employer_id"])
        figures.assignments, figures.assignments_done = row["n"], row["done"]
    served = (
        Participation.objects.filter(member__report_in__in=report_ins.filter(active=True))
        .order_by()
        .values("member__report_in__employer_id")
        .annotate(h=Sum("hours"), a=Count("activity_id", distinct=True))
    )
    for row in served:
        figures = of(row["member__report_in__employer_id"])
        figures.hours, figures.activities = row["h"], row["a"]
    named = Unit.objects.filter(pk__in=units).values_list("pk", "name", "public_enterprise")
    for unit_id, name, enterprise in named:
        units[unit_id].name, units[unit_id].public_enterprise = name, enterprise
    return sorted(units.values(), key=lambda u: (-u.report_ins, -u.hours, u.name))


def report_in_work(report_ins: QuerySet[ReportIn]) -> dict[int, dict]:
    """{report-in id: {"assignments", "done", "hours"}} for a page of report-ins."""
    work: dict[int, dict] = defaultdict(lambda: {"assignments": 0, "done": 0, "hours": ZERO})
    rows = (
        Assignment.objects.filter(report_in__in=report_ins)
        .order_by()
        .values("report_in_id")
        .annotate(n=Count("pk"), done=Count("pk", filter=Q(done_at__isnull=False)))
    )
    for row in rows:
        work[row["report_in_id"]].update(assignments=row["n"], done=row["done"])
    served = (
        Participation.objects.filter(member__report_in__in=report_ins)
        .order_by()
        .values("member__report_in_id")
        .annotate(h=Sum("hours"))
    )
    for row in served:
        work[row["member__report_in_id"]]["hours"] = row["h"]
    return work


def stats() -> dict:
    """The whole district's counts, for `lianxin volunteers stats`."""
    hours = Participation.objects.aggregate(h=Sum("hours"))["h"] or ZERO
    return {
        "teams": Team.objects.filter(active=True).count(),
        "members": Member.objects.filter(active=True).count(),
        "activities": Activity.objects.count(),
        "services": Participation.objects.count(),
        "hours": float(hours),
        "problems_solved": SolvedProblem.objects.count(),
        "report_ins": ReportIn.objects.filter(active=True).count(),
        "assignments": Assignment.objects.count(),
        "assignments_done": Assignment.objects.filter(done_at__isnull=False).count(),
        "partner_units": PartnerUnit.objects.filter(active=True).count(),
        "partner_claims": PartnerUnit.objects.filter(active=True).aggregate(
            n=Count("wish_claims", filter=Q(wish_claims__released_at__isnull=True))
        )["n"],
    }
