from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.utils.translation import gettext_lazy as _


class FiguresConfig(AppConfig):
    name = "lianxin.figures"
    verbose_name = _("统计分析")

    def ready(self):
        # Every save of a case writes what it changes in the figures' tally, in the same
        # transaction (Case.save opens one), whichever action or import made it.
        from lianxin.cases.models import Case
        from lianxin.figures import tally

        pre_save.connect(tally.before_save, sender=Case, dispatch_uid="tally-before-save")
        post_save.connect(tally.after_save, sender=Case, dispatch_uid="tally-after-save")
        pre_delete.connect(tally.before_delete, sender=Case, dispatch_uid="tally-before-delete")
        post_delete.connect(tally.after_delete, sender=Case, dispatch_uid="tally-after-delete")
