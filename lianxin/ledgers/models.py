"""Jobs: a ledger too large to stream while the user waits is written by an export job;
an uploaded list is imported by an import job, which keeps the fate of each row."""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _

from lianxin.jobs import Progress


def export_storage() -> FileSystemStorage:
    """Finished exports live outside MEDIA_ROOT: only their owner may fetch them, through
    the download view, never at a guessable public address."""
    return FileSystemStorage(location=Path(settings.DATA_DIR) / "exports")


class ExportJob(Progress, models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("导出中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    class Format(models.TextChoices):
        XLSX = "xlsx", "Excel (.xlsx)"
        CSV = "csv", "CSV"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.CASCADE,
        related_name="export_jobs",
    )
    kind = models.CharField(_("台账"), max_length=40)
    format = models.CharField(_("格式"), max_length=5, choices=Format.choices)
    # The query of the page the ledger mirrors, as {name: [values]}.
    params = models.JSONField(_("筛选条件"), default=dict, blank=True)
    title = models.CharField(_("名称"), max_length=100, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    rows_done = models.PositiveIntegerField(_("已导出行数"), default=0)
    rows_total = models.PositiveIntegerField(_("总行数"), null=True, blank=True)
    file = models.FileField(_("文件"), storage=export_storage, upload_to="%Y/%m/", blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="exportjob_owner_created")]

    def __str__(self):
        return f"{self.title or self.kind} ({self.get_status_display()})"


def import_storage() -> FileSystemStorage:
    """Uploaded lists carry residents' names and phones: kept outside MEDIA_ROOT, read only
    by the job that imports them, and removed with the job."""
    return FileSystemStorage(location=Path(settings.DATA_DIR) / "imports")


class ImportJob(Progress, models.Model):
    """The import of one uploaded forwarded list: its progress, and the fate of each row in
    `rows`. Rows are committed in chunks together with the checkpoint (`last_row`), so a
    job that stops keeps what it imported and continues after the checkpoint."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("导入中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("中断")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        on_delete=models.CASCADE,
        related_name="import_jobs",
    )
    name = models.CharField(_("文件名"), max_length=200, blank=True)
    file = models.FileField(_("文件"), storage=import_storage, upload_to="%Y/%m/", blank=True)
    # SHA-256 of the file: the same list uploaded again while it is importing joins that job.
    digest = models.CharField(_("文件摘要"), max_length=64)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已处理行数"), default=0)
    # The sheet's row number up to which every row is imported and reported (committed).
    last_row = models.PositiveIntegerField(_("已处理至第几行"), default=0)
    created_count = models.PositiveIntegerField(_("新登记"), default=0)
    duplicate_count = models.PositiveIntegerField(_("已导入过"), default=0)
    error_count = models.PositiveIntegerField(_("有误"), default=0)
    error = models.TextField(_("中断原因"), blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    progressed_at = models.DateTimeField(_("最近进展"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="importjob_owner_created"),
            models.Index(fields=["digest"], name="importjob_digest"),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_status_display()})"


class ImportRow(models.Model):
    """One data row of an imported list and what became of it."""

    class Outcome(models.TextChoices):
        CREATED = "created", _("新登记")
        DUPLICATE = "duplicate", _("已导入过，跳过")
        ERROR = "error", _("有误，未导入")

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    row = models.PositiveIntegerField(_("行号"))
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices)
    title = models.CharField(_("标题"), max_length=100, blank=True)
    message = models.TextField(_("说明"), blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("诉求"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("导入行")
        verbose_name_plural = _("导入行")
        ordering = ["job", "row"]
        constraints = [
            models.UniqueConstraint(fields=["job", "row"], name="importrow_once_per_job")
        ]
        indexes = [models.Index(fields=["job", "outcome", "row"], name="importrow_job_outcome")]

    def __str__(self):
        return f"{self.job_id}:{self.row} {self.outcome}"
