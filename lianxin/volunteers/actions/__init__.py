"""Every change to teams, activities, report-ins and partner units goes through one of
these functions: each takes the acting user as `actor`, checks his right against
`lianxin.volunteers.rules`, and writes the change and a `VolunteerEvent` in one transaction.
"""

from lianxin.volunteers.actions.common import Saved
from lianxin.volunteers.actions.partners import do_save_partner
from lianxin.volunteers.actions.reportins import do_assign, do_finish_assignment, do_save_report_in
from lianxin.volunteers.actions.teams import (
    do_record_activity,
    do_remove_member,
    do_save_member,
    do_save_team,
)

__all__ = [
    "Saved",
    "do_assign",
    "do_finish_assignment",
    "do_record_activity",
    "do_remove_member",
    "do_save_member",
    "do_save_partner",
    "do_save_report_in",
    "do_save_team",
]
