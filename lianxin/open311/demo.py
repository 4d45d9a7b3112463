"""The demo district's Open311 partner, with a published key."""

DEMO_KEY = "demo-open311-key"  # noqa: S105  (the demo's published key)


def create_demo_partner():
    from lianxin.open311.partners import create_partner

    partner, _key = create_partner("演示合作方（随手拍App）", key=DEMO_KEY, all_categories=True)
    return partner
