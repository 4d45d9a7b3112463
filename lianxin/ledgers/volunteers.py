"""The volunteers' ledgers (.xlsx/CSV): 志愿服务台账, a row per participant of each activity
of the teams the user sees, and 双报到台账, a row per report-in with what each did.

Residents who serve are written as 王** with a masked phone, as on the pages; cadres and
people who reported in under their names, their phones masked.
"""

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from lianxin.cases.access import require_staff
from lianxin.ledgers.export import CHUNK_SIZE, DATE, NUMBER, Column, Ledger
from lianxin.volunteers.access import report_ins_visible_to, teams_visible_to
from lianxin.volunteers.models import Participation

YES, NO = _("是"), _("否")


def activity_ledger(user, params) -> Ledger:
    """志愿服务台账: every participation in the activities of the user's teams."""
    require_staff(user)
    rows = (
        Participation.objects.filter(activity__team__in=teams_visible_to(user))
        .select_related(
            "activity",
            "activity__team",
            "activity__team__unit",
            "activity__team__partner",
            "member",
        )
        .annotate(solved=Count("activity__solved", distinct=True))
        .order_by("activity__team__unit__name", "activity__team__name", "activity__date", "pk")
    )
    columns = [
        Column(_("所属单位"), lambda p: p.activity.team.unit.name, width=14),
        Column(_("队伍名称"), lambda p: p.activity.team.name, width=20),
        Column(
            _("共建单位"),
            lambda p: p.activity.team.partner.name if p.activity.team.partner else "",
            width=16,
        ),
        Column(_("服务日期"), lambda p: p.activity.date, DATE, 12),
        Column(_("活动名称"), lambda p: p.activity.title, width=20),
        Column(_("服务地点"), lambda p: p.activity.place, width=20),
        Column(_("队员"), lambda p: p.member.shown_name, width=10),
        Column(_("身份"), lambda p: str(p.member.get_kind_display()), width=10),
        Column(_("服务时长（小时）"), lambda p: float(p.hours), NUMBER, 10),
        Column(_("解决问题数"), lambda p: p.solved, NUMBER, 10),
        Column(_("服务内容"), lambda p: p.activity.description, width=40),
    ]
    title = str(_("志愿服务台账"))
    return Ledger(title, columns, rows.iterator(chunk_size=CHUNK_SIZE), rows.count())


def report_in_ledger(user, params) -> Ledger:
    """双报到台账: the report-ins the user sees (one community with ?community=)."""
    require_staff(user)
    report_ins = report_ins_visible_to(user).filter(active=True)
    community = str(params.get("community") or "")
    if community.isdigit():
        report_ins = report_ins.filter(community_id=int(community))
    rows = (
        report_ins.select_related("employer", "community", "community__parent")
        .annotate(
            tasks=Count("assignments", distinct=True),
            done=Count("assignments", filter=Q(assignments__done_at__isnull=False), distinct=True),
        )
        .order_by("community__name", "reported_on", "pk")
    )
    hours = dict(
        Participation.objects.filter(member__report_in__in=report_ins)
        .order_by()
        .values_list("member__report_in_id")
        .annotate(h=Sum("hours"))
    )
    columns = [
        Column(
            _("街道/镇"),
            lambda r: r.community.parent.name if r.community.parent else "",
            width=12,
        ),
        Column(_("报到社区"), lambda r: r.community.name, width=12),
        Column(_("姓名"), lambda r: r.name, width=10),
        Column(_("电话"), lambda r: r.shown_phone, width=14),
        Column(_("工作单位"), lambda r: r.employer.name, width=18),
        Column(_("是否党员"), lambda r: str(YES if r.party_member else NO), width=8),
        Column(_("报到日期"), lambda r: r.reported_on, DATE, 12),
        Column(_("分派任务"), lambda r: r.tasks, NUMBER, 10),
        Column(_("完成任务"), lambda r: r.done, NUMBER, 10),
        Column(_("服务时长（小时）"), lambda r: float(hours.get(r.pk) or 0), NUMBER, 10),
    ]
    title = str(_("双报到台账"))
    return Ledger(title, columns, rows.iterator(chunk_size=CHUNK_SIZE), rows.count())
