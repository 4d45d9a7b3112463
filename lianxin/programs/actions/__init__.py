"""Every change to the programmes goes through one of these functions.

Each takes the acting user as `actor`, checks his right against `lianxin.programs.rules`,
writes the change and an event in one transaction, and returns what it changed.
"""

from lianxin.programs.actions.services import (
    do_accept_order,
    do_cancel_order,
    do_complete_order,
    do_order_service,
    do_rate_order,
    do_record_overdue_orders,
    do_retire_service,
    do_save_service,
    do_schedule_recurring_orders,
)
from lianxin.programs.actions.wishes import (
    do_claim_wish,
    do_confirm_wish,
    do_decline_wish,
    do_dispute_wish,
    do_fulfil_wish,
    do_post_wish,
    do_publish_wish,
    do_record_overdue_claims,
    do_release_wish_claim,
    do_request_wish_change,
    do_revise_wish,
)

__all__ = [
    "do_accept_order",
    "do_cancel_order",
    "do_claim_wish",
    "do_complete_order",
    "do_confirm_wish",
    "do_decline_wish",
    "do_dispute_wish",
    "do_fulfil_wish",
    "do_order_service",
    "do_post_wish",
    "do_publish_wish",
    "do_rate_order",
    "do_record_overdue_claims",
    "do_record_overdue_orders",
    "do_release_wish_claim",
    "do_request_wish_change",
    "do_retire_service",
    "do_revise_wish",
    "do_save_service",
    "do_schedule_recurring_orders",
]
