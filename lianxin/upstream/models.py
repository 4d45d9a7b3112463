"""The exchange with the city platform: its settings, the orders taken from it, the pushes owed.

Nothing here changes a case: pulled orders become cases and notes through
`lianxin.cases.actions`, and pushes read case events, never write them.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lianxin import retry
from lianxin.cases.models import Case, CaseEvent, Category


class UpstreamSettings(models.Model):
    """Which upstream GeoReport v2 endpoint we exchange with, and how the exchange stands.

    A singleton (pk 1). The first block is what an administrator edits; the second is the
    pull's own bookkeeping, shown read-only in the admin.
    """

    name = models.CharField(_("平台名称"), max_length=100, default="", blank=True)
    enabled = models.BooleanField(
        _("启用对接"), default=False, help_text=_("关闭后既不拉取工单，也不回传进度。")
    )
    base_url = models.URLField(
        _("接口地址"),
        blank=True,
        help_text=_("GeoReport v2 接口的根地址，例如 https://12345.example.gov.cn/open311/v2/"),
    )
    jurisdiction_id = models.CharField(_("辖区标识（jurisdiction_id）"), max_length=100, blank=True)
    api_key = models.CharField(_("API密钥"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("对接账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("以此账号的名义登记市级工单、记录市级平台的变更；须是连心服务办公室的派单员。"),
    )
    poll_minutes = models.PositiveSmallIntegerField(_("轮询间隔（分钟）"), default=5)
    # City 12345 systems often send points from 高德 (GCJ-02) or 百度 (BD-09) maps;
    # cases store WGS-84, so the pull converts them (lianxin.geo.points.parse_point).
    coordinate_datum = models.CharField(
        _("工单坐标系"),
        max_length=10,
        choices=[
            ("wgs84", "WGS-84"),
            ("gcj02", _("GCJ-02（高德、腾讯）")),
            ("bd09", _("BD-09（百度）")),
        ],
        default="wgs84",
        help_text=_("市级平台工单里经纬度所用的坐标系；入库前统一转换为WGS-84。"),
    )
    default_category = models.ForeignKey(
        Category,
        verbose_name=_("默认分类"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("市级服务类型未配置对应分类时使用；留空则不设分类，由办公室分拣派单。"),
    )
    connect_timeout = models.FloatField(_("连接超时（秒）"), default=5)
    read_timeout = models.FloatField(_("读取超时（秒）"), default=20)
    retry_cap_minutes = models.PositiveSmallIntegerField(
        _("重试间隔上限（分钟）"),
        default=60,
        help_text=_("失败后按30秒、1分钟、2分钟……加倍重试，最长间隔不超过此值。"),
    )

    # The pull's bookkeeping.
    pull_cursor = models.DateTimeField(
        _("已拉取至"), null=True, blank=True, help_text=_("上次成功拉取的截止时间。")
    )
    last_pull_at = models.DateTimeField(_("上次拉取时间"), null=True, blank=True)
    last_pull_ok_at = models.DateTimeField(_("上次成功拉取时间"), null=True, blank=True)
    pull_failures = models.PositiveIntegerField(_("连续失败次数"), default=0)
    last_pull_error = models.TextField(_("最近一次错误"), blank=True)
    # A lease, so that two job consumers never pull at the same time.
    pull_lease_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("市级平台对接设置")
        verbose_name_plural = _("市级平台对接设置")

    def __str__(self):
        return self.name or str(_("市级平台对接设置"))

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    def clean(self):
        from lianxin.cases.access import standing_of

        if self.enabled and not self.base_url:
            raise ValidationError({"base_url": _("启用对接前请填写接口地址。")})
        if self.enabled and self.actor_id is None:
            raise ValidationError({"actor": _("启用对接前请选择对接账号。")})
        if self.actor_id is not None and not standing_of(self.actor).office:
            raise ValidationError({"actor": _("对接账号须是连心服务办公室的派单员。")})
        if self.poll_minutes < 1:
            raise ValidationError({"poll_minutes": _("轮询间隔至少为1分钟。")})
        if self.connect_timeout <= 0 or self.read_timeout <= 0:
            raise ValidationError(_("超时时间须大于0秒。"))

    @classmethod
    def load(cls) -> "UpstreamSettings":
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj

    @property
    def timeouts(self) -> tuple[float, float]:
        return (self.connect_timeout, self.read_timeout)

    def backoff(self, failures: int) -> dt.timedelta:
        """How long to wait after the `failures`-th failure in a row: 30 s doubling, capped."""
        cap = 60 * max(1, self.retry_cap_minutes)
        return dt.timedelta(seconds=retry.Backoff(first=30, cap=cap).delay(failures))

    def next_pull_at(self) -> dt.datetime | None:
        """When the pull is next due: the polling interval, or the back-off after failures."""
        if self.last_pull_at is None:
            return None
        wait = dt.timedelta(minutes=max(1, self.poll_minutes))
        return self.last_pull_at + max(wait, self.backoff(self.pull_failures))


class ServiceMapping(models.Model):
    """An upstream service_code and the category its orders get here."""

    settings = models.ForeignKey(
        UpstreamSettings, on_delete=models.CASCADE, related_name="mappings", default=1
    )
    service_code = models.CharField(_("市级服务类型编码（service_code）"), max_length=100)
    service_name = models.CharField(_("市级服务类型名称"), max_length=100, blank=True)
    category = models.ForeignKey(
        Category, verbose_name=_("对应分类"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("服务类型对应")
        verbose_name_plural = _("服务类型对应")
        ordering = ["service_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["settings", "service_code"], name="upstream_unique_service_code"
            )
        ]

    def __str__(self):
        return f"{self.service_code} → {self.category}"


class UpstreamOrder(models.Model):
    """A work order taken from the city platform, the case it became, and what we last saw."""

    upstream_id = models.CharField(_("市级工单号"), max_length=100, unique=True)
    # Empty only while the order could not be registered (see `import_error`).
    case = models.OneToOneField(
        Case,
        verbose_name=_("诉求案件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="upstream_order",
    )
    service_code = models.CharField(_("服务类型编码"), max_length=100, blank=True)
    upstream_status = models.CharField(_("市级状态"), max_length=20, blank=True)
    description = models.TextField(_("市级诉求内容"), blank=True)
    address = models.CharField(_("市级地址"), max_length=250, blank=True)
    status_notes = models.TextField(_("市级状态说明"), blank=True)
    requested_at = models.DateTimeField(_("市级受理时间"), null=True, blank=True)
    upstream_updated_at = models.DateTimeField(_("市级更新时间"), null=True, blank=True)
    first_seen_at = models.DateTimeField(_("首次拉取时间"), auto_now_add=True)
    checked_at = models.DateTimeField(_("最近同步变更时间"), null=True, blank=True)
    # Refreshed on every pull until both sides are done with it.
    watching = models.BooleanField(_("跟踪中"), default=True)
    import_error = models.TextField(_("登记失败原因"), blank=True)
    attention = models.TextField(
        _("需人工处理"), blank=True, help_text=_("市级平台的变更无法按流程自动处理时记在这里。")
    )

    class Meta:
        verbose_name = _("市级工单")
        verbose_name_plural = _("市级工单")
        ordering = ["-first_seen_at"]
        indexes = [
            models.Index(
                fields=["upstream_id"], name="upstream_order_watching", condition=Q(watching=True)
            )
        ]

    def __str__(self):
        return self.upstream_id


class PushState(models.TextChoices):
    PENDING = "pending", _("待回传")
    SENT = "sent", _("已回传")
    SKIPPED = "skipped", _("无需回传")


class UpstreamPush(models.Model):
    """The outbox: one row per case event owed to the city platform.

    The payload is fixed when the row is written, so that a resend is the same request
    with the same `update_id` (our event id), which upstream can use to drop a duplicate.
    """

    order = models.ForeignKey(
        UpstreamOrder, verbose_name=_("市级工单"), on_delete=models.CASCADE, related_name="pushes"
    )
    event = models.OneToOneField(
        CaseEvent,
        verbose_name=_("办理记录"),
        on_delete=models.CASCADE,
        related_name="upstream_push",
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=PushState.choices, default=PushState.PENDING
    )
    payload = models.JSONField(_("回传内容"), default=dict)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"))
    last_error = models.TextField(_("最近一次错误"), blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("最近响应码"), null=True, blank=True)
    remote_update_id = models.CharField(_("市级更新编号"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("回传时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("进度回传")
        verbose_name_plural = _("进度回传")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="upstream_push_due",
                condition=Q(state="pending"),
            )
        ]

    def __str__(self):
        return f"{self.order} #{self.event_id} ({self.get_state_display()})"
