"""The demo district's volunteers, 双报到 and partner units, at the articles' scale for a
district of the demo's size (市南 counts 61 teams, 659 projects, 3,572 services, 909
problems solved and 3,372 report-ins across a larger district).

Everything goes through the volunteers' actions, as the pages and the imports would: about
ten partner units paired with one to three communities each, a few hundred cadres and
party members reporting to their home communities from many departments, a team in most
communities (and some departments' and partners' own) with residents and report-ins as
members, a few hundred activities over the past year with each participant's hours, some
solving a case or a wish of the community, work assigned to report-ins, and partner units
claiming wishes (which their community records for them).
"""

import datetime as dt
import random
from collections import Counter
from decimal import Decimal

from django.db.models import Q

from lianxin.accounts.models import User
from lianxin.cases.models import Case, Status
from lianxin.demo import places
from lianxin.demo.district import Cast
from lianxin.orgs.models import Unit
from lianxin.programs import actions as wish_actions
from lianxin.programs.models import Wish, WishStatus
from lianxin.volunteers import actions
from lianxin.volunteers.models import Activity, Member, ReportIn, Team
from lianxin.workdays.days import local_date

PARTNERS = [
    ("青岛银行海岸支行", "金融机构", "金融知识进社区、适老化服务"),
    ("国网供电服务中心", "国有企业", "用电安全检查、老旧线路改造"),
    ("区人民医院", "事业单位", "义诊、健康讲座"),
    ("海滨实验小学", "学校", "四点半课堂、假期托管"),
    ("港湾物业服务有限公司", "物业企业", "楼道清理、小修小补"),
    ("正和律师事务所", "社会组织", "法律咨询、矛盾调解"),
    ("中石化海岸加油站", "国有企业", "爱心驿站、便民服务"),
    ("渔港社会工作服务中心", "社会组织", "独居老人探访、心理疏导"),
    ("海岸邮政支局", "国有企业", "代办代寄、助农服务"),
    ("蓝海超市连锁", "民营企业", "爱心捐赠、送货上门"),
    ("区消防救援大队", "机关", "消防演练、隐患排查"),
]
TEAM_KINDS = [
    "红马甲志愿服务队",
    "银发互助队",
    "平安巡逻队",
    "文明劝导队",
    "邻里帮帮团",
    "环境守护队",
]
ACTIVITIES = [
    ("楼道清理", "清理楼道杂物和小广告，疏通消防通道。"),
    ("独居老人探访", "上门看望独居老人，帮忙打扫卫生、代购生活用品。"),
    ("义诊进社区", "测量血压血糖，讲解慢病用药。"),
    ("文明交通劝导", "在路口劝导电动车佩戴头盔、不闯红灯。"),
    ("垃圾分类宣传", "入户讲解垃圾分类，现场指导投放。"),
    ("防诈骗宣传", "讲解常见电信诈骗手法，帮助老人安装反诈软件。"),
    ("夜间平安巡逻", "巡查小区及周边，检查消防设施和电动车充电。"),
    ("四点半课堂", "为双职工家庭孩子辅导作业。"),
    ("海岸线清洁", "捡拾海滩垃圾，清理岸边漂浮物。"),
    ("便民理发", "为高龄、行动不便老人免费理发。"),
]
PLACES = ["社区党群服务中心", "社区广场", "小区北门", "老年活动室", "沿海步道", "社区卫生服务站"]
SERVICES = ["为高龄老人代购药品", "陪同就医", "政策宣讲", "帮扶困难家庭", "入户走访独居老人"]
HALF_HOURS = [Decimal(h) / 2 for h in range(2, 9)]  # 1 to 4 hours


def _day(rng: random.Random, now: dt.datetime, most_days_ago: int) -> dt.date:
    return local_date(now) - dt.timedelta(days=rng.randint(1, most_days_ago))


def _at(day: dt.date, now: dt.datetime) -> dt.datetime:
    """Evening of `day` (when the activity is written up), never after `now`."""
    moment = dt.datetime.combine(day, dt.time(19, 0), tzinfo=now.tzinfo)
    return min(moment, now)


def build_volunteers(
    cast: Cast,
    rng: random.Random,
    now: dt.datetime,
    *,
    report_ins: int = 360,
    activities: int = 450,
) -> Counter:
    """Partner units, report-ins, teams, activities and assignments; returns the counts."""
    office = cast.dispatchers[0]
    counts: Counter = Counter()
    communities = list(Unit.objects.filter(pk__in=cast.community_staff).order_by("pk"))
    departments = list(Unit.objects.filter(kind=Unit.Kind.DEPARTMENT).order_by("pk"))
    phones: set[str] = set()

    def phone() -> str:
        while (number := places.mobile_phone(rng)) in phones:
            pass
        phones.add(number)
        return number

    partners = []
    for name, kind, services in PARTNERS:
        paired = rng.sample(communities, rng.randint(1, 3))
        partners.append(
            actions.do_save_partner(
                actor=office,
                name=name,
                kind=kind,
                services=services,
                contact_name=places.person_name(rng),
                contact_phone=phone(),
                communities=paired,
                when=now - dt.timedelta(days=rng.randint(200, 400)),
            ).row
        )
    counts["partner_units"] = len(partners)

    # 双报到: many departments, a few sending many people (the ranking has a head and a tail).
    weights = [rng.choice((1, 2, 3, 6)) for _ in departments]
    for _ in range(report_ins):
        community = rng.choice(communities)
        reported = _day(rng, now, 700)
        actions.do_save_report_in(
            actor=cast.community_staff[community.pk],
            name=places.person_name(rng),
            phone_number=phone(),
            employer=rng.choices(departments, weights)[0],
            community=community,
            reported_on=reported,
            party_member=rng.random() < 0.8,
            when=_at(reported, now),
        )
    counts["report_ins"] = report_ins
    living: dict[int, list[ReportIn]] = {}
    for report_in in ReportIn.objects.order_by("pk"):
        living.setdefault(report_in.community_id, []).append(report_in)

    # Teams: most communities keep one or two, a few departments one, each partner one.
    teams: list[tuple[Team, User]] = []
    for community in communities:
        keeper = cast.community_staff[community.pk]
        for kind in rng.sample(TEAM_KINDS, 1 if rng.random() < 0.7 else 2):
            teams.append((_team(keeper, community, f"{community.name}{kind}", now), keeper))
    for department in rng.sample(departments, 6):
        keeper = cast.handlers[department.pk][0]
        teams.append((_team(keeper, department, f"{department.name}志愿服务队", now), keeper))
    for partner in partners:
        community = partner.communities.order_by("pk")[0]
        keeper = cast.community_staff[community.pk]
        team = _team(keeper, community, f"{partner.name}志愿服务队", now, partner=partner)
        teams.append((team, keeper))
    counts["teams"] = len(teams)

    for team, keeper in teams:
        for n in range(rng.randint(6, 14)):
            actions.do_save_member(
                team,
                actor=keeper,
                name=places.person_name(rng),
                phone_number=phone() if rng.random() < 0.8 else "",
                leader=n == 0,
                joined_on=_day(rng, now, 700),
                when=now - dt.timedelta(days=400),
            )
        for report_in in rng.sample(
            living.get(team.unit_id, []), min(4, len(living.get(team.unit_id, [])))
        ):
            actions.do_save_member(
                team, actor=keeper, report_in=report_in, when=now - dt.timedelta(days=400)
            )
    counts["members"] = Member.objects.count()

    solvable_cases: dict[int, list[int]] = {}
    for pk, community_id in Case.objects.filter(
        status__in=(Status.RESOLVED, Status.VERIFIED, Status.CLOSED)
    ).values_list("pk", "community_id"):
        solvable_cases.setdefault(community_id, []).append(pk)
    confirmed: dict[int, list[Wish]] = {}
    for wish in Wish.objects.filter(status=WishStatus.CONFIRMED).order_by("pk"):
        confirmed.setdefault(wish.community_id, []).append(wish)

    members: dict[int, list[Member]] = {}
    for member in Member.objects.order_by("pk"):
        members.setdefault(member.team_id, []).append(member)
    recorded = []
    for _ in range(activities):
        team, keeper = rng.choice(teams)
        day = _day(rng, now, 360)
        title, description = rng.choice(ACTIVITIES)
        crew = rng.sample(members[team.pk], min(len(members[team.pk]), rng.randint(3, 8)))
        cases: list[Case] = []
        wishes: list[Wish] = []
        if rng.random() < 0.25 and solvable_cases.get(team.unit_id):
            cases = list(Case.objects.filter(pk=rng.choice(solvable_cases[team.unit_id])))
        elif rng.random() < 0.1 and confirmed.get(team.unit_id):
            wishes = [rng.choice(confirmed[team.unit_id])]
        recorded.append(
            actions.do_record_activity(
                team,
                actor=keeper,
                title=title,
                date=day,
                place=rng.choice(PLACES),
                description=description,
                participants=[(member, rng.choice(HALF_HOURS)) for member in crew],
                cases=cases,
                wishes=wishes,
                solved_note="已解决" if cases or wishes else "",
                when=_at(day, now),
            )
        )
    counts["activities"] = len(recorded)

    # Work for about half the report-ins: a service, a wish of their community, an activity.
    by_community_activities: dict[int, list[Activity]] = {}
    for activity in recorded:
        by_community_activities.setdefault(activity.team.unit_id, []).append(activity)
    for report_in in ReportIn.objects.order_by("pk"):
        if rng.random() < 0.5:
            continue
        keeper = cast.community_staff[report_in.community_id]
        choice = rng.random()
        if choice < 0.25 and confirmed.get(report_in.community_id):
            assignment = actions.do_assign(
                report_in,
                actor=keeper,
                kind="wish",
                wish=rng.choice(confirmed[report_in.community_id]),
            )
        elif choice < 0.5 and by_community_activities.get(report_in.community_id):
            assignment = actions.do_assign(
                report_in,
                actor=keeper,
                kind="activity",
                activity=rng.choice(by_community_activities[report_in.community_id]),
            )
        else:
            assignment = actions.do_assign(
                report_in, actor=keeper, kind="service", service=rng.choice(SERVICES)
            )
        counts["assignments"] += 1
        if rng.random() < 0.65:
            actions.do_finish_assignment(assignment, actor=keeper, note="已完成")
            counts["assignments_done"] += 1

    # Partner units claim some of their communities' wishes waiting on the wall.
    today = local_date(now)
    for partner in partners:
        waiting = Wish.objects.filter(
            Q(community__in=partner.communities.all()), status=WishStatus.PUBLISHED
        ).order_by("pk")[: rng.randint(0, 3)]
        for wish in waiting:
            keeper = cast.community_staff[wish.community_id]
            wish_actions.do_claim_wish(
                wish,
                actor=keeper,
                promised_date=today + dt.timedelta(days=rng.randint(3, 30)),
                partner=partner,
                when=now,
            )
            counts["partner_claims"] += 1
    return counts


def _team(keeper, unit: Unit, name: str, now: dt.datetime, partner=None) -> Team:
    return actions.do_save_team(
        actor=keeper, unit=unit, name=name, partner=partner, when=now - dt.timedelta(days=700)
    ).row
