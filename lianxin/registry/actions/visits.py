"""Visit rounds, visits and the visits households are due (重点访, 及时访).

A round's worklist for a pair is the pair's active households, a query and never rows; the
only rows a round writes are its 重点访 dues. A visit fulfils every due its household has
open; what residents said at it becomes cases, registered at the moment they said it.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianxin.cases.access import standing_of
from lianxin.cases.actions import do_register_case
from lianxin.cases.models import Category, Channel
from lianxin.cases.rules import WorkflowError
from lianxin.orgs.models import DistrictSettings
from lianxin.registry import coverage_tally, rules
from lianxin.registry.models import (
    HeardCase,
    Household,
    Question,
    RegistryEvent,
    Round,
    Visit,
    VisitDue,
)
from lianxin.workdays.days import deadline_after, end_of_day, local_date

# A phone's clock runs a little ahead now and then; a visit "in the future" beyond this is
# a typing mistake.
CLOCK_SLACK = dt.timedelta(minutes=10)
MAX_OPINIONS = 10


def _now(when):
    return when or timezone.now()


def _round_start(round_: Round) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(round_.starts_on, dt.time(9)))


def priority_households(round_: Round):
    """Active households with an active resident carrying one of the round's tags."""
    return Household.objects.filter(
        active=True,
        residents__active=True,
        residents__tags__in=round_.priority_tags.all(),
    ).distinct()


def open_round() -> Round | None:
    return Round.objects.filter(status=Round.Status.OPEN).order_by("-number").first()


@transaction.atomic
def do_open_round(round_: Round, *, actor, when: dt.datetime | None = None) -> int:
    """Open a round in preparation; give each household to be visited first its 重点访 due.
    Returns how many dues it opened."""
    at = _now(when)
    rules.check("run_rounds", actor, community=None)
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.status != Round.Status.DRAFT:
        raise WorkflowError("invalid", _("只有筹备中的轮次才能启动。"))
    if Round.objects.filter(status=Round.Status.OPEN).exists():
        raise WorkflowError("invalid", _("已有进行中的走访轮次，请先结束它。"))
    due_at = deadline_after(_round_start(round_), round_.priority_working_days)
    # Locked, so that none moves between the cell its dues are counted in and the save.
    cells = coverage_tally.locked_cells(priority_households(round_).values_list("pk", flat=True))
    dues = [
        VisitDue(
            kind=VisitDue.Kind.PRIORITY,
            household_id=household_id,
            round=round_,
            reason=str(_("重点人群")),
            opened_by=actor,
            opened_at=at,
            due_at=due_at,
        )
        for household_id in cells
    ]
    VisitDue.objects.bulk_create(dues, batch_size=1000)
    coverage_tally.dues_opened(
        (cell, round_.pk, VisitDue.Kind.PRIORITY, at) for cell in cells.values()
    )
    round_.status = Round.Status.OPEN
    round_.opened_at = at
    round_.save(update_fields=["status", "opened_at"])
    RegistryEvent.objects.create(
        code="registry.round.opened",
        actor=actor,
        at=at,
        data={"round": round_.pk, "number": round_.number, "priority_dues": len(dues)},
    )
    return len(dues)


@transaction.atomic
def do_close_round(round_: Round, *, actor, when: dt.datetime | None = None) -> Round:
    """End an open round. Its dues not yet done stay open: a visit late is still done."""
    at = _now(when)
    rules.check("run_rounds", actor, community=None)
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.status != Round.Status.OPEN:
        raise WorkflowError("invalid", _("只有进行中的轮次才能结束。"))
    round_.status = Round.Status.CLOSED
    round_.save(update_fields=["status"])
    RegistryEvent.objects.create(
        code="registry.round.closed",
        actor=actor,
        at=at,
        data={"round": round_.pk, "number": round_.number},
    )
    return round_


@transaction.atomic
def do_open_urgent_visit(
    household: Household, *, actor, reason: str, when: dt.datetime | None = None
) -> VisitDue:
    """及时访: after an event in a household (an illness, a loss, a dispute) anyone who may
    see it asks its pair to call within the district's short limit."""
    at = _now(when)
    rules.check_household("open_urgent_visit", actor, household)
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("invalid", _("请写明发起及时访的事由。"))
    if len(reason) > 200:
        raise WorkflowError("invalid", _("事由不能超过200个字。"))
    if not household.active:
        raise WorkflowError("invalid", _("该住户已不在册。"))
    days = DistrictSettings.load().urgent_visit_working_days
    cell = coverage_tally.locked_cell(household.pk)
    due = VisitDue.objects.create(
        kind=VisitDue.Kind.URGENT,
        household=household,
        reason=reason,
        opened_by=actor,
        opened_at=at,
        due_at=deadline_after(at, days),
    )
    coverage_tally.dues_opened([(cell, None, due.kind, due.opened_at)])
    RegistryEvent.objects.create(
        code="registry.visit_due.opened",
        actor=actor,
        at=at,
        household=household,
        pair_id=household.pair_id,
        data={"due": due.pk, "kind": due.kind, "reason": reason, "due_at": due.due_at.isoformat()},
    )
    return due


def clean_answers(round_: Round | None, answers: dict) -> dict:
    """The answers keyed by question position ("1", "2", …), checked against the round's
    questionnaire; yes/no answers are stored as "yes" or "no"."""
    answers = {str(k): v for k, v in (answers or {}).items()}
    questions = list(round_.questions.all()) if round_ is not None else []
    known = {str(q.position) for q in questions}
    unknown = sorted(set(answers) - known)
    if unknown:
        raise WorkflowError("invalid", _("问卷中没有第%(n)s题。") % {"n": unknown[0]})
    cleaned = {}
    for question in questions:
        key = str(question.position)
        value = answers.get(key)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, ""):
            if question.required:
                raise WorkflowError(
                    "invalid",
                    _("请回答第%(n)s题：%(text)s")
                    % {"n": question.position, "text": question.text},
                )
            continue
        if question.kind == Question.Kind.YES_NO:
            as_word: dict[object, str] = {True: "yes", False: "no"}
            value = as_word.get(value, value)
            if value not in ("yes", "no"):
                raise WorkflowError(
                    "invalid", _("第%(n)s题只能回答“是”或“否”。") % {"n": question.position}
                )
        elif question.kind == Question.Kind.CHOICE:
            if value not in question.choices:
                raise WorkflowError(
                    "invalid",
                    _("第%(n)s题请从给出的选项中选择。") % {"n": question.position},
                )
        else:
            value = str(value)
            if len(value) > 500:
                raise WorkflowError(
                    "invalid", _("第%(n)s题的回答不能超过500个字。") % {"n": question.position}
                )
        cleaned[key] = value
    return cleaned


@dataclass(frozen=True)
class Opinion:
    title: str
    text: str
    category: Category | None = None


def _opinions(opinions) -> list[Opinion]:
    found = []
    for raw in opinions or []:
        if isinstance(raw, Opinion):
            raw = {"title": raw.title, "text": raw.text, "category": raw.category}
        text = (raw.get("text") or "").strip()
        title = (raw.get("title") or "").strip()
        if not text and not title:
            continue  # an empty row the form added and the cadre did not fill
        if not text:
            raise WorkflowError("invalid", _("意见“%(title)s”缺少具体内容。") % {"title": title})
        found.append(Opinion(title or text[:30], text, raw.get("category")))
    if len(found) > MAX_OPINIONS:
        raise WorkflowError("invalid", _("一次走访最多登记%(n)s条意见。") % {"n": MAX_OPINIONS})
    return found


def do_record_visit(
    household: Household,
    *,
    actor,
    round: Round | None = None,  # noqa: A002 (the brief's name; it is a visit round)
    visited_at: dt.datetime,
    method: str,
    met: bool,
    answers: dict | None = None,
    note: str = "",
    opinions=(),
    client_key: str = "",
    when: dt.datetime | None = None,
) -> Visit:
    """Record a visit to `household` (in `round`, or the round now open), turn each opinion
    into a case heard from it, and fulfil the dues it has open.

    With a `client_key` the form's second sending (a phone that lost the network and sent
    again) returns the first visit and registers nothing more.
    """
    at = _now(when)
    client_key = (client_key or "").strip()[:64]
    rules.check_household("record_visit", actor, household)
    if client_key:
        existing = Visit.objects.filter(client_key=client_key).first()
        if existing is not None:
            if existing.household_id != household.pk:
                raise WorkflowError("invalid", _("表单编号重复，请刷新页面后重新填写。"))
            return existing
    if not household.active:
        raise WorkflowError("invalid", _("该住户已不在册。"))
    if method not in Visit.Method.values:
        raise WorkflowError("invalid", _("请选择走访方式。"))
    if visited_at is None:
        raise WorkflowError("invalid", _("请填写走访时间。"))
    if visited_at > at + CLOCK_SLACK:
        raise WorkflowError("invalid", _("走访时间不能晚于现在。"))
    round_ = round if round is not None else open_round()
    if round_ is not None and round_.status != Round.Status.OPEN:
        raise WorkflowError("invalid", _("该轮次不在进行中，不能记录走访。"))
    cleaned = clean_answers(round_, answers or {})
    note = (note or "").strip()
    if len(note) > 2000:
        raise WorkflowError("invalid", _("走访记录不能超过2000个字。"))
    heard = _opinions(opinions)
    standing = standing_of(actor)
    if heard and not (standing.sees_whole_district or standing.handling_unit_ids):
        raise WorkflowError(
            "forbidden", _("您的账号未关联工作单位，不能登记意见；请社区代为登记。")
        )
    try:
        return _record(
            household, actor, round_, visited_at, method, met, cleaned, note, heard, client_key, at
        )
    except IntegrityError:
        # The same form raced itself (sent again while the first sending was on its way).
        existing = Visit.objects.filter(client_key=client_key).first() if client_key else None
        if existing:
            return existing
        raise


@transaction.atomic
def _record(
    household, actor, round_, visited_at, method, met, cleaned, note, heard, client_key, at
):
    # Locks the household: of two visits sent at once only one is its round's first.
    earlier = coverage_tally.before_visit(household.pk, round_)
    visit = Visit.objects.create(
        round=round_,
        household=household,
        pair_id=household.pair_id,
        visited_at=visited_at,
        method=method,
        met=bool(met),
        answers=cleaned,
        note=note,
        recorded_by=actor,
        recorded_at=at,
        client_key=client_key,
    )
    cases = []
    for number, opinion in enumerate(heard, start=1):
        case = do_register_case(
            actor=actor,
            channel=Channel.VISIT,
            title=opinion.title,
            text=opinion.text,
            category=opinion.category,
            address=household.address,
            grid=household.grid,
            community=household.community,
            resident_name=household.head_name,
            resident_phone=household.phone,
            idempotency_key=f"visit:{client_key}:{number}" if client_key else None,
            when=visited_at,
        )
        HeardCase.objects.create(case=case, household=household, visit=visit)
        cases.append(case)
    # A visit on the day a due was raised counts for it: the form's time has minutes only,
    # and the cadre who went that morning has seen the household that day.
    open_dues = list(
        VisitDue.objects.select_for_update().filter(
            household=household,
            visit__isnull=True,
            opened_at__lte=end_of_day(local_date(visited_at)),
        )
    )
    fulfilled = [
        {"due": due.pk, "kind": due.kind, "on_time": visited_at <= due.due_at} for due in open_dues
    ]
    VisitDue.objects.filter(pk__in=[f["due"] for f in fulfilled]).update(visit=visit)
    coverage_tally.visit_recorded(
        visit,
        earlier,
        fulfilled=[
            (due.round_id, due.kind, due.opened_at, visited_at <= due.due_at) for due in open_dues
        ],
    )
    RegistryEvent.objects.create(
        code="registry.visit.recorded",
        actor=actor,
        at=at,
        household=household,
        pair_id=household.pair_id,
        data={
            "visit": visit.pk,
            "round": round_ and round_.pk,
            "cases": [c.tracking_number for c in cases],
            "fulfilled": fulfilled,
        },
    )
    return visit


def do_record_overdue_visits(*, when: dt.datetime | None = None) -> int:
    """Mark each due whose deadline passed without a visit, once, with an event."""
    at = _now(when)
    with transaction.atomic():
        missed = list(
            VisitDue.objects.select_for_update()
            .filter(visit__isnull=True, overdue_at__isnull=True, due_at__lt=at)
            .values("pk", "kind", "household_id", "household__pair_id", "due_at")
        )
        if not missed:
            return 0
        VisitDue.objects.filter(pk__in=[row["pk"] for row in missed]).update(overdue_at=at)
        RegistryEvent.objects.bulk_create(
            [
                RegistryEvent(
                    code="registry.visit_due.overdue",
                    at=at,
                    household_id=row["household_id"],
                    pair_id=row["household__pair_id"],
                    data={
                        "due": row["pk"],
                        "kind": row["kind"],
                        "due_at": row["due_at"].isoformat(),
                    },
                )
                for row in missed
            ],
            batch_size=1000,
        )
    return len(missed)
