"""Form pieces every screen shares: the date picker and the staff layout's form.

They sit on the ground floor (they import no app) so that the read side's filter forms
and the screens' forms can both use them.
"""

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

# C0 controls but tab and line breaks, DEL and C1 controls: no one types them into a
# filter, and NUL makes PostgreSQL refuse the query.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
CONTROL_MESSAGE = _("含有空字符等不可见的控制字符，请重新输入。")


class DayInput(forms.DateInput):
    """A browser date picker. It reads and writes only ISO dates (2026-11-01), whatever the
    locale's own date format (zh-hans renders 2026/11/01, which the picker ignores)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class StaffForm(forms.Form):
    """A form whose labels carry no trailing ASCII colon (the layout sets them apart)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ControlFreeMixin:
    """Refuse a value with control characters in any field with one Chinese message,
    in place of Django's several (one of which echoes the NUL back into the page)."""

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        form: forms.Form = self  # type: ignore[assignment]
        if not form.is_bound:
            return
        for name in form.fields:
            key = form.add_prefix(name)
            getlist = getattr(form.data, "getlist", None)
            values = getlist(key) if getlist else [form.data.get(key)]
            if any(isinstance(v, str) and _CONTROLS.search(v) for v in values):
                form.errors.pop(name, None)  # Django's own message for the same value
                form.add_error(name, forms.ValidationError(CONTROL_MESSAGE))


def add_workflow_error(form: forms.Form, error: Any, fields: dict[str, str]) -> None:
    """Put a refused action's reason on the form: beside the field its code names in
    `fields` (e.g. "note_required" → "note"), else above the form."""
    field = fields.get(error.code)
    form.add_error(field if field in form.fields else None, str(error.message))
