"""Inspections and hazards (隐患排查整改).

Places to inspect (enterprises, schools, kitchens, villages, estates) are inspected in
campaigns (专项: safety, fire, gas, …). An inspection — the enterprise's self-check through a
signed link, a sweep, a spot check — scores a checklist as it goes (边打分边记录) and records
the hazards found. A hazard gets a rectification notice (整改通知单) with a number and a
deadline in working days; the responsible party reports the fix; an inspector comes back
(回头看) and passes it, or finds it relapsed, which reopens the hazard for a new notice.

Rows here are written only by the actions in `actions/`; reads go through `access.py`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lianxin.orgs.models import Unit


class PlaceKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    SCHOOL = "school", _("学校")
    RESTAURANT = "restaurant", _("餐饮单位/食堂")
    VILLAGE = "village", _("村庄")
    ESTATE = "estate", _("物业小区")


# The kinds the year-end assessment ranks by their inspections' scores.
RANKED_KINDS = (PlaceKind.VILLAGE, PlaceKind.ESTATE)


class Place(models.Model):
    kind = models.CharField(_("类型"), max_length=15, choices=PlaceKind.choices)
    name = models.CharField(_("单位名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    community = models.ForeignKey(
        Unit,
        verbose_name=_("社区/村"),
        on_delete=models.PROTECT,
        related_name="hazard_places",
        limit_choices_to={"kind": Unit.Kind.COMMUNITY},
    )
    grid = models.ForeignKey(
        Unit,
        verbose_name=_("网格"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": Unit.Kind.GRID},
    )
    # The street, kept beside the community so that figures group by it without a join.
    street = models.ForeignKey(
        Unit, verbose_name=_("街道/镇"), on_delete=models.PROTECT, related_name="+"
    )
    # The unit that answers for the place (a department for an enterprise's trade, the
    # street or community for a village or an estate): its staff report fixes and see it.
    responsible_unit = models.ForeignKey(
        Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+"
    )
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("检查对象")
        verbose_name_plural = _("检查对象")
        ordering = ["street_id", "community_id", "name", "pk"]
        # The import's key: a place is the same place when its name and community are.
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="hazard_place_unique_name")
        ]

    def __str__(self):
        return self.name


class Topic(models.TextChoices):
    SAFETY = "safety", _("安全生产")
    FIRE = "fire", _("消防安全")
    GAS = "gas", _("燃气安全")
    FOREST_FIRE = "forest_fire", _("森林防火")
    CAMPUS = "campus", _("校园安全")
    SANITATION = "sanitation", _("环境卫生")
    FOOD = "food", _("食品安全")


class Campaign(models.Model):
    """A 专项: a topic, a period, a checklist and an inspection group of several units."""

    name = models.CharField(_("专项名称"), max_length=100)
    topic = models.CharField(_("类别"), max_length=15, choices=Topic.choices)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    # Working days a notice gives by default (an inspector may set another).
    rectify_working_days = models.PositiveSmallIntegerField(_("默认整改期限（工作日）"), default=10)
    group_units = models.ManyToManyField(
        Unit, verbose_name=_("检查组成员单位"), related_name="hazard_campaigns"
    )
    places = models.ManyToManyField(Place, verbose_name=_("检查对象"), related_name="campaigns")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("专项检查")
        verbose_name_plural = _("专项检查")
        ordering = ["-starts_on", "-pk"]

    def __str__(self):
        return self.name

    @property
    def max_score(self) -> int:
        return sum(item.points for item in self.items.all())


class ChecklistItem(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("序号"))
    text = models.CharField(_("检查内容"), max_length=200)
    points = models.PositiveSmallIntegerField(_("分值"))

    class Meta:
        verbose_name = _("检查项")
        verbose_name_plural = _("检查项")
        ordering = ["campaign_id", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "order"], name="hazard_item_order")
        ]

    def __str__(self):
        return self.text


class InspectionKind(models.TextChoices):
    SELF_CHECK = "self_check", _("企业自查")
    SWEEP = "sweep", _("普查")
    SPOT_CHECK = "spot_check", _("抽查")


class Inspection(models.Model):
    """One visit to one place in one campaign (one 家次). Open while it is being scored;
    submitted, it counts in the figures."""

    class Status(models.TextChoices):
        OPEN = "open", _("检查中")
        SUBMITTED = "submitted", _("已提交")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="inspections")
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="inspections")
    kind = models.CharField(_("检查方式"), max_length=15, choices=InspectionKind.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    # Staff for a sweep or a spot check; none for a self-check (the link is the proof).
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("检查人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("检查单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Who filled in a self-check, as he typed it.
    filled_by = models.CharField(_("填报人"), max_length=50, blank=True)
    started_at = models.DateTimeField(_("检查时间"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("得分"), default=0)
    max_score = models.PositiveSmallIntegerField(_("满分"), default=0)
    note = models.TextField(_("检查情况"), blank=True)

    class Meta:
        verbose_name = _("检查记录")
        verbose_name_plural = _("检查记录")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["campaign", "status"], name="inspection_campaign_status")]

    def __str__(self):
        return f"{self.place} · {self.started_at:%Y-%m-%d}"

    @property
    def percent(self) -> float | None:
        return round(self.score * 100 / self.max_score, 1) if self.max_score else None


class Answer(models.Model):
    """One checklist item's score in one inspection, kept as it is given."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    points = models.PositiveSmallIntegerField(_("得分"))
    note = models.CharField(_("扣分说明"), max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="hazard_answer_once")
        ]

    def __str__(self):
        return f"{self.item}: {self.points}"


class Severity(models.TextChoices):
    GENERAL = "general", _("一般隐患")
    MAJOR = "major", _("重大隐患")


class HazardStatus(models.TextChoices):
    OPEN = "open", _("待下发整改")
    RECTIFYING = "rectifying", _("整改中")
    REPORTED = "reported", _("待复查")
    FIXED = "fixed", _("已整改")


class Hazard(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="hazards")
    # The campaign and place of its inspection, kept here for the figures and the map.
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="hazards")
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="hazards")
    text = models.TextField(_("隐患描述"))
    severity = models.CharField(_("隐患等级"), max_length=10, choices=Severity.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=HazardStatus.choices, default=HazardStatus.OPEN
    )
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    found_at = models.DateTimeField(_("发现时间"))
    fixed_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    relapse_count = models.PositiveSmallIntegerField(_("反弹次数"), default=0)
    # The case it became when other departments are needed (through the case intake).
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("转办诉求"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("隐患")
        verbose_name_plural = _("隐患")
        ordering = ["-found_at", "-pk"]
        indexes = [models.Index(fields=["campaign", "status"], name="hazard_campaign_status")]

    def __str__(self):
        return self.text[:20]


class Notice(models.Model):
    """A rectification notice (整改通知单): one round of putting a hazard right."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("整改中")
        REPORTED = "reported", _("已报整改")
        PASSED = "passed", _("复查通过")
        RELAPSED = "relapsed", _("复查反弹")

    hazard = models.ForeignKey(Hazard, on_delete=models.PROTECT, related_name="notices")
    year = models.PositiveSmallIntegerField()
    seq = models.PositiveIntegerField()
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.ISSUED
    )
    responsible_party = models.CharField(_("责任人"), max_length=100)
    requirements = models.TextField(_("整改要求"))
    working_days = models.PositiveSmallIntegerField(_("整改期限（工作日）"))
    deadline = models.DateField(_("整改期限"))
    issued_at = models.DateTimeField(_("下发时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issuing_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Set once by the overdue scan when the deadline passed without a reported fix.
    overdue_at = models.DateTimeField(_("逾期时间"), null=True, blank=True)
    reported_at = models.DateTimeField(_("报告整改时间"), null=True, blank=True)
    measures = models.TextField(_("整改措施"), blank=True)
    reported_by_name = models.CharField(_("报告人"), max_length=50, blank=True)
    reinspected_at = models.DateTimeField(_("复查日期"), null=True, blank=True)
    reinspected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复查人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reinspection_note = models.TextField(_("复查意见"), blank=True)

    class Meta:
        verbose_name = _("整改通知单")
        verbose_name_plural = _("整改通知单")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["year", "seq"], name="hazard_notice_number"),
        ]

    def __str__(self):
        return self.number

    @property
    def number(self) -> str:
        return str(_("整改〔%(year)d〕第%(seq)04d号") % {"year": self.year, "seq": self.seq})


class NoticeCounter(models.Model):
    """The last notice number given in a year: the row is locked while a number is taken."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"


class HazardPhoto(models.Model):
    class Stage(models.TextChoices):
        FOUND = "found", _("隐患照片")
        FIX = "fix", _("整改照片")
        REINSPECTION = "reinspection", _("复查照片")

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="photos")
    notice = models.ForeignKey(
        Notice, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    stage = models.CharField(max_length=15, choices=Stage.choices)
    image = models.ImageField(upload_to="hazards/%Y/%m/")
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("隐患照片")
        verbose_name_plural = _("隐患照片")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return f"{self.hazard} {self.get_stage_display()}"


class HazardEvent(models.Model):
    """One step: a campaign set up, an inspection scored, a hazard noticed, fixed, relapsed."""

    code = models.CharField(max_length=50)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    inspection = models.ForeignKey(
        Inspection, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    hazard = models.ForeignKey(
        Hazard, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    notice = models.ForeignKey(
        Notice, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("隐患排查记录")
        verbose_name_plural = _("隐患排查记录")
        ordering = ["at", "pk"]

    def __str__(self):
        return self.code
