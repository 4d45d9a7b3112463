"""The demo district's service menu (精准服务事项定制单): about twenty lines, as the
articles name them (长岛's cadres carry the menu on every visit; 灵山卫 certifies the
retired at home for the 高龄, 残疾 and 重病; 李沧's "1+4" adds monthly care to relief for
困难 households), and a few hundred orders over the last three months in every state.

Every line and every order goes through the programmes' actions, each step at its own
moment: ordered on a visit or by phone through the household's community, accepted and
done by the provider (some late), cancelled, rated by the community's return call. The
recurring line is ordered by the scheduler, as the periodic job would, for last month
and this one; the overdue scan then marks what is late.
"""

import datetime as dt
import random
from collections import Counter, defaultdict
from typing import Any

from django.utils import timezone

from lianxin.demo.district import Cast
from lianxin.errors import WorkflowError
from lianxin.orgs.models import Unit
from lianxin.programs import actions
from lianxin.programs.actions.services import period_of
from lianxin.programs.models import OrderStatus, Service, ServiceOrder
from lianxin.registry.models import Household, Resident, Tag
from lianxin.workdays.days import local_date

# (name, description, provider: a department's code or "community", place, working days,
#  tags, recurrence, weight among the orders)
LINES = [
    (
        "上门退休认证",
        "为行动不便的退休人员上门办理养老金领取资格认证。",
        "rsj",
        "home",
        5,
        ("gaoling", "canji", "zhongbing"),
        "",
        8,
    ),
    (
        "代办低保申请",
        "帮助困难家庭准备材料、代为递交最低生活保障申请。",
        "mzj",
        "window",
        10,
        (),
        "",
        5,
    ),
    (
        "助老送餐",
        "为高龄、独居老人每天中午送餐上门。",
        "mzj",
        "home",
        3,
        ("gaoling", "duju"),
        "",
        10,
    ),
    (
        "上门理发",
        "社区志愿者每月为行动不便的老人上门理发。",
        "community",
        "home",
        5,
        ("gaoling", "canji", "zhongbing"),
        "",
        9,
    ),
    ("家电维修", "小家电、灯具、水龙头等简单维修。", "community", "home", 3, (), "", 9),
    (
        "法律咨询",
        "律师进社区，解答婚姻家庭、劳动、邻里纠纷等法律问题。",
        "sfj",
        "window",
        5,
        (),
        "",
        6,
    ),
    ("心理疏导", "心理咨询师上门或电话进行心理疏导、精神慰藉。", "wjj", "home", 5, (), "", 4),
    (
        "家庭医生上门随访",
        "家庭医生上门测血压血糖、调整用药。",
        "wjj",
        "home",
        5,
        ("gaoling", "zhongbing", "canji"),
        "",
        8,
    ),
    (
        "送医陪护",
        "为困难、独居群众提供就医陪同、取药送药。",
        "wjj",
        "home",
        3,
        ("kunnan", "dibao", "duju"),
        "",
        4,
    ),
    (
        "清洁卫生服务",
        "为困难、独居老人上门打扫卫生、清洗衣物。",
        "community",
        "home",
        5,
        ("kunnan", "dibao", "duju"),
        "",
        5,
    ),
    ("残疾人证代办", "代为办理残疾人证申领、换领。", "mzj", "window", 10, ("canji",), "", 2),
    ("医保报销代办", "代为办理门诊慢特病、住院费用报销。", "ybj", "window", 10, (), "", 4),
    (
        "退役军人优待证代办",
        "代为申领退役军人优待证。",
        "tyjrj",
        "window",
        10,
        ("tuiyi_junren", "lao_junren"),
        "",
        2,
    ),
    (
        "燃气安全入户检查",
        "检查燃气管线、灶具和报警器，讲解安全用气。",
        "rqgs",
        "home",
        5,
        (),
        "",
        4,
    ),
    (
        "用电安全检查",
        "检查入户线路、插座和老旧电器。",
        "gdgs",
        "home",
        3,
        ("gaoling", "duju"),
        "",
        3,
    ),
    (
        "适老化改造评估",
        "评估居家安装扶手、防滑地面、紧急呼叫等适老化改造需求。",
        "zjj",
        "home",
        15,
        ("gaoling", "canji"),
        "",
        3,
    ),
    ("就业创业指导", "职业介绍、技能培训报名和创业贷款政策咨询。", "rsj", "window", 5, (), "", 3),
    ("社保卡代办", "社保卡申领、补换、激活代办。", "rsj", "window", 5, (), "", 3),
    (
        "防范电信诈骗宣讲",
        "民警上门讲解常见诈骗手法，安装反诈App。",
        "gaj",
        "home",
        5,
        ("gaoling", "duju"),
        "",
        2,
    ),
    (
        "困难群众每月关爱走访（1+4）",
        "在发放救助金的基础上，每月上门提供清洁卫生、生活照料、送医陪护、精神慰藉服务。",
        "mzj",
        "home",
        20,
        ("kunnan",),
        "monthly",
        0,
    ),
]
# Where an order's life stops, by weight: most are done.
# "stuck": accepted long ago and never done, so the overdue scan finds it.
ENDS = {"ordered": 7, "accepted": 9, "stuck": 4, "late": 6, "done": 66, "cancelled": 8}
RATINGS = {"satisfied": 80, "basic": 15, "unsatisfied": 5}
DONE_NOTES = {
    "home": (
        "已上门办理完毕。",
        "已按约定时间上门服务，群众表示感谢。",
        "已上门完成，并留下联系电话。",
    ),
    "window": ("已代为办结，材料已送回住户。", "已在窗口办结，结果已电话告知。"),
}
CANCEL_REASONS = ("住户已自行办理。", "住户表示暂不需要。", "重复点单。")
UNSATISFIED = ("等了好几天才上门。", "没有解决实际问题。")
REQUESTS = ("", "", "上午在家。", "请提前电话联系。", "老人听力不好，请多敲门。")
# Community lines are kept by a few communities each, to show a community's own menu.
COMMUNITY_LINES_IN = 8


def _provider(cast: Cast, code: str) -> Unit:
    return cast.departments[code]


def _actor_for(cast: Cast, unit_id: int):
    if unit_id in cast.handlers:
        return cast.handlers[unit_id][0]
    return cast.community_staff[unit_id]


def build_services(cast: Cast, rng: random.Random, now: dt.datetime, count: int = 300) -> Counter:
    """The menu, `count` orders on demand and the recurring line's orders; returns the
    number of orders in each status (and "lines", "overdue")."""
    office = cast.dispatchers[0]
    tags = {tag.code: tag for tag in Tag.objects.all()}
    communities = sorted(cast.community_staff)
    kept = rng.sample(communities, min(COMMUNITY_LINES_IN, len(communities)))
    created_at = now - dt.timedelta(days=120)
    lines: list[tuple[Service, int]] = []
    for order, (name, text, code, place, days, tag_codes, recurrence, weight) in enumerate(LINES):
        values: dict[str, Any] = {
            "name": name,
            "description": text,
            "place": place,
            "working_days": days,
            "tags": [tags[c] for c in tag_codes],
            "recurrence": recurrence,
            "sort_order": order,
            "when": created_at,
        }
        if code == "community":
            for community_id in kept:
                community = Unit.objects.get(pk=community_id)
                service = actions.do_save_service(
                    None,
                    actor=cast.community_staff[community_id],
                    community=community,
                    provider=community,
                    **values,
                )
                lines.append((service, weight))
        else:
            service = actions.do_save_service(
                None, actor=office, provider=_provider(cast, code), **values
            )
            lines.append((service, weight))
    counts: Counter = Counter(lines=Service.objects.count())
    pools = _pools()
    households: dict[int, Household] = {}
    services, weights = [s for s, w in lines if w], [w for s, w in lines if w]
    for _ in range(count):
        service = rng.choices(services, weights)[0]
        pool = _pool_for(service, pools)
        if not pool:
            continue
        household_id = rng.choice(pool)
        if household_id not in households:
            households[household_id] = Household.objects.select_related("community").get(
                pk=household_id
            )
        status = _one_order(cast, rng, now, service, households[household_id])
        if status:
            counts[status] += 1
    counts.update(_recurring(cast, rng, now))
    counts["overdue"] = actions.do_record_overdue_orders(when=now)
    return counts


def _pools() -> dict:
    """Active households by tag code, and all of them under "" (one query each)."""
    by_tag: dict[str, list[int]] = defaultdict(list)
    rows = Resident.objects.filter(active=True, household__active=True).values_list(
        "household_id", "tags__code"
    )
    for household_id, code in rows.exclude(tags=None).distinct():
        by_tag[code].append(household_id)
    by_tag[""] = list(Household.objects.filter(active=True).values_list("pk", flat=True))
    return by_tag


def _pool_for(service: Service, pools: dict) -> list[int]:
    codes = [tag.code for tag in service.tags.all()] or [""]
    pool = sorted({pk for code in codes for pk in pools.get(code, [])})
    if service.community_id is not None:
        community_households = set(
            Household.objects.filter(community=service.community_id).values_list("pk", flat=True)
        )
        pool = [pk for pk in pool if pk in community_households]
    return pool


def _one_order(cast, rng, now, service, household) -> str | None:
    end = rng.choices(list(ENDS), list(ENDS.values()))[0]
    # An order still open was placed within its time limit, unless it is to be late.
    recent = end in ("ordered", "accepted")
    if recent:
        days_ago = rng.uniform(0.2, service.working_days * 0.9)
    elif end == "stuck":
        days_ago = rng.uniform(service.working_days * 1.6 + 3, service.working_days * 3 + 10)
    else:
        days_ago = rng.uniform(3, 90)
    ordered_at = now - dt.timedelta(days=days_ago)
    ordered_at = ordered_at.replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59))
    if ordered_at >= now:
        ordered_at = now - dt.timedelta(hours=1)
    orderer = cast.community_staff[household.community_id]
    try:
        order = actions.do_order_service(
            service,
            household,
            actor=orderer,
            channel=rng.choice(("visit", "visit", "phone")),
            note=rng.choice(REQUESTS),
            when=ordered_at,
        )
    except WorkflowError:
        return None  # ordered already and still open: a cadre would not order it twice
    provider = _actor_for(cast, order.provider_id)
    accepted_at = ordered_at + dt.timedelta(hours=rng.uniform(1, 30))
    if end == "ordered" or accepted_at >= now:
        return "ordered"
    if end == "cancelled":
        actions.do_cancel_order(
            order, actor=orderer, reason=rng.choice(CANCEL_REASONS), when=accepted_at
        )
        return "cancelled"
    actions.do_accept_order(order, actor=provider, when=accepted_at)
    span = order.deadline - ordered_at
    share = rng.uniform(1.05, 1.8) if end == "late" else rng.uniform(0.2, 0.95)
    done_at = ordered_at + span * share
    if end in ("accepted", "stuck") or done_at >= now:
        return "accepted"
    notes = DONE_NOTES[service.place]
    actions.do_complete_order(order, actor=provider, note=rng.choice(notes), when=done_at)
    rated_at = done_at + dt.timedelta(days=rng.uniform(0.5, 4))
    if rng.random() < 0.75 and rated_at < now:
        rating = rng.choices(list(RATINGS), list(RATINGS.values()))[0]
        actions.do_rate_order(
            order,
            actor=orderer,
            rating=rating,
            note=rng.choice(UNSATISFIED) if rating == "unsatisfied" else "",
            when=rated_at,
        )
    return "done"


def _recurring(cast, rng, now) -> Counter:
    """Last month's and this month's orders of the recurring line, as the scheduler
    makes them; most of last month's done (on time), a few of this month's."""
    counts: Counter = Counter()
    local = timezone.localtime(now)
    this_month = local.replace(day=1, hour=1, minute=17, second=0, microsecond=0)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    current = period_of("monthly", local_date(now))
    for start in (last_month, this_month):
        counts["scheduled"] += actions.do_schedule_recurring_orders(when=start)
    recurring = ServiceOrder.objects.filter(period__gt="", status=OrderStatus.ORDERED)
    for order in recurring.select_related("household").order_by("pk"):
        if order.period == current and rng.random() < 0.7:
            continue
        if order.period != current and rng.random() < 0.06:
            continue  # last month's that nobody did: overdue
        provider = _actor_for(cast, order.provider_id)
        done_at = order.ordered_at + (min(order.deadline, now) - order.ordered_at) * rng.uniform(
            0.1, 0.9
        )
        actions.do_complete_order(
            order, actor=provider, note="已上门走访，送去米面油，帮助打扫卫生。", when=done_at
        )
        counts["scheduled_done"] += 1
    return counts
