"""Showing a figure: a rate as a percentage, a missing value as a dash."""

from django import template

register = template.Library()


@register.filter
def percent(value):
    """72.456 → "72.5%"; None (nothing to divide) → "—"."""
    if value is None:
        return "—"
    return f"{value:.1f}%"


@register.filter
def score(value):
    return "—" if value is None else f"{value:.1f}"


@register.filter
def days(value):
    return "—" if value is None else value
