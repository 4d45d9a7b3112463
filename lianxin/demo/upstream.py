"""The demo's city-platform (upstream) settings: filled in, so the admin page shows what one
sets, and switched off, so the demo never talks to a city platform."""

from django.contrib.auth.hashers import make_password

from lianxin.accounts.models import Membership, Role, User
from lianxin.cases.models import Category
from lianxin.orgs.models import Unit
from lianxin.upstream.models import ServiceMapping, UpstreamSettings

# A placeholder: nothing listens there. Switched on, the pull fails, is logged and
# backs off; a real platform's address goes here (docs/upstream.md).
ENDPOINT = "http://127.0.0.1:8311/open311/v2/"
ACTOR_USERNAME = "city-12345"
# Example service codes of a city 12345 system, and the demo category each becomes.
MAPPINGS = [
    ("DEMO-LD01", "路灯不亮（示例）", "street_lights"),
    ("DEMO-GS01", "停水（示例）", "water_supply"),
    ("DEMO-ZS01", "噪声扰民（示例）", "noise"),
]


def create_demo_upstream(office: Unit, categories: dict[str, Category]) -> UpstreamSettings:
    """Write the settings row, the integration account and a few service mappings."""
    # The account in whose name city orders are registered: an office dispatcher nobody
    # logs in as (no password, no phone to text).
    actor = User(
        username=ACTOR_USERNAME, full_name="市级平台对接账号", password=make_password(None)
    )
    actor.save()
    Membership.objects.create(user=actor, unit=office, role=Role.DISPATCHER)
    config = UpstreamSettings(
        name="演示用市级平台（示例地址，未启用）",
        enabled=False,
        base_url=ENDPOINT,
        jurisdiction_id="demo.lianxin",
        api_key="demo-upstream-key",
        actor=actor,
        # City 12345 systems mostly take their points from 高德 maps.
        coordinate_datum="gcj02",
    )
    config.full_clean()  # the checks the admin page makes, so a newcomer can switch it on
    config.save()
    ServiceMapping.objects.bulk_create(
        ServiceMapping(
            settings=config, service_code=code, service_name=name, category=categories[c]
        )
        for code, name, c in MAPPINGS
    )
    return config
