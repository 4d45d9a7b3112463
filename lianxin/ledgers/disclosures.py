"""The log of unmasked views (`accounts.Disclosure`) as the office reads it: filters, the
names of what was seen, and the ledger export. The page itself shows no personal data
unmasked (a case by its tracking number, a household by its address), so reading the
log is not itself logged."""

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Disclosure
from lianxin.cases.access import require_log_reader
from lianxin.cases.models import Case
from lianxin.ledgers.export import CHUNK_SIZE, DATETIME, Column, Ledger
from lianxin.registry.models import Household

TRACKING_NUMBER = re.compile(r"^LX-\d{4}-\d+$", re.IGNORECASE)
FIELD_LABELS = {"phone": _("电话"), "tags": _("标签"), "id_number": _("身份证号")}
# Where the data were shown, in words; exports of the registers log their ledger's title,
# and the coverage pages their path, which read well as they are.
PLACE_LABELS = {
    "workbench:case": _("诉求详情页"),
    "workbench:return_visits": _("待回访清单"),
    "ledgers:return_visit_calls": _("导出待回访清单"),
    "registry:households": _("住户台账"),
    "registry:household": _("住户详情页"),
    "visits:mine": _("我的走访"),
    "visits:form": _("走访登记"),
}


class DisclosureFilterForm(forms.Form):
    viewer = forms.CharField(
        label=_("查看人"), required=False, max_length=50, help_text=_("账号或姓名")
    )
    about = forms.CharField(
        label=_("群众、诉求或住户"),
        required=False,
        max_length=50,
        help_text=_("受理编号、群众姓名或电话、住户户主或电话"),
    )
    subject = forms.ChoiceField(
        label=_("对象类型"), required=False, choices=[("", _("全部")), *Disclosure.Subject.choices]
    )
    start = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("起始日期不能晚于结束日期。"))
        return data


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _about(text: str) -> Q:
    """Disclosures of the cases and households `text` names: a tracking number, or a
    resident's (household head's) name or phone."""
    if TRACKING_NUMBER.match(text):
        cases = Case.objects.filter(tracking_number=text.upper())
        households = Household.objects.none()
    else:
        cases = Case.objects.filter(Q(resident_phone=text) | Q(resident_name=text))
        households = Household.objects.filter(Q(phone=text) | Q(head_name=text))
    return Q(subject=Disclosure.Subject.CASE, object_id__in=cases.values("pk")) | Q(
        subject=Disclosure.Subject.HOUSEHOLD, object_id__in=households.values("pk")
    )


def disclosures(user, params) -> tuple[DisclosureFilterForm, QuerySet[Disclosure]]:
    """The filter form and the log it selects, newest first; 404 for anyone but the office
    and administrators. A form with errors selects nothing."""
    require_log_reader(user)
    form = DisclosureFilterForm(params or None)
    rows = Disclosure.objects.select_related("user").order_by("-at", "-pk")
    if not form.is_bound:
        return form, rows
    if not form.is_valid():
        return form, rows.none()
    data = form.cleaned_data
    if data["viewer"]:
        rows = rows.filter(Q(user__username=data["viewer"]) | Q(user__full_name=data["viewer"]))
    if data["about"]:
        rows = rows.filter(_about(data["about"]))
    if data["subject"]:
        rows = rows.filter(subject=data["subject"])
    if data["start"]:
        rows = rows.filter(at__gte=_day_start(data["start"]))
    if data["end"]:
        rows = rows.filter(at__lt=_day_start(data["end"] + dt.timedelta(days=1)))
    return form, rows


def described(rows: Iterable[Disclosure]) -> list[dict[str, Any]]:
    """The rows with what each names: two queries for any number of rows."""
    rows = list(rows)
    case_ids = {r.object_id for r in rows if r.subject == Disclosure.Subject.CASE}
    household_ids = {r.object_id for r in rows if r.subject == Disclosure.Subject.HOUSEHOLD}
    cases = dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "tracking_number"))
    households = dict(Household.objects.filter(pk__in=household_ids).values_list("pk", "address"))
    out = []
    for row in rows:
        is_case = row.subject == Disclosure.Subject.CASE
        name = (cases if is_case else households).get(row.object_id, "")
        out.append(
            {
                "row": row,
                "case_id": row.object_id if is_case and name else None,
                "name": name or f"#{row.object_id}",
                "place": str(PLACE_LABELS.get(row.place, row.place)),
                "fields": "、".join(
                    str(FIELD_LABELS.get(f, f)) for f in row.fields.split(",") if f
                ),
            }
        )
    return out


COLUMNS = [
    Column(_("时间"), lambda d: d["row"].at, DATETIME, 17),
    Column(_("查看人"), lambda d: str(d["row"].user), width=12),
    Column(_("账号"), lambda d: d["row"].user.username, width=14),
    Column(_("对象类型"), lambda d: d["row"].get_subject_display(), width=8),
    Column(_("对象"), lambda d: d["name"], width=30),
    Column(_("内容"), lambda d: d["fields"], width=12),
    Column(_("位置"), lambda d: d["place"], width=24),
]


def _chunks(rows: QuerySet[Disclosure]) -> Iterator[dict[str, Any]]:
    stream = rows.iterator(chunk_size=CHUNK_SIZE)
    while chunk := list(islice(stream, CHUNK_SIZE)):
        yield from described(chunk)


def disclosure_ledger(user, params) -> Ledger:
    """The log as a ledger, with the page's filters."""
    _form, rows = disclosures(user, params)
    return Ledger(str(_("个人信息查看记录")), COLUMNS, _chunks(rows), rows.count())
