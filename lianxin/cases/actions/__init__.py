"""The workflow: every change to a case goes through one of these functions.

Each takes the acting user as `actor`, checks his right and the case's state
against `lianxin.cases.rules`, writes the change and an event row in one
transaction under a row lock, and announces the event after the commit.
"""

from lianxin.cases.actions.handling import (
    do_accept_part,
    do_add_note,
    do_approve_return,
    do_check_in_part,
    do_decide_extension,
    do_finish_part,
    do_mark_constrained,
    do_record_return_visit,
    do_record_unreached_call,
    do_refuse_return,
    do_reply_case,
    do_request_extension,
    do_resolve_case,
    do_resume_case,
    do_return_part,
    do_review_constrained,
    do_verify_case,
)
from lianxin.cases.actions.intake import (
    do_assign_leader,
    do_blow_whistle,
    do_claim_case,
    do_dispatch_case,
    do_escalate_case,
    do_instruct_case,
    do_merge_case,
    do_offer_case_for_claim,
    do_register_case,
    do_split_case,
    do_void_case,
    do_withdraw_case,
)
from lianxin.cases.actions.overdue import do_record_overdue_cases
from lianxin.cases.actions.recognition import (
    do_mark_exemplary,
    do_set_photo_public,
    do_unmark_exemplary,
)
from lianxin.cases.actions.support import do_link_cases, do_support_case
from lianxin.cases.rules import WorkflowError

__all__ = [
    "WorkflowError",
    "do_accept_part",
    "do_add_note",
    "do_approve_return",
    "do_assign_leader",
    "do_blow_whistle",
    "do_check_in_part",
    "do_claim_case",
    "do_decide_extension",
    "do_dispatch_case",
    "do_escalate_case",
    "do_finish_part",
    "do_instruct_case",
    "do_link_cases",
    "do_mark_constrained",
    "do_mark_exemplary",
    "do_merge_case",
    "do_offer_case_for_claim",
    "do_record_overdue_cases",
    "do_record_return_visit",
    "do_record_unreached_call",
    "do_refuse_return",
    "do_register_case",
    "do_reply_case",
    "do_request_extension",
    "do_resolve_case",
    "do_resume_case",
    "do_return_part",
    "do_review_constrained",
    "do_split_case",
    "do_set_photo_public",
    "do_unmark_exemplary",
    "do_support_case",
    "do_verify_case",
    "do_void_case",
    "do_withdraw_case",
]
