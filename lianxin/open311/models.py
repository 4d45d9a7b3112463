"""Partners that file cases through Open311, and what they told us beyond the case itself."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lianxin.cases.models import Case, CaseEvent, Category, Channel


class Partner(models.Model):
    """An app or platform holding an API key. It acts through its own system user (`user`):
    see `lianxin.open311.partners` for why that user is what it is."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    channel = models.CharField(
        _("来源渠道"),
        max_length=20,
        choices=Channel.choices,
        default=Channel.PARTNER,
        help_text=_("该合作方提交的诉求记入哪个来源渠道。"),
    )
    all_categories = models.BooleanField(_("可提交全部分类"), default=False)
    categories = models.ManyToManyField(
        Category,
        verbose_name=_("可提交的分类"),
        blank=True,
        related_name="+",
        limit_choices_to={"parent__isnull": False},
    )
    active = models.BooleanField(_("启用"), default=True)
    contact = models.CharField(_("联系人及电话"), max_length=200, blank=True)
    # Only a SHA-256 of the key is kept; the key is shown once, when it is made.
    key_prefix = models.CharField(_("密钥前缀"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("系统账号"),
        on_delete=models.PROTECT,
        related_name="open311_partner",
        editable=False,
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 合作方")
        verbose_name_plural = _("Open311 合作方")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        from lianxin.open311.partners import partner_by_digest

        super().save(*args, **kwargs)
        partner_by_digest.clear()  # this process at once; the others within its minute

    def may_file(self, category: Category) -> bool:
        if self.all_categories:
            return True
        return self.categories.filter(pk=category.pk).exists()


class PartnerRequest(models.Model):
    """A case a partner filed, with the partner's own identifiers; never shown publicly
    except `media_url`."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="requests")
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="open311_request")
    external_id = models.CharField(_("合作方编号"), max_length=100, blank=True)
    device_id = models.CharField(_("设备编号"), max_length=100, blank=True)
    account_id = models.CharField(_("合作方账号"), max_length=100, blank=True)
    email = models.CharField(_("电子邮箱"), max_length=254, blank=True)
    media_url = models.CharField(_("图片链接"), max_length=500, blank=True)
    attributes = models.JSONField(_("附加属性"), default=dict, blank=True)
    received_at = models.DateTimeField(_("接收时间"))

    class Meta:
        verbose_name = _("合作方提交的诉求")
        verbose_name_plural = _("合作方提交的诉求")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "external_id"],
                condition=~Q(external_id=""),
                name="open311_one_case_per_external_id",
            )
        ]

    def __str__(self):
        return f"{self.partner} {self.case.tracking_number}"


class PartnerUpdate(models.Model):
    """An update a partner sent (mySociety's POST servicerequestupdates), recorded on the
    case as a note; the partner's own update id makes a retried POST harmless."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="updates")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField(_("合作方更新编号"), max_length=100)
    event = models.OneToOneField(CaseEvent, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("合作方所报状态"), max_length=40, blank=True)
    updated_at = models.DateTimeField(_("合作方更新时间"), null=True, blank=True)
    received_at = models.DateTimeField(_("接收时间"))

    class Meta:
        verbose_name = _("合作方更新")
        verbose_name_plural = _("合作方更新")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "external_id"], name="open311_one_event_per_update_id"
            )
        ]

    def __str__(self):
        return f"{self.partner} {self.external_id}"
