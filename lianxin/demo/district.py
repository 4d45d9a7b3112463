"""The demo district's units, categories and people (with known passwords)."""

import functools
import random
import zlib
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from lianxin.accounts.models import Membership, Role, User
from lianxin.cases.models import Category
from lianxin.demo import places, taxonomy
from lianxin.demo.upstream import create_demo_upstream
from lianxin.open311.demo import create_demo_partner
from lianxin.orgs.models import DistrictSettings, Unit

PASSWORD = "lianxin2026"  # noqa: S105  (the demo's published password)
GRID_NUMERALS = "一二三四"


@functools.cache
def _password_hash() -> str:
    # Hashed once for the ~400 demo users: a fresh salt each would take minutes.
    return make_password(PASSWORD)


@dataclass
class Grid:
    unit: Unit
    places: list[str]
    point: tuple[float, float]
    worker: User | None = None
    cells: list = field(default_factory=list)  # where its cases may lie (places.outlines)

    def random_point(self, rng: random.Random) -> tuple[float, float]:
        return places.point_in_cells(rng, self.cells)


@dataclass
class Cast:
    district: Unit
    office: Unit
    dispatchers: list[User] = field(default_factory=list)
    leaders: list[User] = field(default_factory=list)
    departments: dict[str, Unit] = field(default_factory=dict)  # by taxonomy code
    handlers: dict[int, list[User]] = field(default_factory=dict)  # by unit pk
    community_staff: dict[int, User] = field(default_factory=dict)  # by community pk
    street_staff: dict[int, User] = field(default_factory=dict)  # by street pk
    grids: list[Grid] = field(default_factory=list)
    categories: dict[str, Category] = field(default_factory=dict)  # second level, by code
    residents: list[User] = field(default_factory=list)


def _user(username, full_name, role, unit, rng, **extra) -> User:
    if role != Role.RESIDENT:
        # Staff get a number so the demo's text messages to them show up; derived from
        # the name, not drawn from `rng`, so the rest of the district stays the same.
        extra.setdefault("phone", "137" + str(zlib.crc32(username.encode()) % 10**8).zfill(8))
    user = User(username=username, full_name=full_name, password=_password_hash(), **extra)
    user.save()
    Membership.objects.create(user=user, unit=unit, role=role)
    return user


def build_district(rng: random.Random) -> Cast:
    """Create the whole district: about 10 streets, 40 communities, 150 grids, 25 departments,
    the office and the leadership, the category taxonomy, and users for every role."""
    K = Unit.Kind
    shapes = places.outlines()
    district = Unit.objects.create(
        kind=K.DISTRICT,
        code="district",
        name=places.DISTRICT_NAME,
        **shapes["district"].unit_fields(),
    )
    office = Unit.objects.create(
        kind=K.OFFICE, code="office", name="区连心服务办公室", parent=district
    )
    leadership = Unit.objects.create(
        kind=K.LEADERSHIP, code="leadership", name="区领导", parent=district
    )
    cast = Cast(district=district, office=office)
    DistrictSettings.load()

    for order, (code, name) in enumerate(taxonomy.DEPARTMENTS):
        unit = Unit.objects.create(
            kind=K.DEPARTMENT,
            code=f"dept-{code}",
            name=name,
            parent=district,
            sort_order=order,
            public_enterprise=code in taxonomy.PUBLIC_ENTERPRISES,
        )
        cast.departments[code] = unit
        cast.handlers[unit.pk] = [
            _user(code, places.person_name(rng), Role.DEPT_HANDLER, unit, rng),
            _user(f"{code}-2", places.person_name(rng), Role.DEPT_HANDLER, unit, rng),
        ]
        _user(f"{code}-head", places.person_name(rng), Role.DEPT_HEAD, unit, rng)

    grid_count = 0
    for s_order, (s_code, s_name, communities) in enumerate(places.STREETS):
        street = Unit.objects.create(
            kind=K.STREET,
            code=s_code,
            name=s_name,
            parent=district,
            sort_order=s_order,
            **shapes[s_code].unit_fields(),
        )
        cast.street_staff[street.pk] = _user(
            s_code, places.person_name(rng), Role.STREET_STAFF, street, rng
        )
        for c_order, (c_code, c_name, c_places) in enumerate(communities):
            community = Unit.objects.create(
                kind=K.COMMUNITY,
                code=c_code,
                name=c_name,
                parent=street,
                sort_order=c_order,
                **shapes[c_code].unit_fields(),
            )
            cast.community_staff[community.pk] = _user(
                c_code, places.person_name(rng), Role.COMMUNITY_STAFF, community, rng
            )
            n_grids = places.grid_count(c_order)
            for g in range(n_grids):
                grid_count += 1
                unit = Unit.objects.create(
                    kind=K.GRID,
                    code=f"{c_code}-g{g + 1}",
                    name=f"{c_name}第{GRID_NUMERALS[g]}网格",
                    parent=community,
                    sort_order=g,
                    **shapes[(c_code, g)].unit_fields(),
                )
                worker = _user(unit.code, places.person_name(rng), Role.GRID_WORKER, unit, rng)
                shape = shapes[(c_code, g)]
                cast.grids.append(
                    Grid(unit, c_places[g::n_grids] or c_places, shape.centre, worker, shape.cells)
                )

    cast.dispatchers = [
        _user("office", "张晓梅", Role.DISPATCHER, office, rng),
        _user("office2", "刘建军", Role.DISPATCHER, office, rng),
        _user("office3", "孙丽娜", Role.DISPATCHER, office, rng),
    ]
    leader_names = [
        "王建国",
        "李海涛",
        "赵立新",
        "陈红梅",
        "周振华",
        "吴志刚",
        "郑卫东",
        "冯淑华",
        "于德福",
    ]
    cast.leaders = [
        _user("leader" if i == 0 else f"leader{i + 1}", name, Role.LEADER, leadership, rng)
        for i, name in enumerate(leader_names)
    ]
    admin = _user(
        "admin", "系统管理员", Role.ADMIN, district, rng, is_staff=True, is_superuser=True
    )
    del admin

    cast.residents = [
        _user("resident", "王秀兰", Role.RESIDENT, district, rng, phone="13800001234")
    ] + [
        _user(
            f"resident{i}",
            places.person_name(rng),
            Role.RESIDENT,
            district,
            rng,
            phone=f"139{i:08d}",
        )
        for i in range(2, 81)
    ]

    for order, (code, name, subs) in enumerate(taxonomy.CATEGORIES):
        top = Category.objects.create(code=code, name=name, sort_order=order)
        for sub_order, (sub_code, sub_name, dept_code, days) in enumerate(subs):
            cast.categories[sub_code] = Category.objects.create(
                code=sub_code,
                name=sub_name,
                parent=top,
                sort_order=sub_order,
                default_unit=cast.departments[dept_code],
                resolution_working_days=days,
            )
    create_demo_partner()  # Open311 key "demo-open311-key", all categories
    create_demo_upstream(office, cast.categories)  # filled in, switched off
    assert grid_count == 150, grid_count
    return cast
