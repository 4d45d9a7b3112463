from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    name = "lianxin.workdays"
    verbose_name = _("工作日历")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from lianxin.workdays import checks  # noqa: F401  (registers the system check)
        from lianxin.workdays.days import overrides
        from lianxin.workdays.models import DayOverride

        for signal in (post_save, post_delete):
            signal.connect(overrides.clear, sender=DayOverride, weak=False)
