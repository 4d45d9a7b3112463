from django.db import models
from django.utils.translation import gettext_lazy as _


class DayOverride(models.Model):
    """A day an administrator declares a holiday or a working day.

    It takes precedence over the chinese-calendar package: for a year the
    package does not know yet, these rows are the only holidays there are.
    """

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(
        _("是否工作日"), help_text=_("勾选表示这一天上班（如调休补班），不勾选表示放假。")
    )
    name = models.CharField(_("说明"), max_length=50, help_text=_("如：国庆节、春节调休补班"))

    class Meta:
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整")
        ordering = ["-date"]

    def __str__(self) -> str:
        kind = _("上班") if self.is_working_day else _("放假")
        return f"{self.date:%Y-%m-%d} {self.name}（{kind}）"
