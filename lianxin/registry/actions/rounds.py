"""A visit round in preparation and its questionnaire, as the office writes them.

A round can be changed only while it is in preparation: once opened, the pairs' worklists
and the answers recorded follow its questions by position.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianxin.cases.rules import WorkflowError
from lianxin.registry import rules
from lianxin.registry.models import Question, RegistryEvent, Round, Tag

MAX_QUESTIONS = 20
MAX_CHOICES = 10


def clean_questions(questions) -> list[dict]:
    """The questions in order as {"text", "kind", "choices", "required"}; a blank row is
    left out. Raises WorkflowError with the first problem, numbered as the office sees it."""
    found: list[dict] = []
    for raw in questions or []:
        text = (raw.get("text") or "").strip()
        kind = raw.get("kind") or Question.Kind.YES_NO
        choices = [c.strip() for c in raw.get("choices") or [] if c and c.strip()]
        if not text:
            if choices:
                raise WorkflowError("invalid", _("第%(n)s题缺少题目。") % {"n": len(found) + 1})
            continue
        n = len(found) + 1
        if len(text) > 200:
            raise WorkflowError("invalid", _("第%(n)s题的题目不能超过200个字。") % {"n": n})
        if kind not in Question.Kind.values:
            raise WorkflowError("invalid", _("第%(n)s题的类型无效。") % {"n": n})
        if kind == Question.Kind.CHOICE:
            if len(set(choices)) != len(choices):
                raise WorkflowError("invalid", _("第%(n)s题的选项有重复。") % {"n": n})
            if len(choices) < 2:
                raise WorkflowError(
                    "invalid", _("第%(n)s题是单选题，至少需要两个选项。") % {"n": n}
                )
            if len(choices) > MAX_CHOICES:
                raise WorkflowError(
                    "invalid", _("第%(n)s题最多%(max)s个选项。") % {"n": n, "max": MAX_CHOICES}
                )
            if any(len(c) > 50 for c in choices):
                raise WorkflowError("invalid", _("第%(n)s题的选项不能超过50个字。") % {"n": n})
        else:
            choices = []  # options typed for a yes/no or text question mean nothing
        found.append(
            {"text": text, "kind": kind, "choices": choices, "required": bool(raw.get("required"))}
        )
    if len(found) > MAX_QUESTIONS:
        raise WorkflowError("invalid", _("问卷最多%(n)s题。") % {"n": MAX_QUESTIONS})
    return found


@transaction.atomic
def do_save_round(
    round_: Round | None,
    *,
    actor,
    number: int,
    title: str = "",
    starts_on: dt.date,
    ends_on: dt.date,
    materials: str = "",
    priority_tags=(),
    priority_working_days: int = 5,
    questions=(),
    when: dt.datetime | None = None,
) -> Round:
    """Create a round in preparation (`round_` None) or change one, with its questionnaire.

    The questions replace the round's old ones wholesale: no answer can point at them yet.
    """
    at = when or timezone.now()
    rules.check("run_rounds", actor, community=None)
    if round_ is not None:
        round_ = Round.objects.select_for_update().get(pk=round_.pk)
        if round_.status != Round.Status.DRAFT:
            raise WorkflowError("invalid", _("只有筹备中的轮次才能修改。"))
    if not number or number < 1:
        raise WorkflowError("invalid", _("请填写轮次（正整数）。"))
    others = Round.objects.filter(number=number)
    if round_ is not None:
        others = others.exclude(pk=round_.pk)
    if others.exists():
        raise WorkflowError("invalid", _("第%(n)s轮已经存在。") % {"n": number})
    if starts_on is None or ends_on is None:
        raise WorkflowError("invalid", _("请填写开始和结束日期。"))
    if ends_on < starts_on:
        raise WorkflowError("invalid", _("结束日期不能早于开始日期。"))
    if not 1 <= priority_working_days <= 60:
        raise WorkflowError("invalid", _("重点访时限应在1到60个工作日之间。"))
    title = (title or "").strip() or str(_("第%(n)s轮联户大走访") % {"n": number})
    if len(title) > 100:
        raise WorkflowError("invalid", _("名称不能超过100个字。"))
    materials = (materials or "").strip()
    if len(materials) > 2000:
        raise WorkflowError("invalid", _("发放材料不能超过2000个字。"))
    tags = list(Tag.objects.filter(pk__in=[getattr(t, "pk", t) for t in priority_tags]))
    cleaned = clean_questions(questions)

    created = round_ is None
    if round_ is None:
        round_ = Round(status=Round.Status.DRAFT)
    round_.number = number
    round_.title = title
    round_.starts_on = starts_on
    round_.ends_on = ends_on
    round_.materials = materials
    round_.priority_working_days = priority_working_days
    if created:
        round_.save()
    else:
        round_.save(
            update_fields=[
                "number",
                "title",
                "starts_on",
                "ends_on",
                "materials",
                "priority_working_days",
            ]
        )
    round_.priority_tags.set(tags)
    round_.questions.all().delete()
    Question.objects.bulk_create(
        Question(round=round_, position=position, **question)
        for position, question in enumerate(cleaned, start=1)
    )
    RegistryEvent.objects.create(
        code="registry.round.created" if created else "registry.round.updated",
        actor=actor,
        at=at,
        data={
            "round": round_.pk,
            "number": number,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "priority_tags": sorted(t.code for t in tags),
            "questions": [q["text"] for q in cleaned],
        },
    )
    return round_
