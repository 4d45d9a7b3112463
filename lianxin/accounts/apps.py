from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "lianxin.accounts"
    verbose_name = _("账号与岗位")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from lianxin.accounts.middleware import on_sign_in

        user_logged_in.connect(on_sign_in, dispatch_uid="lianxin.accounts.on_sign_in")
