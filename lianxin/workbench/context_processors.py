from lianxin.cases.access import standing_of


def staff_nav(request):
    """What the top bar offers: the office and the leaders have pages other staff do not.
    The standing is cached on the user, so the page's own views pay no second query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    standing = standing_of(user)
    # The registers: staff with an area, a department or the whole district (a cadre
    # without a staff role reaches his households from the visit pages).
    registry = standing.sees_whole_district or standing.area_unit_ids or standing.department_ids
    return {
        "nav_office": standing.office,
        "nav_disclosures": standing.office or standing.admin,
        "nav_leader": standing.leader,
        "nav_registry": bool(registry),
        # Practical projects: the district's readers, and a unit once it has a project.
        "nav_projects": standing.staff,
    }
