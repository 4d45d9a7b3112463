"""议题→项目: a case, a topic or a wish becomes a project, and the project lists the
cases it answers.

Linking a case that is still waiting for the office (registered, or returned) also
dispatches it to the project's lead unit through the case workflow's own
`do_dispatch_case`, so that the unit that carries out the project is the one that
answers the resident; a case already with a unit stays with it.
"""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Actor
from lianxin.cases import actions as case_actions
from lianxin.cases.access import access_case_by_id
from lianxin.cases.models import FINAL_STATUSES, Case, Status
from lianxin.errors import WorkflowError
from lianxin.projects import rules
from lianxin.projects.actions.common import as_user, event, lock_project, now_or
from lianxin.projects.actions.plans import ProjectSpec, do_save_project
from lianxin.projects.models import Plan, Project, ProjectCase

WAITING = (Status.REGISTERED, Status.RETURNED)


def do_link_case(
    project: Project, case: Case, *, actor: Actor, when: dt.datetime | None = None
) -> ProjectCase:
    """The project answers this case (the office links them)."""
    at = now_or(when)
    with transaction.atomic():
        project = lock_project(project)
        unit_id = rules.check("link_case", actor, project)
        case = access_case_by_id(actor, case.pk)
        if case.status in FINAL_STATUSES:
            raise WorkflowError(
                "case_final",
                _("诉求%(n)s已%(s)s，不能关联。")
                % {"n": case.tracking_number, "s": case.get_status_display()},
            )
        if ProjectCase.objects.filter(project=project, case=case).exists():
            raise WorkflowError("case_linked", _("该诉求已关联本项目。"))
        link = ProjectCase.objects.create(
            project=project, case=case, linked_at=at, linked_by=as_user(actor)
        )
        if case.status in WAITING and not case.parts.filter(status="assigned").exists():
            case_actions.do_dispatch_case(
                case,
                actor=actor,
                unit=project.lead_unit,
                instruction=str(_("已纳入办实事项目“%(name)s”。") % {"name": project.name}),
                when=at,
            )
        event(
            project.plan,
            "projects.case.linked",
            actor=actor,
            unit_id=unit_id,
            at=at,
            project=project,
            case=case.pk,
            tracking_number=case.tracking_number,
        )
    return link


def do_promote_case(
    case: Case, plan: Plan, spec: ProjectSpec, *, actor: Actor, when: dt.datetime | None = None
) -> Project:
    """A new project in `plan` from a case, which it then answers."""
    at = now_or(when)
    with transaction.atomic():
        rules.check_office(actor, _("将诉求转为项目"))
        case = access_case_by_id(actor, case.pk)
        spec.origin = spec.origin or str(_("诉求 %(n)s") % {"n": case.tracking_number})
        project, _changed = do_save_project(plan, spec, actor=actor, when=at)
        do_link_case(project, case, actor=actor, when=at)
        event(plan, "projects.project.promoted", actor=actor, at=at, project=project, case=case.pk)
    return project


def do_promote_topic(topic, plan: Plan, spec: ProjectSpec, *, actor: Actor, when=None) -> Project:
    """A new project from a topic (意见办理小专题): it answers every open case of the topic."""
    at = now_or(when)
    with transaction.atomic():
        rules.check_office(actor, _("将专题转为项目"))
        spec.origin = spec.origin or str(_("专题：%(t)s") % {"t": topic.title})[:100]
        project, _changed = do_save_project(plan, spec, actor=actor, when=at)
        cases = Case.objects.filter(topic_membership__topic=topic).exclude(
            status__in=FINAL_STATUSES
        )
        for case in cases.order_by("pk"):
            do_link_case(project, case, actor=actor, when=at)
        event(
            plan, "projects.project.promoted", actor=actor, at=at, project=project, topic=topic.pk
        )
    return project


def do_promote_wish(wish, plan: Plan, spec: ProjectSpec, *, actor: Actor, when=None) -> Project:
    """A new project from a micro-wish too big for one claimer (a ramp, not a walker)."""
    at = now_or(when)
    with transaction.atomic():
        rules.check_office(actor, _("将微心愿转为项目"))
        spec.origin = spec.origin or str(_("微心愿 #%(n)d") % {"n": wish.pk})
        spec.measures = spec.measures or wish.text
        project, _changed = do_save_project(plan, spec, actor=actor, when=at)
        event(plan, "projects.project.promoted", actor=actor, at=at, project=project, wish=wish.pk)
    return project
