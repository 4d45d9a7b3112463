"""What a refused form keeps: the values the person typed, put back where they were."""

from django import template

register = template.Library()


@register.filter
def kept_for(kept, action: str) -> dict:
    """The refused post's values when `action` is the form that was refused, else nothing.

    A key gives the last value (a text box, a single choice); `key + "_all"` gives them all
    (a multiple choice), as strings: compare them with `pk|stringformat:"s"`.
    """
    if not kept or kept.get("action") != action:
        return {}
    return kept["values"]
