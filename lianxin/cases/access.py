"""Who may see which case: the one place that decides it.

A user's standing comes from his memberships. The office, leaders and
administrators see the whole district; a handling unit sees the cases it has a
live part in (and, for departments, cases offered for claiming); an area unit
sees the cases in its area; a resident sees his own. A case outside that is a
404, exactly like a case that does not exist.

Staff are all of those but residents: leaders and administrators too, since they see
the whole district's cases and so every staff page. A staff page refuses anyone else
with the same 404 (`require_staff`, `staff_required`). A visitor without an account
proves a case is his by its tracking number and the last four digits of his phone
(`case_by_visitor_proof`); a partner system may touch only the cases it filed
(`access_case_for_recorder`).
"""

import hmac
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from functools import wraps
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from lianxin.accounts.models import Actor, Disclosure, Role, User, record_disclosures

if TYPE_CHECKING:
    from lianxin.cases.models import Case


@dataclass(frozen=True)
class Standing:
    office: bool = False
    leader: bool = False
    admin: bool = False
    office_unit_id: int | None = None
    user_id: int | None = None
    # Units whose parts the user handles (departments, and area units given a part).
    handling_unit_ids: frozenset[int] = field(default_factory=frozenset)
    department_ids: frozenset[int] = field(default_factory=frozenset)
    street_ids: frozenset[int] = field(default_factory=frozenset)
    community_ids: frozenset[int] = field(default_factory=frozenset)
    grid_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def sees_whole_district(self) -> bool:
        return self.office or self.leader or self.admin

    @property
    def area_unit_ids(self) -> frozenset[int]:
        return self.street_ids | self.community_ids | self.grid_ids

    @property
    def staff(self) -> bool:
        """Works cases: the office, leaders, administrators, departments and area units."""
        return self.sees_whole_district or bool(self.handling_unit_ids)


AREA_ROLES: dict[str, str] = {
    Role.STREET_STAFF: "street_ids",
    Role.COMMUNITY_STAFF: "community_ids",
    Role.GRID_WORKER: "grid_ids",
}


def standing_of(user: Actor) -> Standing:
    """The user's standing, computed once per user object (one query)."""
    if not user or not user.is_authenticated:
        return Standing()
    cached: Standing | None = getattr(user, "_lianxin_standing", None)
    if cached is not None:
        return cached
    values: dict[str, set[int]] = {"handling_unit_ids": set(), "department_ids": set()}
    for name in AREA_ROLES.values():
        values[name] = set()
    flags = {"office": False, "leader": False, "admin": False}
    office_unit_id = None
    for role, unit_id in user.memberships.values_list("role", "unit_id"):
        if role == Role.DISPATCHER:
            flags["office"] = True
            office_unit_id = unit_id
        elif role == Role.LEADER:
            flags["leader"] = True
        elif role == Role.ADMIN:
            flags["admin"] = True
        elif role in (Role.DEPT_HANDLER, Role.DEPT_HEAD):
            values["department_ids"].add(unit_id)
            values["handling_unit_ids"].add(unit_id)
        elif role in AREA_ROLES:
            values[AREA_ROLES[role]].add(unit_id)
            values["handling_unit_ids"].add(unit_id)
    standing = Standing(
        office=flags["office"],
        leader=flags["leader"],
        admin=flags["admin"] or user.is_superuser,
        office_unit_id=office_unit_id,
        user_id=user.pk,
        **{name: frozenset(ids) for name, ids in values.items()},
    )
    user._lianxin_standing = standing  # type: ignore[attr-defined]  # a memo, not a field
    return standing


def is_staff(user: Actor) -> bool:
    return standing_of(user).staff


def require_staff(user: Actor) -> Standing:
    """The standing of a member of staff; 404 for anyone else, as for a page not there."""
    standing = standing_of(user)
    if not standing.staff:
        raise Http404
    return standing


def require_office(user: Actor) -> Standing:
    """The standing of a dispatcher of the coordination office; 404 for anyone else."""
    standing = standing_of(user)
    if not standing.office:
        raise Http404
    return standing


_P = ParamSpec("_P")
_R = TypeVar("_R", bound=HttpResponseBase)


def staff_required(
    view: Callable[Concatenate[HttpRequest, _P], _R],
) -> Callable[Concatenate[HttpRequest, _P], _R]:
    """A staff page: sign in first, then 404 for anyone who is not staff."""

    @wraps(view)
    def wrapper(request: HttpRequest, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        require_staff(request.user)
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def case_scope(user: Actor) -> Q:
    """A filter on Case for what `user` may see."""
    from lianxin.cases.models import CasePart, Status

    standing = standing_of(user)
    if standing.sees_whole_district:
        return Q()
    scope = Q(pk__in=[])
    if standing.handling_unit_ids:
        scope |= Q(
            pk__in=CasePart.objects.filter(
                unit__in=standing.handling_unit_ids, status__in=CasePart.LIVE_STATUSES
            ).values("case_id")
        )
    if standing.department_ids:
        scope |= Q(open_for_claim=True, status=Status.REGISTERED)
    if standing.street_ids:
        scope |= Q(street__in=standing.street_ids)
    if standing.community_ids:
        scope |= Q(community__in=standing.community_ids)
    if standing.grid_ids:
        scope |= Q(grid__in=standing.grid_ids)
    if standing.user_id:
        scope |= Q(resident_id=standing.user_id)
    return scope


def access_case_by_id(user: Actor, pk: str | int, *, for_update: bool = False) -> "Case":
    """The case if `user` may see it; 404 for missing and for not yours alike."""
    from lianxin.cases.models import Case

    cases = Case.objects.visible_to(user)
    if for_update:
        cases = cases.select_for_update()
    try:
        return cases.get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_see_full_phone(user: Actor, case: "Case") -> bool:
    """On the case page the whole phone number is for the resident and the units handling
    the case, who may need to call; the office sees it on its return-visit list; everyone
    else sees it masked."""
    standing = standing_of(user)
    if user is not None and case.resident_id is not None and case.resident_id == user.pk:
        return True
    return case.parts.filter(
        unit__in=standing.handling_unit_ids, status__in=("assigned", "accepted")
    ).exists()


def log_unmasked_phones(user: User, cases: "Iterable[Case]", place: str) -> None:
    """Record that `user` saw the whole phone number of these cases (those that have one);
    a queryset is read for its ids alone."""
    if isinstance(cases, QuerySet):
        shown = list(cases.exclude(resident_phone="").values_list("pk", flat=True))
    else:
        shown = sorted({case.pk for case in cases if case.resident_phone})
    if shown:
        record_disclosures(user, Disclosure.Subject.CASE, shown, "phone", place)


def require_log_reader(user: Actor) -> Standing:
    """The office and administrators read the log of unmasked views; 404 for anyone else."""
    standing = standing_of(user)
    if not (standing.office or standing.admin):
        raise Http404
    return standing


def case_by_visitor_proof(tracking_number: str, last4: str) -> "Case | None":
    """The case whose tracking number and resident's phone's last four digits both match, or
    None. A wrong number and wrong digits look alike, in the answer and in the time taken."""
    from lianxin.cases.models import Case

    case = Case.objects.filter(tracking_number=tracking_number).first()
    phone = case.resident_phone if case is not None else ""
    # Compare even when there is no case, so that a wrong number and wrong digits look alike.
    matches = hmac.compare_digest((phone[-4:] or "----").encode(), last4.encode())
    return case if case is not None and len(phone) >= 4 and matches else None


def access_case_for_visitor(
    user: User | AnonymousUser, pk: str | int, proved_ids: Collection[int]
) -> "Case":
    """A case on the residents' pages: the signed-in resident's own, or one this visitor
    proved (`proved_ids`, kept in his session); 404 for any other, as for a missing one."""
    from lianxin.cases.models import Case

    case = Case.objects.select_related("category", "lead_unit").filter(pk=pk).first()
    if case is None:
        raise Http404
    owner = user.is_authenticated and case.resident_id == user.pk
    if not owner and case.pk not in proved_ids:
        raise Http404
    return case


def access_case_for_recorder(recorder: User | None, tracking_number: str) -> "Case":
    """The case `recorder` filed (a partner's system user), by tracking number; 404 for a
    case someone else filed, so that a partner cannot learn whether it exists."""
    from lianxin.cases.models import Case

    case = Case.objects.filter(tracking_number=tracking_number).first()
    if case is None or recorder is None or case.recorded_by_id != recorder.pk:
        raise Http404
    return case
