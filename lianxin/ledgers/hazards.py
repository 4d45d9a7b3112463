"""隐患排查整改台账 (lianxin.hazards): one row per hazard, in the columns offices keep
(检查日期, 单位名称, 隐患描述, 整改措施, 责任人, 整改期限, 整改情况, 复查日期, 复查人), from
its latest notice; the hazard list's queue and filters, in the user's scope."""

import datetime as dt

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from lianxin.hazards.access import filtered_hazards, sees_hazards
from lianxin.hazards.models import Hazard, HazardStatus, Notice
from lianxin.ledgers.export import CHUNK_SIZE, DATE, Column, Ledger
from lianxin.workdays.days import local_date


def _latest(hazard: Hazard) -> Notice | None:
    notices = getattr(hazard, "latest_notices", [])  # prefetched, oldest first
    return notices[-1] if notices else None


def _of_notice(getter):
    def value(hazard):
        notice = _latest(hazard)
        return getter(notice) if notice is not None else None

    return value


def progress(hazard: Hazard, today: dt.date) -> str:
    """整改情况 in the office's words: 已整改, 逾期未整改, 整改中, 待复查, 待下发整改;
    with the relapses counted."""
    notice = _latest(hazard)
    if hazard.status == HazardStatus.RECTIFYING and notice is not None and notice.deadline < today:
        text = _("逾期未整改")
    else:
        text = str(HazardStatus(hazard.status).label)
    if hazard.relapse_count:
        text += _("（反弹%(n)d次）") % {"n": hazard.relapse_count}
    return text


def hazard_ledger(user, params) -> Ledger:
    if not sees_hazards(user):
        raise Http404
    today = local_date(timezone.now())
    hazards = (
        filtered_hazards(user, params)
        .select_related("place")
        .prefetch_related(
            Prefetch(
                "notices",
                queryset=Notice.objects.select_related("reinspected_by").order_by(
                    "issued_at", "pk"
                ),
                to_attr="latest_notices",
            )
        )
        .order_by("found_at", "pk")
    )
    columns = [
        Column(_("检查日期"), lambda h: h.found_at, DATE, 12),
        Column(_("单位名称"), lambda h: h.place.name, width=22),
        Column(_("隐患描述"), lambda h: h.text, width=40),
        Column(_("整改措施"), _of_notice(lambda n: n.measures), width=36),
        Column(_("责任人"), _of_notice(lambda n: n.responsible_party), width=18),
        Column(_("整改期限"), _of_notice(lambda n: n.deadline), DATE, 12),
        Column(_("整改情况"), lambda h: progress(h, today), width=16),
        Column(_("复查日期"), _of_notice(lambda n: n.reinspected_at), DATE, 12),
        Column(
            _("复查人"),
            _of_notice(lambda n: str(n.reinspected_by) if n.reinspected_by else ""),
            width=12,
        ),
    ]
    return Ledger(
        _("隐患排查整改台账"), columns, hazards.iterator(chunk_size=CHUNK_SIZE), hazards.count()
    )
