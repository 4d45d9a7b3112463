"""Cases, their parts, their timeline and the categories that route them.

Nothing here changes a case's state: that is `lianxin.cases.actions`.
"""

from typing import Any

from django.conf import settings
from django.db import models, router, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Actor
from lianxin.orgs.models import Unit


class CategoryManager(models.Manager["Category"]):
    # A second-level category names itself with its parent ("城市管理 / 路灯"): load the
    # parent along, or every list of categories costs a query per line.
    def get_queryset(self) -> "models.QuerySet[Category]":
        return super().get_queryset().select_related("parent")


class Category(models.Model):
    """A two-level taxonomy; the second level routes cases."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        limit_choices_to={"parent__isnull": True},
    )
    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    default_unit = models.ForeignKey(
        Unit,
        verbose_name=_("默认责任单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind__in": Unit.HANDLING_KINDS},
    )
    resolution_working_days = models.PositiveSmallIntegerField(
        _("办结时限（工作日）"),
        null=True,
        blank=True,
        help_text=_("留空则沿用上级分类或区级默认。"),
    )
    active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    objects = CategoryManager()

    class Meta:
        verbose_name = _("诉求分类")
        verbose_name_plural = _("诉求分类")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent else self.name

    def resolution_days(self, default: int) -> int:
        if self.resolution_working_days:
            return self.resolution_working_days
        if self.parent and self.parent.resolution_working_days:
            return self.parent.resolution_working_days
        return default

    def suggested_unit(self) -> Unit | None:
        if self.default_unit_id:
            return self.default_unit
        return self.parent.default_unit if self.parent else None


class Channel(models.TextChoices):
    VISIT = "visit", _("入户走访")
    PATROL = "patrol", _("网格巡查")
    MEETING = "meeting", _("座谈会议")
    PHONE = "phone", _("电话")
    WEB = "web", _("网页/H5")
    MINIPROGRAM = "miniprogram", _("小程序")
    CITY = "city", _("市级平台")
    FORWARDED = "forwarded", _("转办清单")
    PARTNER = "partner", _("合作方接口")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")
    CRITICAL = "critical", _("特急")


class Status(models.TextChoices):
    REGISTERED = "registered", _("待派单")
    DISPATCHED = "dispatched", _("待接单")
    RETURNED = "returned", _("已退单")
    IN_PROGRESS = "in_progress", _("办理中")
    REPLIED = "replied", _("已答复")
    CONSTRAINED = "constrained", _("疑难受限")
    RESOLVED = "resolved", _("已办结待核查")
    VERIFIED = "verified", _("已核查待回访")
    CLOSED = "closed", _("已办结归档")
    MERGED = "merged", _("已合并")
    WITHDRAWN = "withdrawn", _("已撤回")
    VOIDED = "voided", _("已作废")


# States a case no longer leaves.
FINAL_STATUSES = frozenset({Status.CLOSED, Status.MERGED, Status.WITHDRAWN, Status.VOIDED})
# States in which a unit still owes the resident a reply or a resolution.
HANDLING_STATUSES = frozenset(
    {Status.REGISTERED, Status.DISPATCHED, Status.RETURNED, Status.IN_PROGRESS, Status.REPLIED}
)


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class CaseQuerySet(models.QuerySet["Case"]):
    def visible_to(self, user: Actor) -> "CaseQuerySet":
        """The cases `user` may see; every list starts here."""
        from lianxin.cases.access import case_scope

        return self.filter(case_scope(user))


class Case(models.Model):
    tracking_number = models.CharField(_("受理编号"), max_length=20)
    # Sent by clients that may retry a registration; unique where present.
    idempotency_key = models.CharField(max_length=80, null=True, blank=True)
    channel = models.CharField(_("来源渠道"), max_length=20, choices=Channel.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    # The resident. The phone is kept whole; pages show it masked (see `masked_phone`).
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("居民账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="own_cases",
        db_index=False,
    )
    resident_name = models.CharField(_("群众姓名"), max_length=50, blank=True)
    resident_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    # Texts about the case go only to a verified phone: one the resident proved with a
    # one-time code, or one staff took down from the resident (docs/security.md).
    phone_verified = models.BooleanField(_("电话已验证"), default=False)
    anonymous = models.BooleanField(_("匿名"), default=False)

    # The place; street and community follow from the grid when there is one.
    address = models.CharField(_("地址"), max_length=200)
    street = models.ForeignKey(
        Unit,
        verbose_name=_("街道"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": Unit.Kind.STREET},
        db_index=False,  # the (street, status) index serves it
    )
    community = models.ForeignKey(
        Unit,
        verbose_name=_("社区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": Unit.Kind.COMMUNITY},
        db_index=False,  # the (community, status) index serves it
    )
    grid = models.ForeignKey(
        Unit,
        verbose_name=_("网格"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": Unit.Kind.GRID},
        db_index=False,  # the (grid, status) index serves it
    )
    building = models.CharField(_("楼栋"), max_length=50, blank=True)
    latitude = models.DecimalField(
        _("纬度（WGS-84）"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("经度（WGS-84）"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    title = models.CharField(_("标题"), max_length=100)
    text = models.TextField(_("诉求内容"))
    category = models.ForeignKey(
        Category,
        verbose_name=_("分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    urgency = models.CharField(
        _("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("包案领导"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_cases",
        db_index=False,
    )

    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.REGISTERED
    )
    lead_unit = models.ForeignKey(
        Unit,
        verbose_name=_("主办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the (lead_unit, status) index serves it
    )
    open_for_claim = models.BooleanField(_("可供部门认领"), default=False)
    escalated = models.BooleanField(_("已提级至区领导"), default=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("并入"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
        db_index=False,
    )
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)

    registered_at = models.DateTimeField(_("登记时间"), db_index=True)
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    verified_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    # Working days each milestone took, stamped by the actions that reach it, so that the
    # figures read a column instead of walking the calendar for every row (docs/metrics.md).
    response_working_days = models.PositiveSmallIntegerField(
        _("响应用时（工作日）"), null=True, blank=True
    )
    reply_working_days = models.PositiveSmallIntegerField(
        _("答复用时（工作日）"), null=True, blank=True
    )
    resolve_working_days = models.PositiveSmallIntegerField(
        _("办结用时（工作日）"), null=True, blank=True
    )

    reply_due_at = models.DateTimeField(_("答复期限"))
    resolve_due_at = models.DateTimeField(_("办结期限"))
    constrained_review_at = models.DateTimeField(_("疑难受限复查时间"), null=True, blank=True)

    reply_text = models.TextField(_("答复内容"), blank=True)
    resolution_note = models.TextField(_("办结说明"), blank=True)
    constrained_explanation = models.TextField(_("疑难受限说明"), blank=True)
    satisfaction = models.CharField(
        _("满意度"), max_length=12, choices=Satisfaction.choices, blank=True
    )
    solved = models.BooleanField(_("是否解决"), null=True, blank=True)
    # Calls that reached nobody, and when the office tries again (the next working day).
    unreached_calls = models.PositiveSmallIntegerField(_("回访未接通次数"), default=0)
    call_again_at = models.DateTimeField(_("再次回访时间"), null=True, blank=True)

    # Residents who said "me too" instead of filing the same problem again.
    support_count = models.PositiveIntegerField(_("附议人数"), default=0)
    # 选树典型案例: the office marks a closed case as an example for the monthly brief.
    exemplary = models.BooleanField(_("典型案例"), default=False)
    exemplary_note = models.TextField(_("典型案例简介"), blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("诉求案件")
        verbose_name_plural = _("诉求案件")
        ordering = ["-registered_at"]
        # Every index here is written on each registration and state change: keep only
        # those that lists, scopes and the deadline scan need. Sparse references get
        # partial indexes, so the many rows without one cost nothing.
        indexes = [
            models.Index(fields=["street", "status"], name="case_street_status"),
            models.Index(fields=["community", "status"], name="case_community_status"),
            models.Index(fields=["grid", "status"], name="case_grid_status"),
            models.Index(fields=["lead_unit", "status"], name="case_lead_unit_status"),
            # The few percent of cases still open, which every inbox count reads.
            models.Index(
                fields=["status"], name="case_open", condition=~Q(status__in=FINAL_STATUSES)
            ),
            # Open cases with a map point, for the duplicate check's box around a new one
            # (lianxin/intel/nearby.py asks for exactly these statuses).
            models.Index(
                fields=["latitude", "longitude"],
                name="case_open_point",
                condition=Q(latitude__isnull=False)
                & Q(
                    status__in=[
                        "registered",
                        "dispatched",
                        "returned",
                        "in_progress",
                        "replied",
                        "constrained",
                    ]
                ),
            ),
            models.Index(fields=["reply_due_at"], name="case_reply_due"),
            models.Index(fields=["resolve_due_at"], name="case_resolve_due"),
            models.Index(
                fields=["constrained_review_at"],
                name="case_review_due",
                condition=Q(constrained_review_at__isnull=False),
            ),
            models.Index(
                fields=["resident"], name="case_resident", condition=Q(resident__isnull=False)
            ),
            models.Index(fields=["leader"], name="case_leader", condition=Q(leader__isnull=False)),
            # The seat's search by what a caller gives: his phone or his name.
            models.Index(
                fields=["resident_phone"],
                name="case_resident_phone",
                condition=~Q(resident_phone=""),
            ),
            models.Index(
                fields=["resident_name"], name="case_resident_name", condition=~Q(resident_name="")
            ),
            models.Index(
                fields=["merged_into"],
                name="case_merged_into",
                condition=Q(merged_into__isnull=False),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["tracking_number"], name="unique_tracking_number"),
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="unique_idempotency_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_number} {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # One transaction for the row and what listens to its save: the figures' tally
        # (lianxin.figures.tally) writes the difference the save makes beside it.
        # No savepoint of its own: an error rolls back the enclosing block, as it would.
        using = kwargs.get("using") or router.db_for_write(Case)
        with transaction.atomic(using=using, savepoint=False):
            super().save(*args, **kwargs)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.resident_phone)

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


def mask_phone(phone: str) -> str:
    """138****1234: enough for a resident to recognise his number, not enough to call it."""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"


class CasePart(models.Model):
    """One unit's share of a case: the lead, a co-handler, or a unit summoned by a whistle."""

    class Role(models.TextChoices):
        LEAD = "lead", _("主办")
        CO = "co", _("协办")
        SUMMONED = "summoned", _("吹哨报到")

    class PartStatus(models.TextChoices):
        ASSIGNED = "assigned", _("待接单")
        ACCEPTED = "accepted", _("办理中")
        RETURNED = "returned", _("已退回")
        FINISHED = "finished", _("已完成")
        CANCELLED = "cancelled", _("已撤销")

    LIVE_STATUSES = (PartStatus.ASSIGNED, PartStatus.ACCEPTED, PartStatus.FINISHED)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parts")
    unit = models.ForeignKey(
        Unit, verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="case_parts"
    )
    role = models.CharField(_("承办角色"), max_length=10, choices=Role.choices)
    status = models.CharField(_("状态"), max_length=10, choices=PartStatus.choices)
    instruction = models.TextField(_("派单意见"), blank=True)
    assigned_at = models.DateTimeField(_("派单时间"))
    accepted_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    return_reason = models.TextField(_("退单理由"), blank=True)
    return_reviewed_at = models.DateTimeField(_("退单审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("承办分工")
        verbose_name_plural = _("承办分工")
        ordering = ["role", "assigned_at"]
        indexes = [
            models.Index(fields=["unit", "status"], name="part_unit_status"),
            # The office's queue of returns to review: a handful among a million parts.
            models.Index(
                fields=["case"],
                name="part_return_unreviewed",
                condition=Q(status="returned", return_reviewed_at__isnull=True),
            ),
        ]
        constraints = [
            # A unit has at most one live share of a case.
            models.UniqueConstraint(
                fields=["case", "unit"],
                condition=Q(status__in=["assigned", "accepted", "finished"]),
                name="one_live_part_per_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} ({self.get_role_display()}, {self.get_status_display()})"


class ExtensionRequest(models.Model):
    class Decision(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("未批准")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    part = models.ForeignKey(CasePart, on_delete=models.CASCADE, related_name="+")
    working_days = models.PositiveSmallIntegerField(_("延期工作日数"))
    reason = models.TextField(_("延期理由"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    decision = models.CharField(
        _("审批结果"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(decision="pending"), name="one_pending_extension"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} +{self.working_days} ({self.get_decision_display()})"


class ReturnVisit(models.Model):
    """A resident's verdict on a resolved case: from the office's call or his own rating."""

    class Method(models.TextChoices):
        PHONE = "phone", _("电话回访")
        VISIT = "visit", _("上门回访")
        SELF = "self", _("群众自评")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="return_visits")
    method = models.CharField(_("回访方式"), max_length=10, choices=Method.choices)
    satisfaction = models.CharField(_("满意度"), max_length=12, choices=Satisfaction.choices)
    solved = models.BooleanField(_("是否解决"))
    comment = models.TextField(_("群众意见"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("回访时间"))

    class Meta:
        verbose_name = _("回访记录")
        verbose_name_plural = _("回访记录")
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.case} {self.get_satisfaction_display()}"


class CaseSupport(models.Model):
    """A resident's "me too" on an open case: the same problem, reported once."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supports")
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case_supports",
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    comment = models.CharField(_("补充说明"), max_length=500, blank=True)
    at = models.DateTimeField(_("附议时间"))

    class Meta:
        verbose_name = _("附议")
        verbose_name_plural = _("附议")
        ordering = ["at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "resident"],
                condition=Q(resident__isnull=False),
                name="one_support_per_resident",
            ),
            models.UniqueConstraint(
                fields=["case", "phone"],
                condition=~Q(phone=""),
                name="one_support_per_phone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} +1"


class CasePhoto(models.Model):
    class Stage(models.TextChoices):
        INTAKE = "intake", _("诉求照片")
        RESOLUTION = "resolution", _("办结照片")
        VERIFICATION = "verification", _("核查照片")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(max_length=15, choices=Stage.choices)
    image = models.ImageField(upload_to="cases/%Y/%m/")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # Shown to anyone (the Open311 feed) only once the office chose it (do_set_photo_public).
    public = models.BooleanField(_("已公开"), default=False)

    class Meta:
        verbose_name = _("照片")
        verbose_name_plural = _("照片")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return f"{self.case} {self.get_stage_display()}"


class CaseEvent(models.Model):
    """One step in a case's life; append-only, and together the case's timeline."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="events", db_index=False
    )  # the (case, at) index serves it
    # Unindexed: the timeline is read per case, and the scan writes events in bulk.
    part = models.ForeignKey(
        CasePart,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,
    )
    code = models.CharField(max_length=50)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    actor_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    at = models.DateTimeField()
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    note = models.TextField(blank=True)
    # Public events make the resident's timeline; the rest are for staff only.
    public = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)
    # The tamper-evident chain (lianxin/cases/chain.py): the event's place in its case's
    # timeline, 1, 2, 3 …, and a keyed hash over its fields and the previous event's hash.
    seq = models.PositiveIntegerField()
    chain = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["case", "at"], name="event_case_at")]
        # One line per case: two writers that skipped the case's row lock could not
        # both append the same place (and the index serves the chain's walk).
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="event_case_seq")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.code}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Case events are append-only.")
        if self.seq is None:
            from lianxin.cases.chain import seal  # the chain module reads this model

            seal(self)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Case events are append-only.")


class TrackingCounter(models.Model):
    """The last tracking number given out in a year, on SQLite (PostgreSQL uses sequences)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class DeadlineScan(models.Model):
    """How far the overdue scan has looked for one kind of deadline.

    Each deadline moment passes once; the scan records the cases whose deadline
    fell between the previous scan and this one, so it never rewrites case rows
    and never records a case twice for the same deadline.
    """

    watch = models.CharField(max_length=40, primary_key=True)
    scanned_to = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.watch} → {self.scanned_to:%Y-%m-%d %H:%M}"
