"""The demo district's registers at the scale of a small district (Changdao): about 600
buildings, 15,000 households with 23,000 residents, 500 shops, 1,200 cadres in 600 pairs,
片区 with their attached departments, leaders attached to streets, and three visit rounds:
two closed with a few honest gaps, the third open and under way.

Cadres and pairs go through the registry's actions, as an import would. Buildings,
households, residents, shops and most visits are written with bulk_create: through
`do_save_household` (a row lock, an event and a check per household) the 15,000 households
alone took longer than the four minutes `make demo` may take on the reference machine
(measured: see BENCHMARKS.md). This loader is demo-only; it writes rows exactly as the
actions would leave them (address keys normalised, created/updated stamps), without their
RegistryEvent history, which a freshly imported register would not have either.

The rounds run on the history's clock (`lianxin.demo.history`): the office opens each
through `do_open_round` (which gives the 重点访 dues) and closes the finished ones through
`do_close_round`. A visit where the resident raised a concern is recorded through
`do_record_visit` at its moment, so the concern is a case heard from the household (channel
visit, registered when it was said), which then lives its own life through the workflow;
the other visits (about 40,000) are written as rows when their round ends and fulfil the
dues their households had open that day, as the action would.
"""

import datetime as dt
import random
import time
from dataclasses import dataclass, field

from django.utils import timezone

from lianxin.demo import concerns, places
from lianxin.demo.district import Cast, Grid
from lianxin.demo.history import History, Story
from lianxin.orgs.models import Unit
from lianxin.registry import actions, coverage_tally
from lianxin.registry.actions.visits import Opinion
from lianxin.registry.addresses import address_key
from lianxin.registry.models import (
    Attachment,
    Building,
    Household,
    Resident,
    Round,
    Shop,
    Tag,
    Visit,
    VisitDue,
    Zone,
)
from lianxin.workdays.days import end_of_day, local_date

BUILDINGS_PER_GRID = 4
HOUSEHOLDS_PER_BUILDING = 25
SHOPS_PER_GRID = 3  # and one more in every third grid: 500 over 150 grids
PAIRS_PER_GRID = 4
ZONE_SIZE = 5  # grids per 片区
BATCH = 2000
PRIORITY_TAGS = ("dibao", "duju", "canji", "gaoling", "zhongbing")
# A share of residents carry a tag; the weights say which.
TAG_WEIGHTS = {
    "gaoling": 30,
    "duju": 14,
    "dibao": 10,
    "canji": 8,
    "tuiyi_junren": 10,
    "zhongbing": 6,
    "kunnan": 6,
    "lao_dangyuan": 8,
    "lao_ganbu": 3,
    "lao_jiaoshi": 3,
    "lao_junren": 3,
    "lao_mofan": 2,
}
TRADES = ("餐饮", "超市便利", "理发美容", "五金建材", "药店", "水产海鲜", "维修", "民宿")
SHOP_WORDS = ("鑫源", "海韵", "福满", "顺发", "渔家", "金港", "惠民", "长岛", "聚鲜", "百姓")


@dataclass
class Registers:
    buildings: int = 0
    households: int = 0
    residents: int = 0
    shops: int = 0
    cadres: int = 0
    pairs: int = 0
    zones: int = 0
    visits: int = 0
    dues: int = 0
    heard: int = 0
    rounds: list[Round] = field(default_factory=list)
    stories: list = field(default_factory=list)
    seconds: float = 0.0


def _community(grid: Grid) -> Unit:
    """The community (社区) or village (村) of a demo grid: every one has its own."""
    community = grid.unit.parent
    if community is None:
        raise ValueError(f"the demo grid {grid.unit.code} has no community")
    return community


def _street_id(grid: Grid) -> int:
    street_id = _community(grid).parent_id
    if street_id is None:
        raise ValueError(f"the demo grid {grid.unit.code} has no street")
    return street_id


def _building_names(grid: Grid, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, name) of the grid's buildings, or of a village's groups."""
    # A village (村) is walked by its groups (村民小组), not by buildings.
    if _community(grid).name.endswith("村"):
        start = (grid.unit.sort_order or 0) * BUILDINGS_PER_GRID
        return [
            (Building.Kind.VILLAGE_GROUP, f"{_community(grid).name}第{start + i + 1}村民小组")
            for i in range(BUILDINGS_PER_GRID)
        ]
    compounds = [p for p in grid.places if places.place_kind(p) == "compound"]
    # A grid without a compound of its own gets its own estate name, unique in the community.
    compounds = compounds or [f"{_community(grid).name}{(grid.unit.sort_order or 0) + 1}区"]
    names: list[tuple[str, str]] = []
    for i in range(BUILDINGS_PER_GRID):
        compound = compounds[i % len(compounds)]
        names.append((Building.Kind.BUILDING, f"{compound}{i // len(compounds) + 1}号楼"))
    return names


def _household_address(building: Building, n: int) -> tuple[str, str, str]:
    if building.kind == Building.Kind.VILLAGE_GROUP:
        number = str(n + 1)
        group = building.name.rsplit("第", 1)[-1].removesuffix("村民小组")
        return f"{building.name}{number}号", f"{group}组", number
    entrance, rest = divmod(n, 10)
    floor, room = divmod(rest, 2)
    room_no = f"{floor + 1}0{room + 1}"
    return f"{building.name}{entrance + 1}单元{room_no}室", str(entrance + 1), room_no


def build_places(
    cast: Cast, rng: random.Random, now: dt.datetime, out: Registers, per_building: int
) -> dict:
    """Buildings, households, residents and shops; returns the buildings by grid."""
    tags = {t.code: t for t in Tag.objects.all()}
    tag_codes, tag_weights = list(TAG_WEIGHTS), list(TAG_WEIGHTS.values())
    since = now - dt.timedelta(days=400)
    buildings = []
    for grid in cast.grids:
        for kind, name in _building_names(grid, rng):
            lat, lon = grid.random_point(rng)
            buildings.append(
                Building(
                    kind=kind,
                    community=grid.unit.parent,
                    grid=grid.unit,
                    name=name,
                    address=name,
                    address_key=address_key(name),
                    floors=rng.choice((5, 6, 6, 11, 18)) if kind == "building" else None,
                    entrances=3 if kind == "building" else None,
                    declared_households=HOUSEHOLDS_PER_BUILDING,  # as declared, not as loaded
                    latitude=round(lat, 6),
                    longitude=round(lon, 6),
                )
            )
    buildings = Building.objects.bulk_create(buildings, batch_size=BATCH)
    out.buildings = len(buildings)

    households = []
    for building in buildings:
        for n in range(per_building):
            address, entrance, room = _household_address(building, n)
            households.append(
                Household(
                    kind="village" if building.kind == "village_group" else "urban",
                    community_id=building.community_id,
                    grid_id=building.grid_id,
                    building=building,
                    address=address,
                    address_key=address_key(address),
                    entrance=entrance,
                    room=room,
                    head_name=places.person_name(rng),
                    phone=places.mobile_phone(rng) if rng.random() < 0.93 else "",
                    member_count=1,
                    # A few moved away: they keep their history but leave the worklists.
                    active=rng.random() > 0.006,
                    created_at=since,
                    updated_at=since,
                )
            )
    households = Household.objects.bulk_create(households, batch_size=BATCH)
    out.households = sum(h.active for h in households)

    residents, tagged = [], []
    for household in households:
        size = rng.choices((1, 2, 3, 4), weights=(57, 35, 6, 2))[0]
        household.member_count = size
        surname = household.head_name[0]
        for i in range(size):
            relation = ("head", "spouse", "child", "parent")[i]
            name = household.head_name if i == 0 else surname + places.person_name(rng)[1:]
            born = rng.randint(1935, 1975) if i < 2 else rng.randint(1980, 2015)
            resident = Resident(household=household, name=name, relation=relation, birth_year=born)
            residents.append(resident)
            if rng.random() < 0.16:
                tagged.append((resident, rng.choices(tag_codes, weights=tag_weights)[0]))
    Household.objects.bulk_update(households, ["member_count"], batch_size=BATCH)
    Resident.objects.bulk_create(residents, batch_size=BATCH)
    out.residents = len(residents)
    Through = Resident.tags.through
    Through.objects.bulk_create(
        [Through(resident_id=r.pk, tag_id=tags[code].pk) for r, code in tagged],
        batch_size=BATCH,
    )

    shops = []
    by_grid: dict[int | None, list[Building]] = {}
    for building in buildings:
        by_grid.setdefault(building.grid_id, []).append(building)
    for g, grid in enumerate(cast.grids):
        for s in range(SHOPS_PER_GRID + (1 if g % 3 == 0 else 0)):
            building = by_grid[grid.unit.pk][s % BUILDINGS_PER_GRID]
            trade = rng.choice(TRADES)
            name = f"{rng.choice(SHOP_WORDS)}{trade}"
            address = f"{building.name}底商{s + 1}号"
            shops.append(
                Shop(
                    community_id=building.community_id,
                    grid_id=building.grid_id,
                    building=building,
                    name=name,
                    operator=places.person_name(rng),
                    phone=places.mobile_phone(rng),
                    trade=trade,
                    address=address,
                    address_key=address_key(address),
                )
            )
    out.shops = len(Shop.objects.bulk_create(shops, batch_size=BATCH))
    return by_grid


def build_pairs(cast: Cast, rng: random.Random, now: dt.datetime, by_grid, out: Registers):
    """1,200 cadres in 600 pairs through the actions, each pair answering for a building
    (a few newcomers not yet assigned); 片区 of five grids with their departments, and
    the leaders attached to streets."""
    office = cast.dispatchers[0]
    departments = list(cast.departments.values())
    when = now - dt.timedelta(days=380)
    phones = set()

    def phone():
        while True:
            number = places.mobile_phone(rng)
            if number not in phones:
                phones.add(number)
                return number

    pair_of_building = {}
    for g, grid in enumerate(cast.grids):
        community = _community(grid)
        for p in range(PAIRS_PER_GRID):
            # 老带新: one cadre of the community who knows the residents, one from a
            # department who is learning.
            first = actions.do_save_cadre(
                actor=office,
                name=places.person_name(rng),
                employer=community,
                phone=phone(),
                party_member=True,
                experienced=True,
                when=when,
            ).row
            second = actions.do_save_cadre(
                actor=office,
                name=places.person_name(rng),
                employer=departments[(g * PAIRS_PER_GRID + p) % len(departments)],
                phone=phone(),
                party_member=rng.random() < 0.6,
                local=rng.random() < 0.7,
                when=when,
            ).row
            pair = actions.do_save_pair(
                actor=office,
                code=f"{grid.unit.code}-{p + 1}",
                community=community,
                cadres=[first, second],
                when=when,
            ).row
            out.cadres += 2
            out.pairs += 1
            pair_of_building[by_grid[grid.unit.pk][p].pk] = pair.pk
    households = Household.objects.filter(building__in=list(pair_of_building)).only(
        "pk", "building_id"
    )
    assigned = []
    for household in households:
        if rng.random() < 0.008:
            continue  # moved in since the pairs were drawn up: 未编组 until assigned
        household.pair_id = pair_of_building[household.building_id]
        assigned.append(household)
    Household.objects.bulk_update(assigned, ["pair"], batch_size=BATCH)

    by_street: dict[int, list[Unit]] = {}
    for grid in cast.grids:
        by_street.setdefault(_street_id(grid), []).append(grid.unit)
    z = 0
    for street_id, grids in by_street.items():
        for start in range(0, len(grids), ZONE_SIZE):
            z += 1
            zone = Zone.objects.create(name=f"第{z}片区", street_id=street_id)
            zone.grids.set(grids[start : start + ZONE_SIZE])
            Attachment.objects.create(
                kind=Attachment.Kind.DEPARTMENT_ZONE,
                department=departments[(z - 1) % len(departments)],
                zone=zone,
            )
    out.zones = z
    for i, street_id in enumerate(by_street):
        Attachment.objects.create(
            kind=Attachment.Kind.LEADER_STREET,
            user=cast.leaders[i % len(cast.leaders)],
            area_id=street_id,
        )


ROUNDS = [
    # (number, starts days ago, lasts days, status, share visited, share met)
    (1, 160, 45, "closed", 0.985, 0.90),
    (2, 80, 45, "closed", 0.992, 0.92),
    (3, 18, 45, "open", None, 0.88),
]
# Of the households met at a round's first visit, the share that raised a concern: about
# 700 opinion-cases over the three rounds of the full demo.
OPINION_SHARE = 0.02


@dataclass
class VisitPlan:
    """A round's visits, drawn before the clock runs: the plain ones are written as rows
    when the round ends; those where the resident raised a concern go through
    `do_record_visit` at their moment, and the case lives on in the history."""

    round: Round
    start: dt.datetime
    end: dt.datetime
    closes: bool
    plain: list[Visit] = field(default_factory=list)
    # (household pk, visited at, method)
    heard: list[tuple[int, dt.datetime, str]] = field(default_factory=list)


def plan_rounds(cast: Cast, rng: random.Random, now: dt.datetime) -> list[VisitPlan]:
    """Three rounds in preparation, and who is visited when: the two closed ones missed a
    few households (away, refused, or simply not reached); the open one is under way,
    some grids far ahead of others."""
    priority = list(Tag.objects.filter(code__in=PRIORITY_TAGS))
    priority_ids = set(
        Resident.tags.through.objects.filter(tag__in=priority).values_list(
            "resident__household_id", flat=True
        )
    )
    households = list(
        Household.objects.filter(active=True).values_list(
            "pk", "pair_id", "community_id", "grid_id"
        )
    )
    recorder = cast.community_staff
    grid_pace = {grid.unit.pk: rng.uniform(0.25, 0.95) for grid in cast.grids}
    plans = []
    for number, ago, length, status, share, met_share in ROUNDS:
        start = timezone.localtime(now - dt.timedelta(days=ago)).replace(
            hour=9, minute=0, second=0, microsecond=0
        )
        end = start + dt.timedelta(days=length)
        # Opened (and closed) by the office through the actions when the clock gets there.
        round_ = Round.objects.create(
            number=number,
            title=f"第{number}轮联户大走访",
            starts_on=local_date(start),
            ends_on=local_date(end),
            materials="联户连心服务卡、政策明白纸",
        )
        round_.priority_tags.set(priority)
        plan = VisitPlan(round_, start, end, closes=status == "closed")
        plans.append(plan)
        until = min(end, now)
        span = (until - start).total_seconds()
        for pk, pair_id, community_id, grid_id in households:
            is_priority = pk in priority_ids
            reach = share if share is not None else grid_pace[grid_id]
            if is_priority:
                reach = max(reach, 0.97)
            if rng.random() >= reach:
                continue
            if is_priority and rng.random() < 0.9:
                first_at = start + dt.timedelta(seconds=rng.uniform(0, 5 * 86400))
            else:
                first_at = start + dt.timedelta(seconds=rng.uniform(0, span))
            first_at = first_at.replace(hour=rng.randint(9, 19), minute=rng.randint(0, 59))
            # Within the round (it closes at 9:00 on its last day) and before now.
            first_at = min(first_at, until - dt.timedelta(minutes=5))
            met = rng.random() < met_share
            method = "in_person" if met or rng.random() < 0.6 else rng.choice(("phone", "wechat"))
            if met and rng.random() < OPINION_SHARE:
                plan.heard.append((pk, first_at, method))
                continue
            user = recorder[community_id]
            plan.plain.append(
                Visit(
                    round=round_,
                    household_id=pk,
                    pair_id=pair_id,
                    visited_at=first_at,
                    method=method,
                    met=met,
                    note="" if met else "家中无人，已留联系卡",
                    recorded_by=user,
                    recorded_at=first_at + dt.timedelta(hours=rng.randint(0, 30)),
                )
            )
            if not met and rng.random() < 0.5:
                again = first_at + dt.timedelta(days=rng.randint(2, 12))
                if again < until:
                    plan.plain.append(
                        Visit(
                            round=round_,
                            household_id=pk,
                            pair_id=pair_id,
                            visited_at=again,
                            method="in_person",
                            met=True,
                            recorded_by=user,
                            recorded_at=again,
                        )
                    )
    return plans


def round_stories(cast: Cast, history: History, plans: list[VisitPlan], now: dt.datetime):
    """The rounds as stories for the history's clock: the office opens each round at its
    start and closes the finished ones at their end; each concern heard is a visit recorded
    through `do_record_visit` at its moment, and then the case's own life."""
    office = cast.dispatchers[0]
    grids = {grid.unit.pk: grid for grid in cast.grids}
    stories: list[tuple[dt.datetime, Story]] = []

    def round_story(plan: VisitPlan) -> Story:
        actions.do_open_round(plan.round, actor=office, when=plan.start)
        plan.round.refresh_from_db()  # the action saved its own copy
        # The plain visits are written when the round ends (or, for the open one, now):
        # nothing in the workflow reads them before.
        yield plan.end if plan.closes else now - dt.timedelta(minutes=1)
        write_plain_visits(plan)
        if plan.closes:
            actions.do_close_round(plan.round, actor=office, when=plan.end)

    def heard_story(
        plan: VisitPlan, household: Household, visited_at: dt.datetime, method: str
    ) -> Story:
        grid = grids[household.grid_id or 0]  # every demo household is in a grid
        code = history.category_code()
        fate = history.fate()
        if fate == "claimed":  # a concern offered for claim at a meeting, not at a door
            fate = "normal"
        title, text = concerns.write_concern(
            history.rng, code, history.rng.choice(grid.places), household.address
        )
        visit = actions.do_record_visit(
            household,
            actor=cast.community_staff[household.community_id],
            round=plan.round,
            visited_at=visited_at,
            method=method,
            met=True,
            note="入户走访，群众反映诉求，已登记。",
            opinions=[Opinion(title[:100], text, category=cast.categories[code])],
            when=visited_at,
        )
        case = visit.heard_cases.select_related("case").get().case
        history.open_cases.append(case)
        yield from history.life(case, visited_at, grid, code, fate)

    wanted = {pk for plan in plans for pk, _at, _method in plan.heard}
    households = Household.objects.select_related("community", "grid").in_bulk(wanted)
    for plan in plans:
        stories.append((plan.start, round_story(plan)))
        for pk, visited_at, method in plan.heard:
            stories.append((visited_at, heard_story(plan, households[pk], visited_at, method)))
    return stories


def write_plain_visits(plan: VisitPlan) -> None:
    """Write a round's plain visits and let each fulfil the dues its household had open
    that day, as `do_record_visit` would (a 重点访 missed in an earlier round is done,
    late, by this round's visit)."""
    visits = Visit.objects.bulk_create(plan.plain, batch_size=BATCH)
    by_household: dict[int, list[Visit]] = {}
    for visit in sorted(visits, key=lambda v: v.visited_at):
        by_household.setdefault(visit.household_id, []).append(visit)
    open_dues = VisitDue.objects.filter(visit__isnull=True, household__in=list(by_household))
    fulfilled = []
    for due in open_dues.only("pk", "household_id", "opened_at"):
        for visit in by_household[due.household_id]:
            if due.opened_at <= end_of_day(local_date(visit.visited_at)):
                due.visit = visit
                fulfilled.append(due)
                break
    VisitDue.objects.bulk_update(fulfilled, ["visit"], batch_size=BATCH)


def build_registers(
    cast: Cast,
    seed: int,
    now: dt.datetime,
    history: History,
    *,
    per_building: int = HOUSEHOLDS_PER_BUILDING,
) -> Registers:
    """The places, people, pairs and the rounds' plans; the rounds themselves happen in
    `out.stories`, which the caller plays on the history's clock."""
    started = time.monotonic()
    # Its own random stream: the district and its cases stay as they were.
    rng = random.Random(seed + 14)
    out = Registers()
    by_grid = build_places(cast, rng, now, out, per_building)
    build_pairs(cast, rng, now, by_grid, out)
    plans = plan_rounds(cast, rng, now)
    out.rounds = [plan.round for plan in plans]
    out.heard = sum(len(plan.heard) for plan in plans)
    out.stories = round_stories(cast, history, plans, now)
    out.seconds = time.monotonic() - started
    return out


def tally(out: Registers) -> None:
    """Count what the rounds left, once the clock has run."""
    # The households, visits and dues above went around the actions, which keep the
    # coverage tally: count it afresh now that everything is written.
    coverage_tally.rebuild()
    out.visits = Visit.objects.count()
    out.dues = VisitDue.objects.count()
    for round_ in out.rounds:
        round_.refresh_from_db()
