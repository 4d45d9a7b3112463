"""Volunteer teams and their service activities, 双报到 (cadres and party members reporting
to the community where they live) and partner units (共建单位 / 红色合伙人).

Rows here are written only by the actions in `actions/`; reads go through `access.py`.

- A `Team` belongs to a unit (the community, street or department that keeps it) and, for a
  partner unit's own team, to that partner. Its `Member`s are residents, staff users or
  people who reported in; one or more of them lead it.
- An `Activity` is one service a team gave on one day at one place: who took part with
  their hours each (`Participation`), photos, and the problems it solved (`SolvedProblem`,
  each a case or a wish).
- A `ReportIn` is one person registered with his home community; the community gives him
  work (`Assignment`: a wish, an activity or a service).
- A `PartnerUnit` is an organisation paired with communities; it runs activities through
  its own team and may claim wishes (`programs.WishClaim.partner`).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lianxin.cases.models import mask_phone
from lianxin.orgs.models import Unit
from lianxin.programs.models import mask_name


class PartnerUnit(models.Model):
    name = models.CharField(_("单位名称"), max_length=100, unique=True)
    kind = models.CharField(_("单位类型"), max_length=30, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    communities = models.ManyToManyField(
        Unit,
        verbose_name=_("结对社区"),
        related_name="partner_units",
        limit_choices_to={"kind": Unit.Kind.COMMUNITY},
    )
    services = models.CharField(_("共建内容"), max_length=300, blank=True)
    active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("共建单位")
        verbose_name_plural = _("共建单位")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    name = models.CharField(_("队伍名称"), max_length=100)
    unit = models.ForeignKey(
        Unit, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="volunteer_teams"
    )
    partner = models.ForeignKey(
        PartnerUnit,
        verbose_name=_("共建单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teams",
    )
    description = models.CharField(_("服务内容"), max_length=300, blank=True)
    active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("成立时间"))

    class Meta:
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        ordering = ["unit__sort_order", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="one_team_name")]

    def __str__(self) -> str:
        return self.name


class MemberKind(models.TextChoices):
    RESIDENT = "resident", _("居民")
    STAFF = "staff", _("干部职工")
    REPORT_IN = "report_in", _("报到党员干部")


class Member(models.Model):
    """One person in one team. A resident is known by name and phone (masked wherever
    shown); a staff member by his account; a person who reported in by his report-in."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    kind = models.CharField(_("身份"), max_length=10, choices=MemberKind.choices)
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("电话"), max_length=20, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer_memberships",
    )
    report_in = models.ForeignKey(
        "ReportIn",
        verbose_name=_("双报到"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    leader = models.BooleanField(_("队长"), default=False)
    joined_on = models.DateField(_("加入日期"))
    active = models.BooleanField(_("在队"), default=True)

    class Meta:
        verbose_name = _("队员")
        verbose_name_plural = _("队员")
        ordering = ["-leader", "pk"]

    def __str__(self) -> str:
        return self.shown_name

    @property
    def shown_name(self) -> str:
        """A resident as 王**; cadres and people who reported in work in public, by name."""
        return mask_name(self.name) if self.kind == MemberKind.RESIDENT else self.name

    @property
    def shown_phone(self) -> str:
        return mask_phone(self.phone)


class Activity(models.Model):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="activities")
    title = models.CharField(_("活动名称"), max_length=100)
    date = models.DateField(_("服务日期"))
    place = models.CharField(_("服务地点"), max_length=200)
    description = models.TextField(_("服务内容"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("录入时间"))

    class Meta:
        verbose_name = _("志愿服务活动")
        verbose_name_plural = _("志愿服务活动")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["team", "date"], name="activity_team_date")]

    def __str__(self) -> str:
        return self.title


class Participation(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="participations")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="participations")
    hours = models.DecimalField(
        _("服务时长（小时）"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5"))],
    )

    class Meta:
        verbose_name = _("参与记录")
        verbose_name_plural = _("参与记录")
        constraints = [
            models.UniqueConstraint(fields=["activity", "member"], name="one_participation")
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.hours}"


class ActivityPhoto(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="activities/%Y/%m/")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.image.name


class SolvedProblem(models.Model):
    """A problem an activity solved: a case or a wish, with what was done."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="solved")
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    wish = models.ForeignKey(
        "programs.Wish", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("解决情况"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("解决问题")
        verbose_name_plural = _("解决问题")
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=True, wish__isnull=False)
                | Q(case__isnull=False, wish__isnull=True),
                name="solved_case_or_wish",
            )
        ]

    def __str__(self) -> str:
        return self.note


class ReportIn(models.Model):
    """双报到: a person employed by one unit registered with the community he lives in."""

    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("电话"), max_length=20, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="report_ins",
    )
    employer = models.ForeignKey(
        Unit, verbose_name=_("工作单位"), on_delete=models.PROTECT, related_name="reported_staff"
    )
    community = models.ForeignKey(
        Unit,
        verbose_name=_("报到社区"),
        on_delete=models.PROTECT,
        related_name="report_ins",
        limit_choices_to={"kind": Unit.Kind.COMMUNITY},
    )
    reported_on = models.DateField(_("报到日期"))
    party_member = models.BooleanField(_("党员"), default=False)
    active = models.BooleanField(_("有效"), default=True)
    recorded_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("双报到")
        verbose_name_plural = _("双报到")
        ordering = ["-reported_on", "-pk"]
        indexes = [models.Index(fields=["community", "active"], name="reportin_community")]

    def __str__(self) -> str:
        return self.name

    @property
    def shown_phone(self) -> str:
        return mask_phone(self.phone)


class Assignment(models.Model):
    """Work a community gives a person who reported in: a wish, an activity or a service."""

    class Kind(models.TextChoices):
        WISH = "wish", _("微心愿")
        ACTIVITY = "activity", _("志愿服务活动")
        SERVICE = "service", _("服务事项")

    report_in = models.ForeignKey(ReportIn, on_delete=models.CASCADE, related_name="assignments")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    wish = models.ForeignKey(
        "programs.Wish", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.PROTECT, related_name="assignments"
    )
    service = models.CharField(_("服务事项"), max_length=200, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(_("分派时间"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_note = models.CharField(_("完成情况"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("报到任务")
        verbose_name_plural = _("报到任务")
        ordering = ["-assigned_at", "-pk"]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def subject(self) -> str:
        if self.kind == self.Kind.WISH and self.wish is not None:
            return self.wish.text[:30]
        if self.kind == self.Kind.ACTIVITY and self.activity is not None:
            return f"{self.activity.date:%Y-%m-%d} {self.activity.title}"
        return self.service


class VolunteerEvent(models.Model):
    """One change: who, for which unit, when, to which team, activity, report-in or partner."""

    code = models.CharField(max_length=50)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    report_in = models.ForeignKey(
        ReportIn, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    partner = models.ForeignKey(
        PartnerUnit, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.code
