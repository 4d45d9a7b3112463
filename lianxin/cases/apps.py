from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "lianxin.cases"
    verbose_name = _("诉求办理")

    def ready(self) -> None:
        from lianxin.cases import checks  # noqa: F401  (registers the deploy check)
