"""Users and what they are in which unit."""

from collections.abc import Iterable
from typing import TypeAlias

from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianxin.orgs.models import Unit


class Role(models.TextChoices):
    RESIDENT = "resident", _("居民")
    GRID_WORKER = "grid_worker", _("网格员")
    COMMUNITY_STAFF = "community_staff", _("社区工作人员")
    STREET_STAFF = "street_staff", _("街道工作人员")
    DEPT_HANDLER = "dept_handler", _("部门经办人")
    DEPT_HEAD = "dept_head", _("部门负责人")
    DISPATCHER = "dispatcher", _("办公室派单员")
    LEADER = "leader", _("区领导")
    ADMIN = "admin", _("系统管理员")


# The kind of unit each role is held in; a role in any other kind of unit is refused.
ROLE_UNIT_KINDS = {
    Role.RESIDENT: tuple(Unit.Kind),
    Role.GRID_WORKER: (Unit.Kind.GRID,),
    Role.COMMUNITY_STAFF: (Unit.Kind.COMMUNITY,),
    Role.STREET_STAFF: (Unit.Kind.STREET,),
    Role.DEPT_HANDLER: (Unit.Kind.DEPARTMENT,),
    Role.DEPT_HEAD: (Unit.Kind.DEPARTMENT,),
    Role.DISPATCHER: (Unit.Kind.OFFICE,),
    Role.LEADER: (Unit.Kind.LEADERSHIP,),
    Role.ADMIN: tuple(Unit.Kind),
}

STAFF_ROLES = frozenset(Role) - {Role.RESIDENT}


class User(AbstractUser):
    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True, db_index=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.UniqueConstraint(
                fields=["phone"], condition=~models.Q(phone=""), name="unique_user_phone"
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.username


def holds_staff_role(user: User) -> bool:
    """Whether `user` works for the district: an admin-site user or any role but resident."""
    return user.is_staff or user.memberships.exclude(role=Role.RESIDENT).exists()


# Who acts: a user, a visitor of the public pages, or nobody (a job, an import).
Actor: TypeAlias = User | AnonymousUser | None


class Membership(models.Model):
    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="unique_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.get_role_display()}"

    def clean(self) -> None:
        if self.unit_id and self.unit.kind not in ROLE_UNIT_KINDS[Role(self.role)]:
            raise ValidationError(
                {
                    "role": _("“%(role)s”不能设在%(kind)s类单位。")
                    % {"role": self.get_role_display(), "kind": self.unit.get_kind_display()}
                }
            )


class Disclosure(models.Model):
    """One view of a resident's unmasked personal data: who saw what of which record, when.

    Personal-information law (PIPL) asks that access to personal data be accountable; the
    office reads this log. Lists that show data masked are not logged, only unmasked views.
    """

    class Subject(models.TextChoices):
        CASE = "case", _("诉求")
        HOUSEHOLD = "household", _("住户")
        WISH = "wish", _("微心愿")
        HAZARD_PLACE = "hazard_place", _("隐患排查对象")

    user = models.ForeignKey(
        User, verbose_name=_("查看人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), db_index=True)
    subject = models.CharField(_("对象类型"), max_length=20, choices=Subject.choices)
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    # Which data were shown unmasked, e.g. "phone" or "phone,id_number".
    fields = models.CharField(_("内容"), max_length=100)
    # Where: the page or export that showed it.
    place = models.CharField(_("位置"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = _("个人信息查看记录")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["subject", "object_id"], name="disclosure_subject")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_subject_display()} {self.object_id}"


def record_disclosures(
    user: User, subject: str, object_ids: Iterable[int], fields: str, place: str = ""
) -> None:
    """Log that `user` saw `fields` of these records unmasked (one row per record)."""
    at = timezone.now()
    Disclosure.objects.bulk_create(
        Disclosure(
            user=user, at=at, subject=subject, object_id=pk, fields=fields, place=place[:200]
        )
        for pk in object_ids
    )


class TotpDevice(models.Model):
    """A user's authenticator app: the shared secret of its time-based codes (RFC 6238).

    `last_step` is the 30-second step of the last code accepted: a code is good once, so
    one read over a shoulder or from a screen recording cannot be replayed."""

    user = models.OneToOneField(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="totp_device"
    )
    secret = models.CharField(max_length=64)  # base32, as the app was given it
    created_at = models.DateTimeField(_("启用时间"))
    last_step = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("两步验证设备")
        verbose_name_plural = _("两步验证设备")

    def __str__(self) -> str:
        return str(self.user)


class RecoveryCode(models.Model):
    """A one-use code that stands in for the app when the phone is lost; only its keyed
    hash is kept (the codes carry 50 random bits, so a fast keyed hash suffices)."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("备用验证码")
        verbose_name_plural = _("备用验证码")
        constraints = [
            models.UniqueConstraint(fields=["user", "code_hash"], name="unique_recovery_code")
        ]

    def __str__(self) -> str:
        return str(self.user)
