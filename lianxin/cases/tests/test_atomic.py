"""Every workflow action runs in one transaction.

On SQLite a missing @transaction.atomic goes unnoticed (its row lock is a no-op); on
PostgreSQL the action's select_for_update fails outside a transaction, and only
outside a test's own transaction, i.e. in production and the browser tests. This
check catches it where a unit test cannot.
"""

from django.test import SimpleTestCase

from lianxin.cases import actions

# These open their own transactions inside (an idempotency check first, one per scan
# chunk) or hand over to an action that is atomic.
OWN_TRANSACTIONS = {
    "do_register_case",  # looks for an idempotent twin first, then one atomic block
    "do_record_overdue_cases",  # one transaction per chunk of cases
    "do_check_in_part",  # hands over to do_accept_part
    "do_split_case",  # hands over to do_dispatch_case
}


class EveryActionIsAtomicTest(SimpleTestCase):
    def test_every_action_is_wrapped_in_a_transaction(self):
        names = [name for name in actions.__all__ if name.startswith("do_")]
        self.assertGreater(len(names), 30)
        bare = {name for name in names if not hasattr(getattr(actions, name), "__wrapped__")}
        self.assertEqual(bare, OWN_TRANSACTIONS)
