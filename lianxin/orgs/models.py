"""The organisation tree (district → street → community → grid) and the units beside it."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from lianxin.cache import memo


class UnitQuerySet(models.QuerySet["Unit"]):
    def handling(self) -> "UnitQuerySet":
        """Units a case (or a part of one) can be given to."""
        return self.filter(kind__in=Unit.HANDLING_KINDS, active=True)


class Unit(models.Model):
    class Kind(models.TextChoices):
        DISTRICT = "district", _("区")
        STREET = "street", _("街道/镇")
        COMMUNITY = "community", _("社区/村")
        GRID = "grid", _("网格")
        DEPARTMENT = "department", _("职能部门")
        OFFICE = "office", _("连心服务办公室")
        LEADERSHIP = "leadership", _("区领导")

    HANDLING_KINDS = (Kind.DEPARTMENT, Kind.STREET, Kind.COMMUNITY, Kind.GRID)
    # Which kind may sit under which: the tree is district → street → community → grid,
    # and departments, the office and the leadership hang from the district.
    PARENT_KIND: dict[str, str] = {
        Kind.STREET: Kind.DISTRICT,
        Kind.COMMUNITY: Kind.STREET,
        Kind.GRID: Kind.COMMUNITY,
        Kind.DEPARTMENT: Kind.DISTRICT,
        Kind.OFFICE: Kind.DISTRICT,
        Kind.LEADERSHIP: Kind.DISTRICT,
    }

    name = models.CharField(_("名称"), max_length=100)
    code = models.SlugField(_("编码"), max_length=40, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    active = models.BooleanField(_("启用"), default=True)
    # A department that is a public service company (water, power, gas, heating): the
    # figures rank these among themselves, not among the government's departments.
    public_enterprise = models.BooleanField(
        _("公共企业"),
        default=False,
        help_text=_("供水、供电、燃气、热力等公共服务企业：考核时与职能部门分开排名。"),
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    # Where a place unit is, for the map: a centre point and, for grids and
    # communities, an outline (a GeoJSON Polygon or MultiPolygon), all in WGS-84.
    latitude = models.DecimalField(
        _("纬度（WGS-84）"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("经度（WGS-84）"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    boundary = models.JSONField(_("边界（GeoJSON，WGS-84）"), null=True, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["kind", "sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        expected = self.PARENT_KIND.get(self.kind)
        if expected is None:
            if self.parent_id:
                raise ValidationError({"parent": _("区是组织树的根，不能有上级。")})
            return
        if not self.parent or self.parent.kind != expected:
            raise ValidationError(
                {
                    "parent": _("%(kind)s的上级必须是%(parent)s。")
                    % {"kind": self.get_kind_display(), "parent": self.Kind(expected).label}
                }
            )


WEIGHT_FIELDS = (
    "weight_response",
    "weight_reply_on_time",
    "weight_resolve_on_time",
    "weight_resolution",
    "weight_satisfaction",
)


class DistrictSettings(models.Model):
    """Limits a district sets for itself; one row, edited in the admin."""

    class Counting(models.TextChoices):
        WORKING_DAYS = "working", _("工作日")
        CALENDAR_DAYS = "calendar", _("自然日")

    reply_limit_days = models.PositiveSmallIntegerField(
        _("答复时限（天）"), default=7, help_text=_("登记后多少天内须向群众答复。")
    )
    reply_limit_counting = models.CharField(
        _("答复时限计算方式"),
        max_length=10,
        choices=Counting.choices,
        default=Counting.WORKING_DAYS,
    )
    due_soon_working_days = models.PositiveSmallIntegerField(
        _("临期提醒（工作日）"), default=2, help_text=_("离期限不足多少个工作日时标为临期。")
    )
    constrained_review_working_days = models.PositiveSmallIntegerField(
        _("疑难受限复查周期（工作日）"), default=30
    )
    default_resolution_working_days = models.PositiveSmallIntegerField(
        _("默认办结时限（工作日）"), default=15, help_text=_("分类未设办结时限时使用。")
    )
    response_limit_working_days = models.PositiveSmallIntegerField(
        _("响应时限（工作日）"),
        default=1,
        help_text=_("派单后多少个工作日内接单算及时响应（响应率）。"),
    )
    urgent_visit_working_days = models.PositiveSmallIntegerField(
        _("及时访时限（工作日）"),
        default=2,
        help_text=_("发起及时访后多少个工作日内须入户走访。"),
    )
    # PIPL: only what the work needs. A district that must record identity numbers (for
    # subsidies checked against another register, say) turns this on; they are then kept
    # encrypted and shown masked (lianxin.registry.idnumbers).
    id_numbers_enabled = models.BooleanField(
        _("登记身份证号"),
        default=False,
        help_text=_("开启后，住户成员可登记身份证号（加密保存，默认打码显示）。"),
    )
    ranking_min_cases = models.PositiveSmallIntegerField(
        _("排名最少件数"),
        default=5,
        help_text=_("期内件数少于此数的单位不参加排名，免得一两件就排到榜首。"),
    )
    two_factor_required = models.BooleanField(
        _("管理员和办公室须两步验证登录"),
        default=False,
        help_text=_(
            "开启后，系统管理员和办公室派单员登录时除密码外还须输入手机验证器应用中的动态码。"
        ),
    )
    # The weights of the rates in a unit's assessment score, in percent (figures.metrics
    # SCORE_WEIGHTS). `weight_resolution` is the 解决率's, as its label says.
    weight_response = models.PositiveSmallIntegerField(_("考核权重：响应率（%）"), default=10)
    weight_reply_on_time = models.PositiveSmallIntegerField(
        _("考核权重：按期答复率（%）"), default=15
    )
    weight_resolve_on_time = models.PositiveSmallIntegerField(
        _("考核权重：按期办结率（%）"), default=15
    )
    weight_resolution = models.PositiveSmallIntegerField(_("考核权重：解决率（%）"), default=30)
    weight_satisfaction = models.PositiveSmallIntegerField(_("考核权重：满意率（%）"), default=30)

    class Meta:
        verbose_name = _("区级设置")
        verbose_name_plural = _("区级设置")

    def __str__(self) -> str:
        return str(_("区级设置"))

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pk = 1
        super().save(*args, **kwargs)
        _load_settings.clear()

    def clean(self) -> None:
        weights = sum(getattr(self, name) for name in WEIGHT_FIELDS)
        if weights != 100:
            raise ValidationError(
                _("各项考核权重之和须为100%%，现在是%(sum)s%%。") % {"sum": weights}
            )

    @classmethod
    def load(cls) -> "DistrictSettings":
        """The district's settings, read at most once a minute per process: every
        registration needs them, and they change a few times a year."""
        return _load_settings()


@memo(60)
def _load_settings() -> DistrictSettings:
    obj, _created = DistrictSettings.objects.get_or_create(pk=1)
    return obj
