"""Password rules: Django's four validators, with messages a resident can read.

Django's zh-hans catalogue has no Chinese for the minimum-length message (a plural form
missing), and its similarity message names the field with spaces around it; these two
say it in our words. The common-password and all-digits checks are Django's own, whose
Chinese messages read well (`这个密码太常见了。`, `密码只包含数字。`).
"""

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                _("密码至少需要%(min_length)d位。"),
                code="password_too_short",
                params={"min_length": self.min_length},
            )

    def get_help_text(self) -> str:
        return _("密码至少需要%(min_length)d位。") % {"min_length": self.min_length}


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    """The password may not resemble the user's phone, name or user name."""

    def validate(self, password: str, user: Any = None) -> None:
        try:
            super().validate(password, user)
        except ValidationError as error:
            name = error.params.get("verbose_name", "") if error.params else ""
            raise ValidationError(
                _("密码与%(field)s太相似，请换一个。"),
                code="password_too_similar",
                params={"field": name},
            ) from None

    def get_help_text(self) -> str:
        return _("密码不能与手机号、姓名或用户名相似。")
