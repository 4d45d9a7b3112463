"""Users and what they are in which unit."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
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

    def __str__(self):
        return self.full_name or self.username


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

    def __str__(self):
        return f"{self.user} · {self.unit} · {self.get_role_display()}"

    def clean(self):
        if self.unit_id and self.unit.kind not in ROLE_UNIT_KINDS[Role(self.role)]:
            raise ValidationError(
                {
                    "role": _("“%(role)s”不能设在%(kind)s类单位。")
                    % {"role": self.get_role_display(), "kind": self.unit.get_kind_display()}
                }
            )
