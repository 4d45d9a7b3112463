"""The demo district's hazard ledger: two campaigns over the last five months, as 灵山卫's
articles describe them: a 安全生产 sweep of enterprises, schools and kitchens (self-checks,
sweeps and spot checks by 应急管理局 and the streets), and a 人居环境 campaign that scores
villages and estates for the year-end ranking (边打分边记录).

Everything goes through the hazards' actions, each step at its own moment: hazards found,
notices issued, fixes reported (some through the notice's link, some late), re-inspections
passed or relapsed (and noticed again), a few referred to the case workflow, and the
overdue scan run at the end as the periodic job would.
"""

import datetime as dt
import random
from collections import Counter

from lianxin.demo.district import Cast
from lianxin.hazards import actions
from lianxin.hazards.models import Hazard, HazardStatus, InspectionKind, PlaceKind, Severity, Topic
from lianxin.orgs.models import Unit
from lianxin.workdays.days import local_date

STREETS = ("st-wangchao", "st-zhubei", "st-yuwan")
SAFETY_ITEMS = [
    ("安全生产责任制和管理制度落实", 15),
    ("消防设施器材配置完好有效", 20),
    ("安全出口、疏散通道畅通", 20),
    ("电气线路敷设规范，无私拉乱接", 20),
    ("燃气、危化品存放使用规范", 15),
    ("隐患排查台账建立", 10),
]
SANITATION_ITEMS = [
    ("楼内楼外卫生整洁", 25),
    ("房前屋后无“三大堆”", 25),
    ("垃圾分类投放、及时清运", 20),
    ("公共绿地无毁绿种菜", 15),
    ("拆迁旧址环境风貌整治", 15),
]
SAFETY_HAZARDS = [
    "灭火器过期未更换",
    "安全出口被货物堵塞",
    "车间电线私拉乱接，插座超负荷使用",
    "液化气钢瓶与灶具间距不足，未安装报警器",
    "疏散指示标志损坏",
    "后厨油烟管道积油严重，未定期清洗",
    "员工宿舍内电动车充电",
    "危化品未分类存放，无台账",
    "消防栓被遮挡",
    "校园周边护栏松动",
]
SANITATION_HAZARDS = [
    "房前屋后柴草堆、粪堆未清理",
    "楼道内堆放杂物",
    "垃圾桶满溢未及时清运",
    "公共绿地被开垦种菜",
    "拆迁旧址建筑垃圾未清运",
    "小区化粪池外溢",
]
REQUIREMENTS = {
    Topic.SAFETY: "立即整改，整改前落实临时防护措施，整改完成后报送整改前后照片。",
    Topic.SANITATION: "限期清理到位，建立日常保洁制度，整改完成后报送照片。",
}
MEASURES = {
    Topic.SAFETY: "已按要求整改到位，更换相关设施并建立日常巡查记录。",
    Topic.SANITATION: "已组织人员清理完毕，落实门前三包责任。",
}
ENTERPRISES = ("五金加工厂", "海产品加工厂", "汽车修理厂", "建材商行", "纸箱包装厂")
KITCHENS = ("家常菜馆", "海鲜饭店", "职工食堂")


def _places(cast: Cast, rng: random.Random, streets: list[Unit], start: dt.datetime):
    """Enterprises, schools and kitchens for the safety campaign, villages and estates for
    the sanitation one, in the demo's grids of `streets`."""
    office = cast.dispatchers[0]
    regulators = {
        PlaceKind.ENTERPRISE: cast.departments["yjglj"],
        PlaceKind.RESTAURANT: cast.departments["scjgj"],
        PlaceKind.SCHOOL: cast.departments["jtj"],
    }
    safety, sanitation = [], []
    street_ids = {street.pk for street in streets}
    for grid in cast.grids:
        community = grid.unit.parent
        assert community is not None  # a grid hangs from its community
        if community.parent_id not in street_ids:
            continue
        prefix = community.name.removesuffix("社区").removesuffix("村")

        def save(kind, name, responsible, grid=grid, community=community):
            lat, lon = grid.random_point(rng)
            return actions.do_save_place(
                actor=office,
                kind=kind,
                name=name,
                community=community,
                grid=grid.unit,
                responsible_unit=responsible,
                address=f"{grid.places[0]}{rng.randint(1, 99)}号",
                contact_name=f"{rng.choice('王李张刘陈杨赵黄周吴')}{rng.choice('建国秀英海涛丽娜志强明华')}",
                contact_phone=f"139{rng.randint(10**7, 10**8 - 1)}",
                latitude=f"{lat:.6f}",
                longitude=f"{lon:.6f}",
                when=start,
            ).place

        for suffix in rng.sample(ENTERPRISES, 1):
            safety.append(
                save(PlaceKind.ENTERPRISE, f"{prefix}{suffix}", regulators[PlaceKind.ENTERPRISE])
            )
        if rng.random() < 0.5:
            safety.append(
                save(
                    PlaceKind.RESTAURANT,
                    f"{prefix}{rng.choice(KITCHENS)}",
                    regulators[PlaceKind.RESTAURANT],
                )
            )
        for name in grid.places:
            if name.endswith(("小学", "幼儿园", "中学")):
                safety.append(save(PlaceKind.SCHOOL, name, regulators[PlaceKind.SCHOOL]))
            elif name.endswith(("小区", "家园", "公寓", "新村", "宿舍")):
                sanitation.append(save(PlaceKind.ESTATE, name, community))
        if community.name.endswith("村") and not any(p.name == community.name for p in sanitation):
            sanitation.append(save(PlaceKind.VILLAGE, community.name, community))
    # Two grids of a community may have drawn the same name: one place, saved twice.
    return list({p.pk: p for p in safety}.values()), list({p.pk: p for p in sanitation}.values())


def _inspector(cast: Cast, rng: random.Random, units: list[Unit], place):
    """A handler of one of the group's departments, or the staff of the place's street."""
    unit = rng.choice([u for u in units if u.kind != Unit.Kind.STREET or u.pk == place.street_id])
    if unit.kind == Unit.Kind.STREET:
        return cast.street_staff[unit.pk]
    return rng.choice(cast.handlers[unit.pk])


def _found(rng, campaign, inspection, at):
    texts = SAFETY_HAZARDS if campaign.topic == Topic.SAFETY else SANITATION_HAZARDS
    return actions.do_add_hazard(
        inspection,
        actor=inspection.inspector,
        text=rng.choice(texts),
        severity=Severity.MAJOR if rng.random() < 0.08 else Severity.GENERAL,
        when=at,
    )


def _follow(cast, rng, campaign, units, hazard, at, now, counts):
    topic = campaign.topic
    for _round_number in range(3):
        at += dt.timedelta(hours=rng.uniform(1, 30))
        if at >= now or rng.random() < 0.04:
            return  # left waiting for its notice
        inspector = _inspector(cast, rng, units, hazard.place)
        notice = actions.do_issue_notice(
            hazard, actor=inspector, requirements=REQUIREMENTS[topic], when=at
        )
        counts["notices"] += 1
        # Most fixes come within the deadline; some late, some not yet.
        late = rng.random() < 0.15
        days = rng.uniform(1, notice.working_days + (8 if late else 0))
        at += dt.timedelta(days=days)
        if at >= now or rng.random() < 0.06:
            return
        actions.do_report_fix(
            hazard,
            actor=None,
            via_link=True,
            reporter_name=hazard.place.contact_name or hazard.place.name,
            measures=MEASURES[topic],
            when=at,
        )
        counts["fixes"] += 1
        at += dt.timedelta(days=rng.uniform(1, 10))
        if at >= now or rng.random() < 0.05:
            return
        passed = rng.random() > 0.14
        actions.do_reinspect(
            hazard,
            actor=_inspector(cast, rng, units, hazard.place),
            passed=passed,
            note="" if passed else "回头看发现问题反弹，已责令重新整改。",
            when=at,
        )
        if passed:
            counts["fixed"] += 1
            return
        counts["relapses"] += 1


def _campaign_round(cast, rng, campaign, units, places, start, now, visits, counts, quality):
    items = list(campaign.items.all())
    hazard_rate = 0.55 if campaign.topic == Topic.SAFETY else 0.45
    for place in places:
        when = start + dt.timedelta(days=rng.uniform(0, 20))
        for _n in range(rng.randint(*visits)):
            if when >= now:
                break
            if (
                campaign.topic == Topic.SAFETY
                and place.kind == PlaceKind.ENTERPRISE
                and rng.random() < 0.3
            ):
                answers = {
                    item.pk: rng.randint(item.points * 6 // 10, item.points) for item in items
                }
                inspection = actions.do_record_self_check(
                    campaign,
                    place,
                    via_link=True,
                    filled_by=place.contact_name,
                    answers=answers,
                    hazards=[{"text": rng.choice(SAFETY_HAZARDS)}] if rng.random() < 0.4 else [],
                    when=when,
                )
                counts["self_checks"] += 1
                found = list(inspection.hazards.all())
            else:
                inspector = _inspector(cast, rng, units, place)
                kind = InspectionKind.SPOT_CHECK if rng.random() < 0.2 else InspectionKind.SWEEP
                inspection = actions.do_start_inspection(
                    campaign, place, actor=inspector, kind=kind, when=when
                )
                level = quality[place.pk]
                answers = {
                    item.pk: max(0, min(item.points, round(item.points * rng.gauss(level, 0.1))))
                    for item in items
                }
                # A poorly kept place shows more hazards.
                many = rng.choices((0, 1, 2, 3), (45, 30, 18, 7))[0]
                n_found = many if rng.random() < hazard_rate + (1 - level) else 0
                found = [_found(rng, campaign, inspection, when) for _h in range(n_found)]
                actions.do_submit_inspection(
                    inspection, actor=inspector, answers=answers, when=when
                )
                counts["inspections"] += 1
            counts["hazards"] += len(found)
            for hazard in found:
                _follow(cast, rng, campaign, units, hazard, when, now, counts)
            when += dt.timedelta(days=rng.uniform(20, 45))


def build_hazards(cast: Cast, rng: random.Random, now: dt.datetime) -> Counter:
    """Two campaigns with their places, inspections, notices, fixes and relapses; returns
    what was made, counted."""
    counts: Counter = Counter()
    streets = list(Unit.objects.filter(code__in=STREETS).order_by("sort_order"))
    start = now - dt.timedelta(days=150)
    safety_places, sanitation_places = _places(cast, rng, streets, start)
    counts["places"] = len(safety_places) + len(sanitation_places)
    today = local_date(now)
    office = cast.dispatchers[0]
    safety_units = [cast.departments["yjglj"], cast.departments["scjgj"], *streets]
    safety = actions.do_create_campaign(
        actor=office,
        name=f"{today.year}年安全生产大排查大整治",
        topic=Topic.SAFETY,
        starts_on=local_date(start),
        ends_on=today + dt.timedelta(days=30),
        group_units=safety_units,
        items=SAFETY_ITEMS,
        places=safety_places,
        rectify_working_days=5,
        when=start,
    )
    sanitation_units = [cast.departments["cgj"], cast.departments["zhzfj"], *streets]
    sanitation = actions.do_create_campaign(
        actor=office,
        name=f"{today.year}年人居环境整治提升专项",
        topic=Topic.SANITATION,
        starts_on=local_date(start),
        ends_on=today + dt.timedelta(days=30),
        group_units=sanitation_units,
        items=SANITATION_ITEMS,
        places=sanitation_places,
        rectify_working_days=3,
        when=start,
    )
    quality = {place.pk: rng.uniform(0.65, 0.97) for place in safety_places + sanitation_places}
    _campaign_round(
        cast, rng, safety, safety_units, safety_places, start, now, (1, 3), counts, quality
    )
    _campaign_round(
        cast,
        rng,
        sanitation,
        sanitation_units,
        sanitation_places,
        start,
        now,
        (1, 5),
        counts,
        quality,
    )
    counts["overdue"] = actions.do_record_overdue_notices(when=now)
    # A few open hazards need departments beyond the group's: referred today, after every
    # case of the demo's history, so that tracking numbers still follow registration.
    waiting = Hazard.objects.filter(campaign=safety, status=HazardStatus.RECTIFYING)
    for hazard in waiting.order_by("found_at", "pk")[:3]:
        actions.do_refer_hazard(
            hazard,
            actor=_inspector(cast, rng, safety_units, hazard.place),
            note="涉及违法建设和占道经营，需住建、综合执法部门联合处置。",
            when=now,
        )
        counts["referred"] += 1
    return counts
