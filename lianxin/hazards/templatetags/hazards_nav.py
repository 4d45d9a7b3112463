from django import template

from lianxin.hazards.access import sees_hazards

register = template.Library()


@register.filter
def may_see_hazards(user) -> bool:
    """For the top bar's link: the standing is memoised on the user, so no query here."""
    return bool(user and user.is_authenticated and sees_hazards(user))
