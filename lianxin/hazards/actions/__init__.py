"""Every change to places, campaigns, inspections and hazards goes through one of these.

Each takes the acting user as `actor` (None for the party behind a signed link, which
the page proved: `via_link`), checks his right against `lianxin.hazards.rules`, writes
the change and a `HazardEvent` in one transaction, and returns what it changed.
"""

from lianxin.hazards.actions.campaigns import (
    do_add_campaign_places,
    do_create_campaign,
    do_save_place,
)
from lianxin.hazards.actions.inspections import (
    do_add_hazard,
    do_record_self_check,
    do_score_item,
    do_start_inspection,
    do_submit_inspection,
)
from lianxin.hazards.actions.notices import (
    do_issue_notice,
    do_record_overdue_notices,
    do_refer_hazard,
    do_reinspect,
    do_report_fix,
)

__all__ = [
    "do_add_campaign_places",
    "do_add_hazard",
    "do_create_campaign",
    "do_issue_notice",
    "do_record_overdue_notices",
    "do_record_self_check",
    "do_refer_hazard",
    "do_reinspect",
    "do_report_fix",
    "do_save_place",
    "do_score_item",
    "do_start_inspection",
    "do_submit_inspection",
]
