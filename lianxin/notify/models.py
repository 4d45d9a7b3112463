"""Message templates administrators edit, and the log of every message sent or tried."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lianxin.cases.models import mask_phone
from lianxin.notify.kinds import KIND_CHOICES, validate_text


class Channel(models.TextChoices):
    SMS = "sms", _("短信")


class MessageTemplate(models.Model):
    """The text of one kind of message; placeholders such as {tracking_number} are filled in."""

    code = models.CharField(_("通知类型"), max_length=40, choices=KIND_CHOICES)
    channel = models.CharField(
        _("渠道"), max_length=10, choices=Channel.choices, default=Channel.SMS
    )
    text = models.TextField(_("模板内容"))
    active = models.BooleanField(_("启用"), default=True, help_text=_("停用后不再发送此类通知。"))
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("通知模板")
        verbose_name_plural = _("通知模板")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["code", "channel"], name="one_template_per_kind")
        ]

    def __str__(self):
        return f"{self.get_code_display()}（{self.get_channel_display()}）"

    def save(self, *args, **kwargs):
        # Code paths other than the admin form are held to the same placeholders.
        validate_text(self.code, self.text)
        super().save(*args, **kwargs)

    def clean(self):
        validate_text(self.code, self.text)


class Message(models.Model):
    """One message to one phone: queued by a job, sent by a job, retried with back-off."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    kind = models.CharField(_("通知类型"), max_length=40, choices=KIND_CHOICES)
    channel = models.CharField(
        _("渠道"), max_length=10, choices=Channel.choices, default=Channel.SMS
    )
    phone = models.CharField(_("手机号"), max_length=20)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("诉求"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    event = models.ForeignKey(
        "cases.CaseEvent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    text = models.TextField(_("内容"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    provider_id = models.CharField(_("网关消息编号"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    # What makes a message the same message: the event (or the day's reminder), the kind
    # and the recipient. A fan-out job run twice queues nothing twice.
    dedupe_key = models.CharField(max_length=120, unique=True)

    class Meta:
        verbose_name = _("短信记录")
        verbose_name_plural = _("短信记录")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="message_unfinished",
                condition=Q(status__in=["pending", "sending"]),
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {mask_phone(self.phone)}"


class PhoneCode(models.Model):
    """A one-time code sent to a phone, proving the one who typed the number holds it.

    Only a keyed hash of the code is kept (a six-digit code's plain hash is reversed by
    trying a million values); it expires, and allows a few wrong tries."""

    phone = models.CharField(_("手机号"), max_length=20)
    code_hash = models.CharField(max_length=64)
    # The signed-in resident who asked, so that his account's phone counts as verified.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(_("发送时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    verified_at = models.DateTimeField(_("验证时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("手机验证码")
        verbose_name_plural = _("手机验证码")
        indexes = [models.Index(fields=["phone", "created_at"], name="phonecode_phone_at")]

    def __str__(self):
        return f"{mask_phone(self.phone)} {self.created_at:%Y-%m-%d %H:%M}"
