"""Every change to the registers goes through one of these functions.

Each takes the acting user as `actor`, checks his right against `lianxin.registry.rules`,
writes the change and a `RegistryEvent` in one transaction, and says what it did.
"""

from lianxin.registry.actions.corrections import do_decide_correction, do_propose_correction
from lianxin.registry.actions.households import (
    HouseholdRow,
    do_save_household,
    do_save_households,
)
from lianxin.registry.actions.places import do_save_building, do_save_shop
from lianxin.registry.actions.registers import (
    Saved,
    do_assign_household_to_pair,
    do_replace_pair_member,
    do_save_cadre,
    do_save_pair,
    pair_warnings,
)
from lianxin.registry.actions.rounds import do_save_round
from lianxin.registry.actions.visits import (
    clean_answers,
    do_close_round,
    do_open_round,
    do_open_urgent_visit,
    do_record_overdue_visits,
    do_record_visit,
    open_round,
    priority_households,
)

__all__ = [
    "HouseholdRow",
    "Saved",
    "clean_answers",
    "do_close_round",
    "do_open_round",
    "do_open_urgent_visit",
    "do_record_overdue_visits",
    "do_record_visit",
    "open_round",
    "priority_households",
    "do_assign_household_to_pair",
    "do_decide_correction",
    "do_propose_correction",
    "do_replace_pair_member",
    "do_save_building",
    "do_save_cadre",
    "do_save_household",
    "do_save_households",
    "do_save_pair",
    "do_save_round",
    "do_save_shop",
    "pair_warnings",
]
