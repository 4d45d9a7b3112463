"""Open cases that are probably the same problem as a new one: the Django side of duplicates.

Candidates come from one index-friendly query: open statuses, registered in the
last WINDOW_DAYS, and at the same place by what is known of it: the grid (the
(grid, status) index), else the community ((community, status)), else a
latitude/longitude box around the map point (`case_open_point`), else a place
name read from the address (on PostgreSQL the bigram index on open cases'
addresses, `case_open_address_bigrams`, migration cases/0007). At most
MAX_CANDIDATES, newest first, are then scored in Python by
`lianxin.intel.duplicates`.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lianxin.cases.models import Case, Status
from lianxin.cases.search import bigrams
from lianxin.intel import duplicates
from lianxin.intel.places import bounding_box, extract_places

WINDOW_DAYS = 60
# With only an address to go by, the LIKE reads every open case of the window: a shorter one.
ADDRESS_WINDOW_DAYS = 30
# The indexed expression of migration cases/0007; a query must spell it the same way.
BIGRAMS_OF_ADDRESS = 'lianxin_bigrams("cases_case"."address")'
# The box around a map point; matches fade out by `duplicates.NEAR_M` anyway.
BOX_M = 300
MAX_CANDIDATES = 150
# The statuses the duplicate check and the topics look at. The partial indexes
# `case_open_point` and `case_open_address_bigrams` hold the same list: a change here
# needs a migration that rebuilds them, or the planner stops using them.
OPEN_STATUSES = (
    Status.REGISTERED,
    Status.DISPATCHED,
    Status.RETURNED,
    Status.IN_PROGRESS,
    Status.REPLIED,
    Status.CONSTRAINED,
)
FIELDS = (
    "id",
    "title",
    "text",
    "address",
    "registered_at",
    "latitude",
    "longitude",
    "grid_id",
    "community_id",
    "building",
    "support_count",
    "resident_id",
    "resident_phone",
)


@dataclass
class Probe:
    """What is known of a report before (or after) it is registered."""

    title: str
    text: str = ""
    address: str = ""
    at: dt.datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    grid_id: int | None = None
    community_id: int | None = None
    building: str = ""
    pk: int | None = None

    @classmethod
    def of(cls, case: Case) -> "Probe":
        return cls(
            title=case.title,
            text=case.text,
            address=case.address,
            at=case.registered_at,
            latitude=None if case.latitude is None else float(case.latitude),
            longitude=None if case.longitude is None else float(case.longitude),
            grid_id=case.grid_id,
            community_id=case.community_id,
            building=case.building,
            pk=case.pk,
        )

    def report(self) -> duplicates.Report:
        return duplicates.Report(
            key=self.pk,
            title=self.title,
            text=self.text,
            address=self.address,
            at=self.at or timezone.now(),
            latitude=self.latitude,
            longitude=self.longitude,
            grid=self.grid_id,
            community=self.community_id,
            building=self.building,
        )


def place_filter(probe: Probe) -> Q | None:
    """Where to look, by the best place we know; None when we know none."""
    if probe.grid_id is not None:
        return Q(grid_id=probe.grid_id)
    if probe.community_id is not None:
        return Q(community_id=probe.community_id)
    if probe.latitude is not None and probe.longitude is not None:
        lat0, lat1, lon0, lon1 = bounding_box(float(probe.latitude), float(probe.longitude), BOX_M)
        return Q(latitude__gte=lat0, latitude__lte=lat1, longitude__gte=lon0, longitude__lte=lon1)
    names = address_names(probe)
    if names:
        q = Q()
        for name in names:
            q |= Q(address__contains=name)
        return q
    return None


def address_names(probe: Probe) -> list[str]:
    """The (at most two) longest place names of the address and title: an estate, a road."""
    return sorted(extract_places(f"{probe.address} {probe.title}").names, key=len)[-2:]


def address_index_filter(names: list[str]) -> RawSQL | None:
    """On PostgreSQL, the condition the address bigram index answers: the address holds
    every bigram of one of `names`. Kept apart from the LIKEs it narrows (and the same
    for every row: a constant SQL, the bigrams bound as parameters), so that the index
    alone answers it and PostgreSQL never recomputes a row's bigrams to filter."""
    if connection.vendor != "postgresql" or not names:
        return None
    either = " OR ".join([f"{BIGRAMS_OF_ADDRESS} @> %s::text[]"] * len(names))
    return RawSQL(  # noqa: S611
        f"({either})", [bigrams(name) for name in names], output_field=BooleanField()
    )


def candidate_rows(probe: Probe, queryset=None) -> list[dict]:
    """Recent open cases at the probe's place, newest first, as plain rows (one query):
    building model instances for a couple of hundred rows would cost more than scoring."""
    found = candidate_queryset(probe, queryset)
    return list(found) if found is not None else []


def candidate_queryset(probe: Probe, queryset=None):
    """The candidates' query, or None when the probe has no place to look at."""
    where = place_filter(probe)
    if where is None:
        return None
    by_address = probe.grid_id is None and probe.community_id is None and probe.latitude is None
    days = ADDRESS_WINDOW_DAYS if by_address else WINDOW_DAYS
    since = (probe.at or timezone.now()) - dt.timedelta(days=days)
    found = (queryset if queryset is not None else Case.objects.all()).filter(
        where, status__in=OPEN_STATUSES, registered_at__gte=since
    )
    if by_address and (indexed := address_index_filter(address_names(probe))) is not None:
        found = found.filter(indexed)
    if probe.pk is not None:
        found = found.exclude(pk=probe.pk)
    return found.order_by("-registered_at").values(*FIELDS)[:MAX_CANDIDATES]


def as_report(row: dict) -> duplicates.Report:
    """A case's row (`FIELDS`) as the text models see it; the duplicates and the topics
    both read cases through here."""
    return duplicates.Report(
        key=row["id"],
        title=row["title"],
        text=row["text"],
        address=row["address"],
        at=row["registered_at"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        grid=row["grid_id"],
        community=row["community_id"],
        building=row["building"],
        supports=row["support_count"],
        # One person is one person whether he signed in or left his phone: a topic's
        # hotness counts the people who reported, and most report without an account.
        resident=row["resident_id"] or row["resident_phone"] or None,
    )


def find(probe: Probe, queryset=None, limit: int = 5) -> list[tuple[Case, duplicates.Match]]:
    """The probable duplicates of `probe` among `queryset` (all cases by default), best
    first, each with its match (score and reasons). One query for the candidates, and
    one more by primary key for the few that match."""
    reports = [as_report(row) for row in candidate_rows(probe, queryset)]
    matches = duplicates.find_duplicates(probe.report(), reports, limit=limit)
    if not matches:
        return []
    cases = Case.objects.select_related("category", "community").in_bulk([m.key for m in matches])
    return [(cases[m.key], m) for m in matches if m.key in cases]


def describe(match: duplicates.Match, *, public: bool = False) -> list[str]:
    """The reasons of a match in words. Residents are told less: no grid, no building."""
    words = []
    for code, value in match.reasons:
        if code == "text":
            words.append(_("内容相似度%(percent)d%%") % {"percent": value})
        elif code == "same_building" and not public:
            words.append(_("同一楼栋（%(building)s）") % {"building": value})
        elif code == "distance":
            words.append(_("相距约%(metres)d米") % {"metres": value})
        elif code == "same_place_name":
            words.append(_("同在%(place)s") % {"place": value})
        elif code == "same_grid" and not public:
            words.append(_("同一网格"))
        elif code == "same_community" and not public:
            words.append(_("同一社区"))
        elif code == "days":
            words.append(
                _("当天登记")
                if value == 0
                else ngettext("相隔%(days)d天", "相隔%(days)d天", value)  # type: ignore[arg-type]  # an int
                % {"days": value}
            )
    return words
