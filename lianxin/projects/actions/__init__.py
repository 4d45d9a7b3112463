"""Every change to the practical projects goes through one of these functions.

Each takes the acting user as `actor`, checks his right against `lianxin.projects.rules`,
writes the change and an event in one transaction, and returns what it changed.
"""

from lianxin.projects.actions.overdue import do_record_overdue_projects
from lianxin.projects.actions.plans import (
    MilestoneSpec,
    ProjectSpec,
    do_create_plan,
    do_save_project,
    do_update_plan,
)
from lianxin.projects.actions.progress import (
    Closing,
    do_close_project,
    do_complete_milestone,
    do_report_progress,
)
from lianxin.projects.actions.promotion import (
    do_link_case,
    do_promote_case,
    do_promote_topic,
    do_promote_wish,
)

__all__ = [
    "Closing",
    "MilestoneSpec",
    "ProjectSpec",
    "do_close_project",
    "do_complete_milestone",
    "do_create_plan",
    "do_link_case",
    "do_promote_case",
    "do_promote_topic",
    "do_promote_wish",
    "do_record_overdue_projects",
    "do_report_progress",
    "do_save_project",
    "do_update_plan",
]
