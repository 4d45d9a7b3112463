"""The ledgers the platform exports: for each, who may have it and how it is built.

A builder takes the user and the query parameters of the page the ledger mirrors and
returns a `Ledger` whose rows are a scoped queryset walked in chunks. It raises Http404
for a user who may not have it, as the page itself would. Jobs rebuild a ledger from
the same (kind, user, parameters), so a ledger exported later has the same rows.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from lianxin.cases.access import log_unmasked_phones, require_office, require_staff
from lianxin.cases.filters import filtered_cases
from lianxin.cases.models import (
    Case,
    Channel,
    ReturnVisit,
    Satisfaction,
    Status,
    Urgency,
    mask_phone,
)
from lianxin.figures import metrics, rankings
from lianxin.figures.forms import FiguresForm, figure_cases
from lianxin.ledgers import hazards, programs, registers, services, volunteers
from lianxin.ledgers.disclosures import disclosure_ledger
from lianxin.ledgers.export import (
    CHUNK_SIZE,
    DATE,
    DATETIME,
    NUMBER,
    PERCENT,
    Column,
    Ledger,
)
from lianxin.text import Message
from lianxin.workdays.days import local_date

YES, NO = _("是"), _("否")


def _yes_no(value) -> str | None:
    if value is None:
        return None
    return str(YES if value else NO)


def _name(unit) -> str:
    return unit.name if unit is not None else ""


def labels(choices) -> dict[str, str]:
    """A choice's labels in the current language, looked up once per ledger: the model's
    get_FOO_display() translates its whole choice list again on every call."""
    return {value: str(label) for value, label in choices}


def _resident(case: Case) -> str:
    return str(_("匿名")) if case.anonymous else case.resident_name


def case_columns() -> list[Column]:
    channel, urgency, status, satisfaction = (
        labels(Channel.choices),
        labels(Urgency.choices),
        labels(Status.choices),
        labels(Satisfaction.choices),
    )
    return [
        Column(_("受理编号"), lambda c: c.tracking_number, width=18),
        Column(_("登记时间"), lambda c: c.registered_at, DATETIME, 17),
        Column(_("来源渠道"), lambda c: channel.get(c.channel, c.channel), width=10),
        Column(_("标题"), lambda c: c.title, width=30),
        Column(_("诉求内容"), lambda c: c.text, width=50),
        Column(_("群众"), _resident, width=10),
        # Lists show the phone masked; the whole number is on the case page for those who call.
        Column(_("联系电话"), lambda c: c.masked_phone, width=14),
        Column(_("地址"), lambda c: c.address, width=30),
        Column(_("街道"), lambda c: _name(c.street), width=12),
        Column(_("社区"), lambda c: _name(c.community), width=12),
        Column(_("网格"), lambda c: _name(c.grid), width=14),
        Column(_("分类"), lambda c: c.category.name if c.category_id else "", width=12),
        Column(_("紧急程度"), lambda c: urgency.get(c.urgency, c.urgency), width=8),
        Column(_("主办单位"), lambda c: _name(c.lead_unit), width=18),
        Column(_("包案领导"), lambda c: str(c.leader) if c.leader_id else "", width=10),
        Column(_("状态"), lambda c: status.get(c.status, c.status), width=12),
        Column(_("答复期限"), lambda c: c.reply_due_at, DATE, 11),
        Column(_("答复时间"), lambda c: c.replied_at, DATETIME, 17),
        Column(_("办结期限"), lambda c: c.resolve_due_at, DATE, 11),
        Column(_("办结时间"), lambda c: c.resolved_at, DATETIME, 17),
        Column(_("归档时间"), lambda c: c.closed_at, DATETIME, 17),
        Column(_("满意度"), lambda c: satisfaction.get(c.satisfaction, ""), width=9),
        Column(_("是否解决"), lambda c: _yes_no(c.solved), width=8),
        Column(_("重办次数"), lambda c: c.reopen_count, NUMBER, 8),
        Column(_("附议人数"), lambda c: c.support_count, NUMBER, 8),
        Column(_("典型案例"), lambda c: str(YES) if c.exemplary else "", width=8),
    ]


def case_ledger(user, params) -> Ledger:
    """The case list (`/cases/`) with the same queue and filters, as a ledger."""
    require_staff(user)
    cases, _form, queue = filtered_cases(user, params)
    cases = cases.select_related("category", "lead_unit", "street", "community", "grid", "leader")
    title = str(queue.label) if queue else str(_("诉求台账"))
    return Ledger(title, case_columns(), cases.iterator(chunk_size=CHUNK_SIZE), cases.count())


def return_visit_columns() -> list[Column]:
    method, satisfaction = labels(ReturnVisit.Method.choices), labels(Satisfaction.choices)
    return [
        Column(_("受理编号"), lambda v: v.case.tracking_number, width=18),
        Column(_("标题"), lambda v: v.case.title, width=30),
        Column(_("主办单位"), lambda v: _name(v.case.lead_unit), width=18),
        Column(_("群众"), lambda v: _resident(v.case), width=10),
        # The record of a call made: the number is no longer needed whole.
        Column(_("联系电话"), lambda v: mask_phone(v.case.resident_phone), width=14),
        Column(_("回访方式"), lambda v: method.get(v.method, v.method), width=10),
        Column(_("满意度"), lambda v: satisfaction.get(v.satisfaction, v.satisfaction), width=9),
        Column(_("是否解决"), lambda v: _yes_no(v.solved), width=8),
        Column(_("群众意见"), lambda v: v.comment, width=40),
        Column(_("回访人"), lambda v: str(v.recorded_by) if v.recorded_by_id else "", width=10),
        Column(_("回访时间"), lambda v: v.recorded_at, DATETIME, 17),
    ]


def return_visit_ledger(user, params) -> Ledger:
    """Every return visit recorded (回访台账), newest first: the office's record."""
    require_office(user)
    visits = (
        ReturnVisit.objects.filter(case__in=Case.objects.visible_to(user))
        .select_related("case", "case__lead_unit", "recorded_by")
        .order_by("-recorded_at", "-pk")
    )
    return Ledger(
        str(_("回访台账")),
        return_visit_columns(),
        visits.iterator(chunk_size=CHUNK_SIZE),
        visits.count(),
    )


CALL_COLUMNS = [
    Column(_("受理编号"), lambda c: c.tracking_number, width=18),
    Column(_("标题"), lambda c: c.title, width=30),
    Column(_("主办单位"), lambda c: _name(c.lead_unit), width=18),
    Column(_("群众"), _resident, width=10),
    # The office calls these residents: its return-visit page shows the whole number too.
    Column(_("联系电话"), lambda c: c.resident_phone, width=14),
    Column(_("办结说明"), lambda c: c.resolution_note, width=40),
    Column(_("核查时间"), lambda c: c.verified_at, DATETIME, 17),
]


def return_visit_call_ledger(user, params) -> Ledger:
    """The cases waiting for the office's return visit, as on `/return-visits/`."""
    require_office(user)
    cases = (
        Case.objects.visible_to(user)
        .filter(status=Status.VERIFIED)
        .select_related("lead_unit")
        .order_by("verified_at", "pk")
    )
    return Ledger(str(_("待回访清单")), CALL_COLUMNS, _logged_calls(user, cases), cases.count())


def _logged_calls(user, cases):
    """The rows, logged as disclosed when the file is written (the first row is asked for),
    not when the ledger is only counted to decide between streaming and a job."""
    log_unmasked_phones(user, cases, "ledgers:return_visit_calls")
    yield from cases.iterator(chunk_size=CHUNK_SIZE)


# Figures: the dashboard's tables (lianxin.figures) as ledgers, with the dashboard's filters.


def _figures_selection(user, params):
    """The dashboard's cases and context for `params`; the same people may have them."""
    require_staff(user)
    ctx = metrics.Context.build()
    form = FiguresForm(params or None, today=local_date(ctx.now))
    selection = form.selection()
    return form, selection, selection.apply(Case.objects.visible_to(user)), ctx


def _period(selection) -> str:
    return f"{selection.start:%Y%m%d}-{selection.end:%Y%m%d}"


def _figure_column(code: str, header: str) -> Column:
    if code == "label":
        return Column(header, lambda row: row[code], width=22)
    if code in metrics.RATES_ALL:
        # The dashboard's rates are percentages; the sheet keeps fractions shown as 0.0%.
        return Column(
            header,
            lambda row: None if row[code] is None else row[code] / 100,
            PERCENT,
            12,
        )
    return Column(header, lambda row: row[code], NUMBER, 10)


def figures_ledger(user, params) -> Ledger:
    """Every figure for each group of the dashboard's breakdown (by unit by default)."""
    form, selection, cases, ctx = _figures_selection(user, params)
    by = form.choice("by", "lead_unit")
    rows = [row.as_dict() for row in metrics.breakdown(cases, by, ctx)]
    columns = [_figure_column(code, str(header)) for code, header in metrics.columns()]
    label = metrics.DIMENSIONS[by].label
    title = _("分%(by)s统计") % {"by": label}
    return Ledger(f"{title}-{_period(selection)}", columns, rows, len(rows))


RANK_CODES = ("valid", *metrics.SCORE_RATES)


def figure_cases_ledger(user, params) -> Ledger:
    """The cases behind one figure of the dashboard (its drill-down list), as a ledger."""
    behind = figure_cases(user, params)
    cases = behind.cases.select_related(
        "category", "lead_unit", "street", "community", "grid", "leader"
    ).order_by("-registered_at", "-pk")
    title = str(behind.metric.label)
    if behind.metric.denominator:
        title += str(_("（分母）") if behind.side == "den" else _("（分子）"))
    title = f"{title}-{_period(behind.selection)}"
    return Ledger(title, case_columns(), cases.iterator(chunk_size=CHUNK_SIZE), cases.count())


def ranking_ledger(user, params) -> Ledger:
    """One of the dashboard's rankings (`peers`: 职能部门, 公共企业 or 街镇), best first; the
    units left out follow with the reason, as on the page."""
    form, selection, cases, ctx = _figures_selection(user, params)
    peers = params.get("peers") if params.get("peers") in rankings.PEER_GROUPS else "department"
    by, label = rankings.PEER_GROUPS[peers]
    tables = {
        dimension: metrics.breakdown(cases, dimension, ctx, with_durations=False)
        for dimension in ("lead_unit", "street")
    }
    group = next(g for g in rankings.peer_rankings(tables, ctx) if g["code"] == peers)
    ranked, unranked = group["ranked"], group["unranked"]
    rows = [(row.rank, row) for row in ranked] + [(row.unranked_because, row) for row in unranked]
    columns = [
        Column(_("名次"), lambda item: item[0], width=16),
        Column(label, lambda item: item[1].label, width=22),
        Column(metrics.METRICS["valid"].label, lambda item: item[1]["valid"].value, NUMBER, 9),
    ]

    def _rate_of(code: str) -> Callable[[Any], Any]:
        return lambda item: _fraction(item[1][code].value)

    for code in RANK_CODES[1:]:
        columns.append(
            Column(
                metrics.METRICS[code].label,
                _rate_of(code),
                PERCENT,
                10,
            )
        )
    columns.append(
        Column(
            metrics.SCORE_LABEL,
            lambda item: None if item[1].score is None else round(item[1].score, 2),
            NUMBER,
            12,
        )
    )
    title = _("%(by)s排名") % {"by": label}
    return Ledger(f"{title}-{_period(selection)}", columns, rows, len(rows))


def _fraction(percent):
    return None if percent is None else percent / 100


@dataclass(frozen=True)
class Kind:
    label: Message
    build: Callable[..., Ledger]


KINDS: dict[str, Kind] = {
    "cases": Kind(_("诉求台账"), case_ledger),
    "return_visits": Kind(_("回访台账"), return_visit_ledger),
    "return_visit_calls": Kind(_("待回访清单"), return_visit_call_ledger),
    "figures": Kind(_("分单位统计"), figures_ledger),
    "ranking": Kind(_("排名"), ranking_ledger),
    "figure_cases": Kind(_("指标明细"), figure_cases_ledger),
    "households": Kind(_("住户台账"), registers.household_ledger),
    "pairs": Kind(_("联户分组表"), registers.pair_ledger),
    "visits": Kind(_("走访记录台账"), registers.visit_ledger),
    "coverage": Kind(_("走访覆盖统计"), registers.coverage_ledger),
    "disclosures": Kind(_("个人信息查看记录"), disclosure_ledger),
    "wishes": Kind(_("微心愿台账"), programs.wish_ledger),
    "volunteer_activities": Kind(_("志愿服务台账"), volunteers.activity_ledger),
    "report_ins": Kind(_("双报到台账"), volunteers.report_in_ledger),
    "hazards": Kind(_("隐患排查整改台账"), hazards.hazard_ledger),
    "service_orders": Kind(_("精准服务定制单台账"), services.service_order_ledger),
}
