from lianxin.cases.access import standing_of


def staff_nav(request):
    """What the top bar offers: the office and the leaders have pages other staff do not.
    The standing is cached on the user, so the page's own views pay no second query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    standing = standing_of(user)
    return {"nav_office": standing.office, "nav_leader": standing.leader}
