"""Form pieces every screen shares: the date picker and the staff layout's form.

They sit on the ground floor (they import no app) so that the read side's filter forms
and the screens' forms can both use them.
"""

from typing import Any

from django import forms


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
