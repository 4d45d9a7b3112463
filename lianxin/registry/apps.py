from django.apps import AppConfig
from django.db.models.signals import post_save, pre_save
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "lianxin.registry"
    verbose_name = _("四库台账")

    def ready(self):
        # A round is created and its dates edited in the admin, not by an action: the
        # 及时访 its dates take in or leave out follow it into the coverage tally.
        from lianxin.registry import coverage_tally
        from lianxin.registry.models import Round

        pre_save.connect(
            coverage_tally.before_round_save, sender=Round, dispatch_uid="coverage-round-before"
        )
        post_save.connect(
            coverage_tally.after_round_save, sender=Round, dispatch_uid="coverage-round-after"
        )
