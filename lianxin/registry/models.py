"""The registers (四库一平台): places, households and residents, shops, cadres and their
pairs (联户组), attachments (包联), and the visit rounds that walk them.

Rows here are written only by the actions in `actions.py`; reads go through `access.py`.
Each household is matched by its normalised address within its community
(`Household.address_key`), which is what makes an import idempotent.
"""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _

from lianxin.jobs import Progress
from lianxin.orgs.models import Unit


class Tag(models.Model):
    """A label on a resident that the district keeps (五老, 低保, 独居, …), edited in the admin.

    Tags are personal data: a page shows them only to those who may see the household.
    """

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    # 五老 groups its five tags under one heading in lists and filters.
    group = models.CharField(_("分组"), max_length=30, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("人员标签")
        verbose_name_plural = _("人员标签")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class Zone(models.Model):
    """A 片区: several grids that one department is attached to (包联)."""

    name = models.CharField(_("名称"), max_length=60)
    street = models.ForeignKey(
        Unit,
        verbose_name=_("街道/镇"),
        on_delete=models.PROTECT,
        related_name="zones",
        limit_choices_to={"kind": Unit.Kind.STREET},
    )
    grids = models.ManyToManyField(
        Unit,
        verbose_name=_("网格"),
        related_name="zones_of_grid",
        limit_choices_to={"kind": Unit.Kind.GRID},
    )

    class Meta:
        verbose_name = _("片区")
        verbose_name_plural = _("片区")
        ordering = ["street", "name"]
        constraints = [models.UniqueConstraint(fields=["street", "name"], name="unique_zone_name")]

    def __str__(self):
        return self.name


class Building(models.Model):
    """A building (楼栋) in a grid, or in a village one of its groups (组)."""

    class Kind(models.TextChoices):
        BUILDING = "building", _("楼栋")
        VILLAGE_GROUP = "village_group", _("村民小组")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.BUILDING)
    community = models.ForeignKey(
        Unit, verbose_name=_("社区/村"), on_delete=models.PROTECT, related_name="buildings"
    )
    grid = models.ForeignKey(
        Unit,
        verbose_name=_("网格"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="buildings_of_grid",
    )
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200)
    address_key = models.CharField(_("地址索引"), max_length=200, editable=False)
    floors = models.PositiveSmallIntegerField(_("层数"), null=True, blank=True)
    entrances = models.PositiveSmallIntegerField(_("单元数"), null=True, blank=True)
    # As the building's own record says; the register's own count is a query.
    declared_households = models.PositiveIntegerField(_("登记户数"), null=True, blank=True)
    latitude = models.DecimalField(
        _("纬度（WGS-84）"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("经度（WGS-84）"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        ordering = ["community", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "address_key"], name="unique_building_address"
            )
        ]

    def __str__(self):
        return self.name


class Household(models.Model):
    class Kind(models.TextChoices):
        URBAN = "urban", _("城镇")
        VILLAGE = "village", _("农村")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.URBAN)
    community = models.ForeignKey(
        Unit, verbose_name=_("社区/村"), on_delete=models.PROTECT, related_name="households"
    )
    grid = models.ForeignKey(
        Unit,
        verbose_name=_("网格"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="households_of_grid",
    )
    building = models.ForeignKey(
        Building,
        verbose_name=_("楼栋/村民小组"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="households",
    )
    address = models.CharField(_("地址"), max_length=200)
    # Normalised (full-width to half-width, spaces and punctuation out, 号楼/单元/室 in one
    # spelling): the household's identity within its community.
    address_key = models.CharField(_("地址索引"), max_length=200, editable=False)
    # Urban: entrance (单元) and room (室); village: group (组) and house number (号).
    entrance = models.CharField(_("单元/组"), max_length=20, blank=True)
    room = models.CharField(_("室/门牌号"), max_length=20, blank=True)
    head_name = models.CharField(_("户主"), max_length=50)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    member_count = models.PositiveSmallIntegerField(_("人口"), default=1)
    pair = models.ForeignKey(
        "Pair",
        verbose_name=_("联户组"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="households",
    )
    note = models.TextField(_("备注"), blank=True)
    # A household that moved away stays, with its history, but leaves the worklists.
    active = models.BooleanField(_("在册"), default=True)
    created_at = models.DateTimeField(_("建档时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("住户")
        verbose_name_plural = _("住户")
        ordering = ["community", "address_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "address_key"], name="unique_household_address"
            )
        ]
        indexes = [
            models.Index(fields=["pair", "active"], name="household_pair"),
            models.Index(fields=["grid", "active"], name="household_grid"),
        ]

    def __str__(self):
        return f"{self.address}（{self.head_name}）"


class Resident(models.Model):
    """A person in a household (not a login; a resident with an account is a User)."""

    class Relation(models.TextChoices):
        HEAD = "head", _("户主")
        SPOUSE = "spouse", _("配偶")
        CHILD = "child", _("子女")
        PARENT = "parent", _("父母")
        GRANDCHILD = "grandchild", _("孙辈")
        SIBLING = "sibling", _("兄弟姐妹")
        OTHER = "other", _("其他")

    household = models.ForeignKey(
        Household, verbose_name=_("住户"), on_delete=models.CASCADE, related_name="residents"
    )
    name = models.CharField(_("姓名"), max_length=50)
    relation = models.CharField(
        _("与户主关系"), max_length=20, choices=Relation.choices, default=Relation.OTHER
    )
    birth_year = models.PositiveSmallIntegerField(_("出生年份"), null=True, blank=True)
    phone = models.CharField(_("电话"), max_length=20, blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("标签"), blank=True, related_name="residents")
    # Only when the district turns the field on (DistrictSettings), and then encrypted at
    # rest; never shown unmasked in a list.
    id_number_encrypted = models.TextField(_("身份证号（加密）"), blank=True, editable=False)
    active = models.BooleanField(_("在册"), default=True)

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        ordering = ["household", "pk"]

    def __str__(self):
        return self.name


class Shop(models.Model):
    community = models.ForeignKey(
        Unit, verbose_name=_("社区/村"), on_delete=models.PROTECT, related_name="shops"
    )
    grid = models.ForeignKey(
        Unit,
        verbose_name=_("网格"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shops_of_grid",
    )
    building = models.ForeignKey(
        Building, null=True, blank=True, on_delete=models.SET_NULL, related_name="shops"
    )
    name = models.CharField(_("店名"), max_length=100)
    operator = models.CharField(_("经营者"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    trade = models.CharField(_("行业"), max_length=50, blank=True)
    address = models.CharField(_("地址"), max_length=200)
    address_key = models.CharField(_("地址索引"), max_length=200, editable=False)
    active = models.BooleanField(_("在册"), default=True)

    class Meta:
        verbose_name = _("商铺")
        verbose_name_plural = _("商铺")
        ordering = ["community", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "address_key", "name"], name="unique_shop")
        ]

    def __str__(self):
        return self.name


class Cadre(models.Model):
    """A cadre who visits households: a user, or a person without a login."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cadre",
    )
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    employer = models.ForeignKey(
        Unit, verbose_name=_("工作单位"), on_delete=models.PROTECT, related_name="cadres"
    )
    party_member = models.BooleanField(_("党员"), default=False)
    local = models.BooleanField(_("本地人"), default=True)
    # 老带新: a cadre with years of work among residents leads one who has just started.
    experienced = models.BooleanField(_("有群众工作经验"), default=False)
    active = models.BooleanField(_("在岗"), default=True)

    class Meta:
        verbose_name = _("联户干部")
        verbose_name_plural = _("联户干部")
        ordering = ["employer", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["phone"], condition=~models.Q(phone=""), name="unique_cadre_phone"
            )
        ]

    def __str__(self):
        return self.name


class Pair(models.Model):
    """A 联户组: two cadres who answer for a fixed list of households (定组定户)."""

    code = models.SlugField(_("编号"), max_length=40, unique=True)
    community = models.ForeignKey(
        Unit, verbose_name=_("社区/村"), on_delete=models.PROTECT, related_name="pairs"
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("联户组")
        verbose_name_plural = _("联户组")
        ordering = ["community", "code"]

    def __str__(self):
        return self.code


class PairMember(models.Model):
    """A cadre's time in a pair; a cadre who moves on gets `until`, and the pair keeps its
    households and its history."""

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="memberships")
    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="pair_memberships")
    since = models.DateField(_("起"))
    until = models.DateField(_("止"), null=True, blank=True)

    class Meta:
        verbose_name = _("联户组成员")
        verbose_name_plural = _("联户组成员")
        ordering = ["pair", "since", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cadre"],
                condition=models.Q(until__isnull=True),
                name="one_current_pair_per_cadre",
            )
        ]

    def __str__(self):
        return f"{self.pair} · {self.cadre}"


class Attachment(models.Model):
    """包联: who answers for an area's coverage.

    A leader to a street or town, a department to a 片区, a street officer to a grid.
    """

    class Kind(models.TextChoices):
        LEADER_STREET = "leader_street", _("领导包联街镇")
        DEPARTMENT_ZONE = "department_zone", _("部门包联片区")
        OFFICER_GRID = "officer_grid", _("街道干部包联网格")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("包联人"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    department = models.ForeignKey(
        Unit,
        verbose_name=_("包联部门"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments_of_department",
    )
    area = models.ForeignKey(
        Unit,
        verbose_name=_("包联街镇/网格"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments_of_area",
    )
    zone = models.ForeignKey(
        Zone,
        verbose_name=_("包联片区"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )

    class Meta:
        verbose_name = _("包联关系")
        verbose_name_plural = _("包联关系")

    def __str__(self):
        return f"{self.user or self.department} → {self.zone or self.area}"


class Round(models.Model):
    """A round of door-to-door visits (第N轮大走访)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("筹备中")
        OPEN = "open", _("进行中")
        CLOSED = "closed", _("已结束")

    number = models.PositiveSmallIntegerField(_("轮次"), unique=True)
    title = models.CharField(_("名称"), max_length=100)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default="draft")
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    materials = models.TextField(_("发放材料"), blank=True)
    # 重点访: households with one of these tags are due within this many working days of
    # the round's start.
    priority_tags = models.ManyToManyField(
        Tag, verbose_name=_("重点访标签"), blank=True, related_name="+"
    )
    priority_working_days = models.PositiveSmallIntegerField(_("重点访时限（工作日）"), default=5)
    opened_at = models.DateTimeField(_("启动时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("走访轮次")
        verbose_name_plural = _("走访轮次")
        ordering = ["-number"]

    def __str__(self):
        return self.title


class Question(models.Model):
    """A question of a round's questionnaire."""

    class Kind(models.TextChoices):
        YES_NO = "yes_no", _("是/否")
        CHOICE = "choice", _("单选")
        TEXT = "text", _("文字")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("序号"))
    text = models.CharField(_("问题"), max_length=200)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    choices = models.JSONField(_("选项"), default=list, blank=True)
    required = models.BooleanField(_("必答"), default=False)

    class Meta:
        verbose_name = _("问卷问题")
        verbose_name_plural = _("问卷问题")
        ordering = ["round", "position"]
        constraints = [
            models.UniqueConstraint(fields=["round", "position"], name="unique_question_position")
        ]

    def __str__(self):
        return self.text


class VisitDue(models.Model):
    """A visit a household must have by a deadline: 重点访 in a round, or 及时访 after an
    event. It is done when a visit to the household is recorded before or after the
    deadline (late counts as done, but not on time)."""

    class Kind(models.TextChoices):
        PRIORITY = "priority", _("重点访")
        URGENT = "urgent", _("及时访")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="visits_due")
    round = models.ForeignKey(
        Round, null=True, blank=True, on_delete=models.CASCADE, related_name="visits_due"
    )
    reason = models.CharField(_("事由"), max_length=200, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(_("发起时间"))
    due_at = models.DateTimeField(_("应访时限"))
    # A foreign key, not one-to-one: one visit fulfils every due the household has open
    # (a 重点访 and a 及时访 raised in the same week are both done by the one call).
    visit = models.ForeignKey(
        "Visit", null=True, blank=True, on_delete=models.SET_NULL, related_name="fulfils"
    )
    # Set by the overdue scan, once.
    overdue_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("应访任务")
        verbose_name_plural = _("应访任务")
        indexes = [models.Index(fields=["visit", "due_at"], name="visitdue_open_due")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.household}"


class Visit(models.Model):
    class Method(models.TextChoices):
        IN_PERSON = "in_person", _("入户")
        PHONE = "phone", _("电话")
        WECHAT = "wechat", _("微信")

    round = models.ForeignKey(
        Round, null=True, blank=True, on_delete=models.PROTECT, related_name="visits"
    )
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="visits")
    pair = models.ForeignKey(
        Pair, null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    visited_at = models.DateTimeField(_("走访时间"))
    method = models.CharField(_("方式"), max_length=10, choices=Method.choices)
    met = models.BooleanField(_("见到本人"), default=True)
    answers = models.JSONField(_("问卷回答"), default=dict, blank=True)
    note = models.TextField(_("走访记录"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("录入时间"))
    # The phone's own id for the form, so that a form sent twice (offline, then again)
    # records one visit.
    client_key = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_at", "-pk"]
        indexes = [models.Index(fields=["round", "household"], name="visit_round_household")]
        constraints = [
            models.UniqueConstraint(
                fields=["client_key"], condition=~models.Q(client_key=""), name="unique_visit_key"
            )
        ]

    def __str__(self):
        return f"{self.household} · {self.visited_at:%Y-%m-%d}"


class HeardCase(models.Model):
    """A case registered from what a household said: at a visit, or on its behalf.

    The link lives here, not on Case, because the registers build on cases and not the
    other way round.
    """

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="heard_from")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="heard_cases")
    visit = models.ForeignKey(
        Visit, null=True, blank=True, on_delete=models.SET_NULL, related_name="heard_cases"
    )

    class Meta:
        verbose_name = _("走访意见")
        verbose_name_plural = _("走访意见")

    def __str__(self):
        return f"{self.household} → {self.case_id}"


class HouseholdCorrection(models.Model):
    """A change to a household's data that a visit proposed and the community decides on."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待审核")
        APPROVED = "approved", _("已采纳")
        REJECTED = "rejected", _("未采纳")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="corrections")
    visit = models.ForeignKey(
        Visit, null=True, blank=True, on_delete=models.SET_NULL, related_name="corrections"
    )
    # {field: [old, new]} as proposed; approving applies the new values.
    changes = models.JSONField(_("变更内容"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default="proposed")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("理由"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("信息更正")
        verbose_name_plural = _("信息更正")
        ordering = ["-proposed_at"]

    def __str__(self):
        return f"{self.household} · {self.get_status_display()}"


class RegistryEvent(models.Model):
    """One change to the registers: who, when, a dotted code
    (`registry.household.updated`) and what changed; a household's history."""

    code = models.CharField(max_length=50)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    pair = models.ForeignKey(
        Pair, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("台账变更记录")
        verbose_name_plural = _("台账变更记录")
        ordering = ["at", "pk"]

    def __str__(self):
        return self.code


class CoverageTally(models.Model):
    """Coverage counts kept as the registers change, so that the coverage page adds up a
    few thousand rows instead of grouping every household and visit of a round.

    A row counts for one cell: a round (None: the households row, which every round
    shares) and a household's own community, grid, pair and building. The rows of a
    cell are summed when read (two writers may each insert a cell's first row), so no
    row is unique. Kept by `lianxin.registry.coverage_tally`, which the registry's
    actions call in the transaction of each write; see docs/registry.md.
    """

    round = models.ForeignKey(
        Round, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # No database constraints: the cell is what the household held, and a row is only a
    # number; `lianxin registry tally check` finds any row that no longer adds up.
    community = models.ForeignKey(
        Unit, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    grid = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    pair = models.ForeignKey(
        Pair,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    building = models.ForeignKey(
        Building,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    households = models.IntegerField(default=0)
    visited = models.IntegerField(default=0)
    met = models.IntegerField(default=0)
    dues = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("走访覆盖计数")
        verbose_name_plural = _("走访覆盖计数")
        indexes = [
            models.Index(
                fields=["round", "community", "grid", "pair", "building"],
                name="coverage_tally_cell",
            )
        ]

    def __str__(self):
        return f"{self.round_id} · {self.community_id}/{self.grid_id}/{self.pair_id}"


def import_storage() -> FileSystemStorage:
    """Uploaded lists carry residents' names and phones: kept outside MEDIA_ROOT, read only
    by the job that imports them, and removed with the job."""
    return FileSystemStorage(location=Path(settings.DATA_DIR) / "imports" / "registry")


class RegistryImportJob(Progress, models.Model):
    """The import of one uploaded register list as a background job: its progress, its
    counts, and the refused rows (`rows`). The list's units (a row, or a household's rows)
    are committed in chunks together with the checkpoint (`units_done`), so a job that
    stops keeps what it imported and continues after the checkpoint."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("导入中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("中断")

    class Kind(models.TextChoices):
        HOUSEHOLDS = "households", _("住户")
        BUILDINGS = "buildings", _("楼栋")
        SHOPS = "shops", _("商铺")
        CADRES = "cadres", _("联户干部")
        PAIRS = "pairs", _("联户组")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        on_delete=models.CASCADE,
        related_name="registry_import_jobs",
    )
    kind = models.CharField(_("导入内容"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("文件名"), max_length=200, blank=True)
    file = models.FileField(_("文件"), storage=import_storage, upload_to="%Y/%m/", blank=True)
    # SHA-256 of the file: the same list uploaded again while it is importing joins that job.
    digest = models.CharField(_("文件摘要"), max_length=64)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已处理行数"), default=0)
    # How many of the list's units (see `registry.imports.units_of`) are committed.
    units_done = models.PositiveIntegerField(_("已处理单元数"), default=0)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    unchanged_count = models.PositiveIntegerField(_("无变化"), default=0)
    error_count = models.PositiveIntegerField(_("有误"), default=0)
    error = models.TextField(_("中断原因"), blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    progressed_at = models.DateTimeField(_("最近进展"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("台账导入任务")
        verbose_name_plural = _("台账导入任务")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="registryimport_owner"),
            models.Index(fields=["digest"], name="registryimport_digest"),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_status_display()})"

    def summary(self) -> dict:
        """The same counts the command prints."""
        return {
            "rows": self.rows_done,
            "created": self.created_count,
            "updated": self.updated_count,
            "unchanged": self.unchanged_count,
            "errors": self.error_count,
        }


class RegistryImportRow(models.Model):
    """A refused row of an import job and why (rows that went in are only counted: a
    200,000-row list would otherwise write as many report rows as households)."""

    job = models.ForeignKey(RegistryImportJob, on_delete=models.CASCADE, related_name="rows")
    row = models.PositiveIntegerField(_("行号"))
    label = models.CharField(_("内容"), max_length=200, blank=True)
    message = models.TextField(_("原因"))

    class Meta:
        verbose_name = _("导入有误的行")
        verbose_name_plural = _("导入有误的行")
        ordering = ["job", "row"]
        constraints = [
            models.UniqueConstraint(fields=["job", "row"], name="registryimportrow_once")
        ]

    def __str__(self):
        return f"{self.job_id}:{self.row}"
