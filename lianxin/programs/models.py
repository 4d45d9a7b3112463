"""The programmes beside the cases. So far: micro-wishes (微心愿).

A wish is posted by a resident (or recorded by a cadre for a household), reviewed by its
community, published on the public wish wall, claimed by one claimer at a time, fulfilled
and confirmed. Rows here are written only by the actions in `actions/`; reads go through
`access.py`.

A claim is its own row (`WishClaim`) so that a claimer's history survives a release and a
wish keeps every claim it had; at most one claim per wish is live, which the database
enforces as well as the row lock the actions take.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lianxin.orgs.models import Unit


class WishStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    CHANGES_REQUESTED = "changes_requested", _("待修改")
    DECLINED = "declined", _("未采纳")
    PUBLISHED = "published", _("待认领")
    CLAIMED = "claimed", _("已认领")
    FULFILLED = "fulfilled", _("待确认")
    CONFIRMED = "confirmed", _("已圆梦")


# What the public wall shows: everything the community has published, whatever came after.
ON_THE_WALL = (
    WishStatus.PUBLISHED,
    WishStatus.CLAIMED,
    WishStatus.FULFILLED,
    WishStatus.CONFIRMED,
)


def mask_name(name: str) -> str:
    """王**: the family name and nothing more, whatever the name's length."""
    name = (name or "").strip()
    return f"{name[0]}**" if name else str(_("居民"))


class WishQuerySet(models.QuerySet):
    def on_the_wall(self):
        return self.filter(status__in=ON_THE_WALL)


class Wish(models.Model):
    class Source(models.TextChoices):
        PORTAL = "portal", _("群众端")
        CADRE = "cadre", _("干部代录")

    community = models.ForeignKey(
        Unit,
        verbose_name=_("社区/村"),
        on_delete=models.PROTECT,
        related_name="wishes",
        limit_choices_to={"kind": Unit.Kind.COMMUNITY},
    )
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("住户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="wishes",
    )
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    # The resident's account when he posted signed in; a visitor proved his phone instead.
    wisher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("心愿人账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="wishes",
    )
    wisher_name = models.CharField(_("心愿人"), max_length=50)
    wisher_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    text = models.TextField(_("心愿内容"))
    status = models.CharField(
        _("状态"), max_length=20, choices=WishStatus.choices, default=WishStatus.PENDING
    )
    posted_at = models.DateTimeField(_("提交时间"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    # The community's last word in review: what to change, or why it was declined.
    review_note = models.CharField(_("审核意见"), max_length=500, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    objects = WishQuerySet.as_manager()

    class Meta:
        verbose_name = _("微心愿")
        verbose_name_plural = _("微心愿")
        ordering = ["-posted_at", "-pk"]
        indexes = [models.Index(fields=["community", "status"], name="wish_community_status")]

    def __str__(self):
        return self.text[:20]

    @property
    def masked_name(self) -> str:
        return mask_name(self.wisher_name)


class WishClaim(models.Model):
    """One claimer's hold on a wish: from the claim to its release, or on to fulfilment.

    The claimer is a member of staff acting for one of his units (`unit`: a department,
    a community, a street, the office). Partner units (共建单位) and volunteer teams will
    claim through the same row, each as one more nullable "on behalf of" column.
    """

    wish = models.ForeignKey(Wish, on_delete=models.CASCADE, related_name="claims")
    claimer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("认领人"),
        on_delete=models.PROTECT,
        related_name="wish_claims",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("认领单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="wish_claims",
    )
    # A partner unit (共建单位) the claim is made for; its paired community records it.
    partner = models.ForeignKey(
        "volunteers.PartnerUnit",
        verbose_name=_("共建单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="wish_claims",
    )
    claimed_at = models.DateTimeField(_("认领时间"))
    promised_date = models.DateField(_("承诺完成日期"))
    # Set once by the overdue scan when the promised date passed before fulfilment.
    overdue_at = models.DateTimeField(_("逾期时间"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    fulfilment_note = models.TextField(_("完成情况"), blank=True)
    released_at = models.DateTimeField(_("放弃时间"), null=True, blank=True)
    release_reason = models.CharField(_("放弃原因"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("心愿认领")
        verbose_name_plural = _("心愿认领")
        ordering = ["-claimed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["wish"], condition=Q(released_at__isnull=True), name="one_live_claim"
            )
        ]

    def __str__(self):
        return f"{self.wish} · {self.claimer}"

    @property
    def live(self) -> bool:
        return self.released_at is None


class WishPhoto(models.Model):
    class Stage(models.TextChoices):
        WISH = "wish", _("心愿照片")
        FULFILMENT = "fulfilment", _("完成照片")

    wish = models.ForeignKey(Wish, on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(max_length=15, choices=Stage.choices)
    image = models.ImageField(upload_to="wishes/%Y/%m/")
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("心愿照片")
        verbose_name_plural = _("心愿照片")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return f"{self.wish} {self.get_stage_display()}"


class WishEvent(models.Model):
    """One step in a wish's life: who, for which unit, when, from which status to which."""

    wish = models.ForeignKey(Wish, on_delete=models.CASCADE, related_name="events")
    claim = models.ForeignKey(
        WishClaim, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    code = models.CharField(max_length=50)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("心愿记录")
        verbose_name_plural = _("心愿记录")
        ordering = ["at", "pk"]

    def __str__(self):
        return self.code


# ---------------------------------------------------------------------------------------
# The service menu (精准服务事项定制单)
#
# The office keeps the district's menu and each community its own extra services; a
# household orders from it (on a visit, by phone through staff, or on the residents'
# pages), and each order is a task for the providing unit with a deadline in working
# days. A recurring service (a monthly care visit for 困难户) is ordered for every tagged
# household once a period by the scheduler; the database holds "once" with a constraint.


class ServicePlace(models.TextChoices):
    HOME = "home", _("上门服务")
    WINDOW = "window", _("窗口办理")


class ServiceRecurrence(models.TextChoices):
    NONE = "", _("按需点单")
    MONTHLY = "monthly", _("每月一次")
    QUARTERLY = "quarterly", _("每季度一次")


class Service(models.Model):
    """One line of the menu. `community` empty: the district's menu, kept by the office;
    set: that community's own line, kept by its staff, for its households only.

    `tags` empty: any household may order it; otherwise only a household with an active
    resident carrying one of them (上门退休认证 for 高龄, 残疾, 重病)."""

    name = models.CharField(_("服务名称"), max_length=60)
    description = models.TextField(_("服务内容"), blank=True)
    provider = models.ForeignKey(
        Unit, verbose_name=_("服务单位"), on_delete=models.PROTECT, related_name="services"
    )
    community = models.ForeignKey(
        Unit,
        verbose_name=_("所属社区（空为全区）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="community_services",
        limit_choices_to={"kind": Unit.Kind.COMMUNITY},
    )
    place = models.CharField(
        _("服务方式"), max_length=10, choices=ServicePlace.choices, default=ServicePlace.HOME
    )
    working_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"))
    tags = models.ManyToManyField(
        "registry.Tag", verbose_name=_("限定人群标签"), blank=True, related_name="services"
    )
    recurrence = models.CharField(
        _("定期服务"), max_length=10, choices=ServiceRecurrence.choices, blank=True, default=""
    )
    active = models.BooleanField(_("在用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("服务事项")
        verbose_name_plural = _("服务事项")
        ordering = ["sort_order", "name", "pk"]

    def __str__(self):
        return self.name


class OrderStatus(models.TextChoices):
    ORDERED = "ordered", _("待受理")
    ACCEPTED = "accepted", _("办理中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


OPEN_ORDER = (OrderStatus.ORDERED, OrderStatus.ACCEPTED)


class OrderChannel(models.TextChoices):
    VISIT = "visit", _("走访点单")
    PHONE = "phone", _("电话点单")
    PORTAL = "portal", _("群众端点单")
    SCHEDULED = "scheduled", _("定期服务")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class ServiceOrder(models.Model):
    """A household's order of one service: a task for the providing unit (copied from the
    service when ordered, so that a later change of provider leaves running tasks where
    they are), due at `deadline`.

    `period` is set for the orders the scheduler makes ("2026-12", "2026-Q4"): one per
    service, household and period, which a partial unique constraint holds whatever runs
    at once. `run` tells a scheduler run the orders it inserted itself."""

    service = models.ForeignKey(
        Service, verbose_name=_("服务事项"), on_delete=models.PROTECT, related_name="orders"
    )
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("住户"),
        on_delete=models.PROTECT,
        related_name="service_orders",
    )
    provider = models.ForeignKey(
        Unit, verbose_name=_("服务单位"), on_delete=models.PROTECT, related_name="service_orders"
    )
    channel = models.CharField(_("点单方式"), max_length=10, choices=OrderChannel.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.ORDERED
    )
    request_note = models.CharField(_("需求说明"), max_length=500, blank=True)
    ordered_at = models.DateTimeField(_("点单时间"))
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("点单人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    deadline = models.DateTimeField(_("办理期限"))
    period = models.CharField(_("服务周期"), max_length=10, blank=True, default="")
    run = models.CharField(max_length=32, blank=True, default="", editable=False)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_note = models.CharField(_("办理情况"), max_length=500, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=500, blank=True)
    # Set once by the overdue scan when the deadline passed before the order was done.
    overdue_at = models.DateTimeField(_("逾期时间"), null=True, blank=True)
    rating = models.CharField(_("评价"), max_length=12, choices=Rating.choices, blank=True)
    rating_note = models.CharField(_("评价意见"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    rated_via = models.CharField(_("评价方式"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("服务订单")
        verbose_name_plural = _("服务订单")
        ordering = ["deadline", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "household", "period"],
                condition=~Q(period=""),
                name="one_order_per_service_period",
            )
        ]
        indexes = [
            models.Index(fields=["provider", "status", "deadline"], name="order_provider_queue"),
            models.Index(fields=["status", "deadline"], name="order_status_deadline"),
        ]

    def __str__(self):
        return f"{self.service} · {self.household_id}"

    @property
    def open(self) -> bool:
        return self.status in OPEN_ORDER

    @property
    def number(self) -> str:
        return f"FW{self.pk:06d}"


class ServiceEvent(models.Model):
    """One step of a service (created, edited, retired) or of an order (ordered, accepted,
    done, cancelled, rated, overdue): who, for which unit, when."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="events")
    order = models.ForeignKey(
        ServiceOrder, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    code = models.CharField(max_length=50)
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
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering = ["at", "pk"]

    def __str__(self):
        return self.code
