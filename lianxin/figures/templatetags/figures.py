"""Showing a figure: a rate as a percentage, a missing value as a dash."""

import functools

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

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


@register.filter
def figure_cell(cell):
    """One figure of a table with the links to its cases: a rate as "72.5% 29/40", a
    duration as "median / p90", a count as its number. Built here as plain text rather
    than by an included template or format_html: the dashboard shows a thousand of them.
    The links come from urlencode (only & needs escaping), the rest are numbers and the
    titles are escaped once."""
    kind, num_url = cell["kind"], _attr(cell.get("num_url") or "")
    if kind == "rate":
        num_title, den_title = _titles(get_language())
        return mark_safe(  # noqa: S308  (numbers, escaped links and titles)
            f'<a href="{num_url}" title="{num_title}">{percent(cell["value"])}</a> '
            f'<small class="frac"><a href="{num_url}">{int(cell["numerator"])}</a>/'
            f'<a href="{_attr(cell["den_url"])}" title="{den_title}">'
            f"{int(cell['denominator'] or 0)}</a></small>"
        )
    if kind == "duration":
        n = int(cell["numerator"])
        title = escape(ngettext("按 %(n)s 件计算", "按 %(n)s 件计算", n) % {"n": n})
        return mark_safe(  # noqa: S308
            f'<a href="{num_url}" title="{title}">'
            f"{escape(days(cell['median']))} / {escape(days(cell['p90']))}</a>"
        )
    return mark_safe(f'<a href="{num_url}">{int(cell["numerator"])}</a>')  # noqa: S308


@register.filter
def figure_cells(cells):
    """A table row's figures, each in its numeric cell: one filter call a row, not a
    template loop a figure."""
    return mark_safe("".join(f'<td class="num">{figure_cell(cell)}</td>' for cell in cells))  # noqa: S308


def _attr(url: str) -> str:
    return escape(url)


@functools.lru_cache(maxsize=8)
def _titles(language: str | None) -> tuple[str, str]:
    return escape(_("分子：查看这些诉求")), escape(_("分母：查看这些诉求"))
