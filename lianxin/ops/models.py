from django.db import models
from django.utils.translation import gettext_lazy as _


class JobFailure(models.Model):
    """How many times each job has failed, counted by the consumers in the database so that
    /metrics on any web host sees every consumer's failures (lianxin/ops/metrics.py)."""

    task = models.CharField(_("任务"), max_length=200, unique=True)
    failures = models.PositiveBigIntegerField(_("失败次数"), default=0)
    last_failed_at = models.DateTimeField(_("最近失败时间"))

    class Meta:
        verbose_name = _("后台任务失败计数")
        verbose_name_plural = _("后台任务失败计数")

    def __str__(self) -> str:
        return f"{self.task}: {self.failures}"
