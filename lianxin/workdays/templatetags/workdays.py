from django import template

from lianxin.workdays.days import years_without_official_calendar

register = template.Library()


@register.simple_tag
def years_without_calendar() -> list[int]:
    return years_without_official_calendar()
