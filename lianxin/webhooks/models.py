"""Webhook subscriptions, one delivery per (subscription, event), and each attempt's outcome."""

import secrets
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lianxin.cases.timeline import EVENT_LABELS


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Subscription(models.Model):
    """A partner's endpoint and the case events it wants, signed with its own secret."""

    name = models.CharField(_("名称"), max_length=100)
    url = models.URLField(_("推送地址"), max_length=500)
    secret = models.CharField(
        _("签名密钥"),
        max_length=100,
        default=new_secret,
        help_text=_("对方用此密钥校验 X-Lianxin-Signature（HMAC-SHA256）。"),
    )
    events = models.JSONField(_("订阅的事件"), default=list, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("事件推送订阅")
        verbose_name_plural = _("事件推送订阅")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        unknown = [code for code in self.events or [] if code not in EVENT_LABELS]
        if unknown:
            raise ValidationError(
                {"events": _("未知的事件：%(codes)s。") % {"codes": ", ".join(unknown)}}
            )
        if not self.events:
            raise ValidationError({"events": _("请至少选择一种事件。")})

    def wants(self, code: str) -> bool:
        return code in (self.events or [])


class Delivery(models.Model):
    """One body for one endpoint, sent until it is accepted or the attempts run out.

    The body is fixed when the delivery is made, so every retry sends the same bytes with
    the same signature and the same delivery id, by which the receiver drops repeats.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待推送")
        SENDING = "sending", _("推送中")
        DELIVERED = "delivered", _("已送达")
        FAILED = "failed", _("推送失败")

    TEST_CODE = "webhooks.test"

    delivery_id = models.UUIDField(_("推送编号"), default=uuid.uuid4, unique=True, editable=False)
    subscription = models.ForeignKey(
        Subscription, verbose_name=_("订阅"), on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(
        "cases.CaseEvent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # the unique constraint's index serves it
    )
    event_code = models.CharField(_("事件"), max_length=50)
    body = models.TextField(_("推送内容"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("最近响应码"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("推送记录")
        verbose_name_plural = _("推送记录")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "subscription"],
                condition=Q(event__isnull=False),
                name="one_delivery_per_event",
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_unfinished",
                condition=Q(status__in=["pending", "sending"]),
            ),
            models.Index(fields=["subscription", "created_at"], name="delivery_subscription"),
        ]

    def __str__(self):
        return f"{self.subscription} · {self.event_code}"


class Attempt(models.Model):
    """One POST: when, the answer's status code (or the error), and how long it took."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts_made")
    at = models.DateTimeField(_("时间"))
    status_code = models.PositiveSmallIntegerField(_("响应码"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"))
    error = models.TextField(_("错误"), blank=True)
    response_excerpt = models.CharField(_("响应摘录"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("推送尝试")
        verbose_name_plural = _("推送尝试")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error[:40]}"
