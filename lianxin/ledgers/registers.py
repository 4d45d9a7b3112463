"""The registers' ledgers (.xlsx/CSV): 住户台账, 联户分组表, 走访记录台账 and coverage by
unit. Each starts from the households the user may see
(`lianxin.registry.access.households_visible_to`, through `lianxin.figures.coverage`) and
is a 404 for anyone who may not see the coverage page.

Phones and tags are written whole only for the households whose personal data the user
sees unmasked (`personal_data_household_ids`), and those are logged as disclosed when the
rows are written, not when the export is merely counted.
"""

from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from lianxin.figures import coverage
from lianxin.figures.coverage_views import chosen_grouping, chosen_round
from lianxin.ledgers.export import CHUNK_SIZE, DATETIME, NUMBER, PERCENT, Column, Ledger
from lianxin.registry.access import log_unmasked, personal_data_household_ids, shown_phone
from lianxin.registry.models import Pair, PairMember, Resident, Visit
from lianxin.text import Message

YES, NO = _("是"), _("否")


def _allowed(user) -> None:
    if not coverage.may_see(user):
        raise Http404


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


def _name(unit) -> str:
    return unit.name if unit is not None else ""


def _households(user, params):
    """The households of the coverage list the export mirrors (a round, a measure, a group),
    or every household in scope."""
    round_ = chosen_round(params.get("round")) if params.get("round") else None
    measure = params.get("measure")
    if round_ is None or not measure:
        return coverage.scoped_households(user), round_, None
    if measure not in coverage.MEASURES:
        raise Http404
    by = params.get("by") or None
    key = None
    if by is not None:
        if by not in coverage.GROUPINGS:
            raise Http404
        raw = params.get("key", "")
        try:
            key = None if raw == coverage.NONE_KEY else int(raw)
        except ValueError:
            raise Http404 from None
    return coverage.households_behind(user, round_, by, key, measure), round_, measure


def _disclosed(user, households, place: str):
    """Rows of (household, unmasked), logging the unmasked ones as they are written."""
    slim = households.select_related(None).prefetch_related(None).only("community", "pair")
    unmasked = personal_data_household_ids(user, slim)
    log_unmasked(user, unmasked, "phone,tags", place=place)
    for household in households.iterator(chunk_size=CHUNK_SIZE):
        yield household, household.pk in unmasked


def _tags(household) -> str:
    names = []
    for resident in household.residents.all():
        for tag in resident.tags.all():
            if tag.name not in names:
                names.append(tag.name)
    return "、".join(names)


def household_ledger(user, params) -> Ledger:
    """住户台账: the households in scope (or those behind one coverage number)."""
    _allowed(user)
    households, round_, measure = _households(user, params)
    households = households.select_related(
        "community", "community__parent", "grid", "building", "pair"
    ).prefetch_related(
        Prefetch(
            "residents",
            queryset=Resident.objects.filter(active=True).prefetch_related("tags"),
        )
    )
    columns = [
        Column(_("街道/镇"), lambda r: _name(r[0].community.parent), width=12),
        Column(_("社区/村"), lambda r: r[0].community.name, width=12),
        Column(_("网格"), lambda r: _name(r[0].grid), width=14),
        Column(_("楼栋/村民小组"), lambda r: r[0].building.name if r[0].building else "", width=14),
        Column(_("地址"), lambda r: r[0].address, width=30),
        Column(_("户主"), lambda r: r[0].head_name, width=10),
        Column(_("联系电话"), lambda r: shown_phone(r[0].phone, r[1]), width=14),
        Column(_("人口"), lambda r: r[0].member_count, NUMBER, 6),
        # Tags such as 低保 or 残疾 are personal data: only where the phone is shown whole.
        Column(_("人员标签"), lambda r: _tags(r[0]) if r[1] else "", width=20),
        Column(_("联户组"), lambda r: r[0].pair.code if r[0].pair else "", width=12),
    ]
    if round_ is not None:
        households = households.annotate(
            visited=Exists(Visit.objects.filter(round=round_, household=OuterRef("pk"))),
            met_in_person=Exists(
                Visit.objects.filter(round=round_, household=OuterRef("pk"), met=True)
            ),
        )
        columns += [
            Column(_("本轮已走访"), lambda r: str(YES if r[0].visited else NO), width=10),
            Column(_("本轮见面"), lambda r: str(YES if r[0].met_in_person else NO), width=10),
        ]
    households = households.order_by("community__name", "address_key", "pk")
    title = str(_("住户台账"))
    if measure:
        title = f"{title}-{coverage.MEASURES[measure]}"
    rows = _disclosed(user, households, place=title)
    return Ledger(title, columns, rows, households.count())


def _members(pair) -> list:
    return [m.cadre for m in pair.current_members]


def _cadre_column(header: Message, index: int, field: str, width: int) -> Column:
    return Column(header, lambda pair: _cadre(pair, index, field), width=width)


def _cadre(pair, index: int, field: str) -> str:
    members = _members(pair)
    if index >= len(members):
        return ""
    cadre = members[index]
    if field == "employer":
        return cadre.employer.name
    return getattr(cadre, field)


def pair_ledger(user, params) -> Ledger:
    """联户分组表: each pair with a household in scope, its two current cadres and its
    households (addresses and heads; no phones of residents)."""
    _allowed(user)
    households = coverage.scoped_households(user)
    pairs = (
        Pair.objects.filter(pk__in=households.values("pair_id"))
        .select_related("community", "community__parent")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=PairMember.objects.filter(until__isnull=True).select_related(
                    "cadre", "cadre__employer"
                ),
                to_attr="current_members",
            ),
            Prefetch(
                "households",
                queryset=households.order_by("address_key"),
                to_attr="listed",
            ),
        )
        .order_by("community__name", "code")
    )
    columns = [
        Column(_("联户组编号"), lambda p: p.code, width=12),
        Column(_("街道/镇"), lambda p: _name(p.community.parent), width=12),
        Column(_("社区/村"), lambda p: p.community.name, width=12),
    ]
    for i, n in ((0, "1"), (1, "2")):
        columns += [
            _cadre_column(_("干部%(n)s") % {"n": n}, i, "name", 10),
            _cadre_column(_("干部%(n)s单位") % {"n": n}, i, "employer", 16),
            _cadre_column(_("干部%(n)s电话") % {"n": n}, i, "phone", 14),
        ]
    columns += [
        Column(_("户数"), lambda p: len(p.listed), NUMBER, 6),
        Column(
            _("联系住户"),
            lambda p: "；".join(f"{h.address}（{h.head_name}）" for h in p.listed),
            width=80,
        ),
    ]
    return Ledger(
        str(_("联户分组表")), columns, pairs.iterator(chunk_size=CHUNK_SIZE), pairs.count()
    )


def visit_ledger(user, params) -> Ledger:
    """走访记录台账: the visits to households in scope, of one round when asked, newest
    first."""
    _allowed(user)
    visits = Visit.objects.filter(household__in=coverage.scoped_households(user).values("pk"))
    round_ = chosen_round(params.get("round")) if params.get("round") else None
    if round_ is not None:
        visits = visits.filter(round=round_)
    visits = visits.select_related(
        "round", "household", "household__community", "pair", "recorded_by"
    ).order_by("-visited_at", "-pk")
    method = _labels(Visit.Method.choices)
    columns = [
        Column(_("轮次"), lambda v: v.round.title if v.round else "", width=14),
        Column(_("走访时间"), lambda v: v.visited_at, DATETIME, 17),
        Column(_("社区/村"), lambda v: v.household.community.name, width=12),
        Column(_("地址"), lambda v: v.household.address, width=30),
        Column(_("户主"), lambda v: v.household.head_name, width=10),
        Column(_("联户组"), lambda v: v.pair.code if v.pair else "", width=12),
        Column(_("方式"), lambda v: method.get(v.method, v.method), width=8),
        Column(_("见到本人"), lambda v: str(YES if v.met else NO), width=8),
        Column(_("走访记录"), lambda v: v.note, width=40),
        Column(_("录入人"), lambda v: str(v.recorded_by), width=10),
        Column(_("录入时间"), lambda v: v.recorded_at, DATETIME, 17),
    ]
    title = str(_("走访记录台账"))
    if round_ is not None:
        title = f"{title}-{round_.title}"
    return Ledger(title, columns, visits.iterator(chunk_size=CHUNK_SIZE), visits.count())


def _fraction(percent):
    return None if percent is None else percent / 100


def coverage_ledger(user, params) -> Ledger:
    """The coverage page's table (by the page's grouping), with the total last."""
    _allowed(user)
    round_ = chosen_round(params.get("round"))
    if round_ is None:
        raise Http404
    by = chosen_grouping(params.get("by"))
    rows = coverage.breakdown(user, round_, by)
    rows.append(
        coverage.total(rows) if by in coverage.PARTITIONS else coverage.summary(user, round_)
    )
    columns = [
        Column(coverage.GROUPINGS[by].label, lambda r: r.label, width=22),
        Column(_("在册户数"), lambda r: r.households, NUMBER, 9),
        Column(_("已走访"), lambda r: r.visited, NUMBER, 9),
        Column(_("覆盖率"), lambda r: _fraction(r.coverage), PERCENT, 9),
        Column(_("见面户数"), lambda r: r.met, NUMBER, 9),
        Column(_("见面率"), lambda r: _fraction(r.met_rate), PERCENT, 9),
        Column(_("未走访"), lambda r: r.not_visited, NUMBER, 9),
        Column(_("重点访/及时访"), lambda r: r.dues, NUMBER, 12),
        Column(_("按时完成"), lambda r: r.on_time, NUMBER, 9),
        Column(_("按时率"), lambda r: _fraction(r.on_time_rate), PERCENT, 9),
    ]
    title = _("走访覆盖-按%(by)s") % {"by": coverage.GROUPINGS[by].label}
    return Ledger(f"{title}-{round_.title}", columns, rows, len(rows))
