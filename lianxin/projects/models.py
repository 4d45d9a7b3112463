"""Practical projects (为民办实事): a plan, its projects, their milestones and reports.

A plan (2027年为民办实事项目) holds projects in classes (类别). A project has a lead unit
and co-units, a responsible leader, a target with its unit of measure, start and finish
dates, milestones (时间节点) each with a date and an owner unit, and progress reports
that its units send on the plan's schedule (monthly, quarterly). Its state (未启动 /
推进中 / 已完成 / 滞后) is not stored: `lianxin.projects.state.project_state` derives it
from the milestones and reports, so that it can never disagree with them.

Rows here are written only by the actions in `actions/`; reads go through `access.py`.
A missed milestone or a missing periodic report is a `Lapse` row, recorded once by the
overdue scan, cleared when the milestone is done or the report comes in.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lianxin.orgs.models import Unit


class Schedule(models.TextChoices):
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")


class ProjectState(models.TextChoices):
    NOT_STARTED = "not_started", _("未启动")
    IN_PROGRESS = "in_progress", _("推进中")
    DONE = "done", _("已完成")
    LATE = "late", _("滞后")


class Plan(models.Model):
    title = models.CharField(_("计划名称"), max_length=100, unique=True)
    year = models.PositiveIntegerField(_("年度"))
    schedule = models.CharField(
        _("进度报送周期"), max_length=10, choices=Schedule.choices, default=Schedule.MONTHLY
    )
    # A street's own plan; blank for the district's.
    street = models.ForeignKey(
        Unit,
        verbose_name=_("街道"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="project_plans",
        limit_choices_to={"kind": Unit.Kind.STREET},
    )
    description = models.TextField(_("说明"), blank=True)
    published = models.BooleanField(_("向群众公开"), default=True)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("办实事计划")
        verbose_name_plural = _("办实事计划")
        ordering = ["-year", "title"]

    def __str__(self):
        return self.title


class Project(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="projects")
    number = models.PositiveIntegerField(_("序号"))
    category = models.CharField(_("类别"), max_length=50)
    name = models.CharField(_("项目名称"), max_length=200)
    measures = models.TextField(_("主要措施"), blank=True)
    lead_unit = models.ForeignKey(
        Unit, verbose_name=_("牵头单位"), on_delete=models.PROTECT, related_name="led_projects"
    )
    co_units = models.ManyToManyField(
        Unit, verbose_name=_("配合单位"), blank=True, related_name="co_projects"
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任领导"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_projects",
    )
    # The leader as the 配档表 writes him, when no account matches (王副区长).
    leader_name = models.CharField(_("责任领导（姓名）"), max_length=50, blank=True)
    # The street the project serves, for the street's public page; blank: the district's.
    street = models.ForeignKey(
        Unit,
        verbose_name=_("所在街道"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="street_projects",
        limit_choices_to={"kind": Unit.Kind.STREET},
    )
    target_text = models.CharField(_("完成标准"), max_length=500, blank=True)
    target_quantity = models.DecimalField(
        _("目标数量"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    target_unit = models.CharField(_("计量单位"), max_length=10, blank=True)
    start_date = models.DateField(_("开始日期"))
    finish_date = models.DateField(_("完成日期"))
    # The 时间节点 cell as written, kept beside the milestones parsed from it.
    schedule_text = models.CharField(_("时间节点（原文）"), max_length=500, blank=True)
    # Where the project came from when it was promoted (议题→项目): 诉求 2027-000123.
    origin = models.CharField(_("来源"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closing_note = models.TextField(_("办结说明"), blank=True)

    class Meta:
        verbose_name = _("办实事项目")
        verbose_name_plural = _("办实事项目")
        ordering = ["plan", "number", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="project_unique_name"),
        ]
        indexes = [models.Index(fields=["lead_unit"], name="project_lead_unit")]

    def __str__(self):
        return self.name

    @property
    def leader_display(self) -> str:
        if self.leader is not None:
            return self.leader.full_name or self.leader.username
        return self.leader_name

    @property
    def target_display(self) -> str:
        parts = [self.target_text]
        if self.target_quantity is not None:
            quantity = f"{self.target_quantity.normalize():f}{self.target_unit}"
            if quantity not in self.target_text:  # 改造路灯120个 says it already
                parts.append(quantity)
        return "；".join(part for part in parts if part)


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    due_date = models.DateField(_("节点日期"))
    text = models.CharField(_("节点内容"), max_length=200)
    owner_unit = models.ForeignKey(
        Unit,
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="project_milestones",
    )
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("时间节点")
        verbose_name_plural = _("时间节点")
        ordering = ["due_date", "pk"]

    def __str__(self):
        return f"{self.due_date:%Y-%m-%d} {self.text}"


class Report(models.Model):
    """One unit's progress report for one period of the plan's schedule."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey(
        Unit, verbose_name=_("报送单位"), on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The schedule's period the report answers: 2027-03 (monthly) or 2027-Q1.
    period = models.CharField(_("报送期"), max_length=10)
    percent = models.PositiveSmallIntegerField(_("完成进度（%）"))
    quantity_done = models.DecimalField(
        _("已完成数量"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    text = models.TextField(_("进展情况"))
    reported_at = models.DateTimeField(_("报送时间"))

    class Meta:
        verbose_name = _("进度报告")
        verbose_name_plural = _("进度报告")
        ordering = ["-reported_at", "-pk"]
        indexes = [models.Index(fields=["project", "period"], name="report_project_period")]

    def __str__(self):
        return f"{self.project} {self.period}"


class ReportPhoto(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="projects/%Y/%m/")

    class Meta:
        verbose_name = _("进度照片")
        verbose_name_plural = _("进度照片")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.report} #{self.pk}"


class Lapse(models.Model):
    """A missed milestone or a missing periodic report, recorded once by the scan."""

    class Kind(models.TextChoices):
        MILESTONE = "milestone", _("节点逾期")
        REPORT = "report", _("未按期报送")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="lapses")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.CASCADE, related_name="lapses"
    )
    # The report period (2027-03), or the milestone's id as text: what makes it once.
    key = models.CharField(max_length=20)
    due_date = models.DateField(_("期限"))
    recorded_at = models.DateTimeField(_("记录时间"))
    cleared_at = models.DateTimeField(_("消除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("逾期记录")
        verbose_name_plural = _("逾期记录")
        ordering = ["due_date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind", "key"], name="lapse_once"),
        ]
        indexes = [
            models.Index(
                fields=["project"], name="lapse_open", condition=Q(cleared_at__isnull=True)
            )
        ]

    def __str__(self):
        return f"{self.project} {self.get_kind_display()} {self.key}"


class ProjectCase(models.Model):
    """A case the project answers (议题→项目)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="case_links")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="project_links")
    linked_at = models.DateTimeField()
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("项目关联诉求")
        verbose_name_plural = _("项目关联诉求")
        constraints = [
            models.UniqueConstraint(fields=["project", "case"], name="project_case_once"),
        ]

    def __str__(self):
        return f"{self.project} ← {self.case_id}"


class ProjectEvent(models.Model):
    """One step in a project's life: who, for which unit, when, what."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="events")
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    code = models.CharField(max_length=50)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("项目记录")
        verbose_name_plural = _("项目记录")
        ordering = ["at", "pk"]

    def __str__(self):
        return self.code
