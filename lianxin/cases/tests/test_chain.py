"""The tamper-evident timeline: events chained by a keyed hash, and `lianxin audit verify`.

Each test tampers with the event table the way someone with database access would (plain
SQL, past the model's append-only guard) and checks that the walk names the break."""

import importlib
import io
import json
from pathlib import Path

import time_machine
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import SimpleTestCase, override_settings

from lianxin.cases import actions, chain
from lianxin.cases.checks import check_chain_key
from lianxin.cases.models import CaseEvent
from lianxin.test import LianxinTestCase, at
from lianxin.tests.test_floors import imported_modules

MIGRATION = ("cases", "0010_chain_case_events")
migration = importlib.import_module("lianxin.cases.migrations." + MIGRATION[1])
TABLE = CaseEvent._meta.db_table


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement.replace("{table}", TABLE), params)


def breaks():
    return [(b.event_id, b.kind) for b in chain.verify()]


def audit():
    """`lianxin audit verify`: its exit code, its lines and the JSON summary (the last line)."""
    out = io.StringIO()
    try:
        call_command("audit", "verify", stdout=out)
        code = 0
    except SystemExit as exit:
        code = exit.code
    lines = out.getvalue().splitlines()
    return code, lines[:-1], json.loads(lines[-1])


@time_machine.travel(at(2026, 6, 17), tick=False)
class ChainTest(LianxinTestCase):
    def setUp(self):
        self.case = self.through([at(2026, 6, 1, h) for h in range(9, 16)])
        self.other = self.replied()
        self.events = list(CaseEvent.objects.filter(case=self.case).order_by("seq"))

    def test_the_workflow_writes_an_unbroken_chain_numbered_in_order(self):
        self.assertEqual([e.seq for e in self.events], list(range(1, len(self.events) + 1)))
        self.assertEqual(len({e.chain for e in self.events}), len(self.events))
        code, lines, summary = audit()
        self.assertEqual((code, lines), (0, []))
        self.assertEqual(summary["breaks"], 0)
        self.assertEqual(summary["cases"], 2)
        self.assertEqual(summary["events"], CaseEvent.objects.count())

    def test_a_merge_and_the_overdue_scan_keep_the_chains_whole(self):
        duplicate = self.dispatched()
        actions.do_merge_case(duplicate, actor=self.dispatcher, into=self.other)
        overdue = self.dispatched(when=at(2026, 5, 1))
        counts = actions.do_record_overdue_cases(when=at(2026, 6, 17))
        self.assertEqual(counts["cases.case.reply_overdue"], 1)
        self.assertEqual(
            list(CaseEvent.objects.filter(case=overdue).order_by("seq").values_list("seq", "code")),
            [
                (1, "cases.case.registered"),
                (2, "cases.case.dispatched"),
                (3, "cases.case.reply_overdue"),
                (4, "cases.case.resolution_overdue"),
            ],
        )
        self.assertEqual(breaks(), [])

    def test_editing_an_events_text_actor_or_time_is_reported_for_that_event_only(self):
        reply, resolve, verify = self.events[3], self.events[4], self.events[5]
        sql("UPDATE {table} SET note = %s WHERE id = %s", ["已处理", reply.pk])
        sql("UPDATE {table} SET actor_id = %s WHERE id = %s", [self.handler_b.pk, resolve.pk])
        sql("UPDATE {table} SET at = %s WHERE id = %s", [at(2026, 6, 1, 8), verify.pk])
        self.assertEqual(
            breaks(), [(reply.pk, "altered"), (resolve.pk, "altered"), (verify.pk, "altered")]
        )
        code, lines, summary = audit()
        self.assertEqual(code, 1)
        self.assertEqual(summary["breaks"], 3)
        self.assertFalse(summary["ok"])
        self.assertIn(
            f"{self.case.tracking_number} (case {self.case.pk}) event {reply.pk}", lines[0]
        )

    def test_a_deleted_event_is_reported_at_the_next_one(self):
        sql("DELETE FROM {table} WHERE id = %s", [self.events[2].pk])
        self.assertEqual(breaks(), [(self.events[3].pk, "missing")])
        code, lines, _ = audit()
        self.assertEqual(code, 1)
        self.assertIn("seq 3–3 missing", lines[0])

    def test_an_inserted_event_is_reported_even_with_the_next_ones_renumbered(self):
        # Make room at seq 3 as a forger would, then write an event with a made-up hash.
        sql("UPDATE {table} SET seq = seq + 100 WHERE case_id = %s AND seq >= 3", [self.case.pk])
        sql("UPDATE {table} SET seq = seq - 99 WHERE case_id = %s AND seq > 100", [self.case.pk])
        sql(
            "INSERT INTO {table} (case_id, code, at, from_status, to_status, note, public,"
            " data, seq, chain)"
            " VALUES (%s, 'cases.case.note_added', %s, '', '', '补记', %s, '{}', 3, %s)",
            [self.case.pk, at(2026, 6, 1, 11), False, "0" * 64],
        )
        forged = CaseEvent.objects.get(case=self.case, seq=3)
        reported = breaks()
        self.assertEqual(reported[0], (forged.pk, "altered"))
        # Every renumbered event no longer matches its hash either.
        self.assertEqual(reported[1:], [(e.pk, "altered") for e in self.events[2:]])

    def test_swapping_two_events_places_is_reported_for_both_and_the_one_after(self):
        first, second, after = self.events[3], self.events[4], self.events[5]
        sql("UPDATE {table} SET seq = 1000 WHERE id = %s", [first.pk])
        sql("UPDATE {table} SET seq = %s WHERE id = %s", [first.seq, second.pk])
        sql("UPDATE {table} SET seq = %s WHERE id = %s", [second.seq, first.pk])
        self.assertEqual(
            breaks(), [(second.pk, "altered"), (first.pk, "altered"), (after.pk, "altered")]
        )

    def test_an_event_moved_to_another_case_is_reported_in_both(self):
        moved = self.events[2]
        sql(
            "UPDATE {table} SET case_id = %s, seq = 99 WHERE id = %s",
            [self.other.pk, moved.pk],
        )
        self.assertEqual(breaks(), [(self.events[3].pk, "missing"), (moved.pk, "missing")])

    def test_a_chain_written_with_another_key_does_not_verify(self):
        with override_settings(AUDIT_CHAIN_KEY="another-key"):
            self.assertEqual(len(breaks()), CaseEvent.objects.count())


class ChainKeyCheckTest(SimpleTestCase):
    def test_the_deploy_check_warns_while_the_key_is_secret_key(self):
        with override_settings(SECRET_KEY="s" * 50, AUDIT_CHAIN_KEY="s" * 50):
            [warning] = check_chain_key()
        self.assertEqual(warning.id, "lianxin.cases.W001")
        with override_settings(SECRET_KEY="s" * 50, AUDIT_CHAIN_KEY="k" * 50):
            self.assertEqual(check_chain_key(), [])


@time_machine.travel(at(2026, 6, 17), tick=False)
class ChainMigrationTest(LianxinTestCase):
    def test_the_migration_chains_existing_events_as_the_workflow_does(self):
        self.through([at(2026, 6, 1, h) for h in range(9, 16)])
        self.replied()
        written = dict(CaseEvent.objects.values_list("pk", "chain"))
        # As before the columns: no hashes, and numbers out of the way of the new ones.
        sql("UPDATE {table} SET chain = '', seq = seq + 1000")
        state = MigrationLoader(connection).project_state(MIGRATION)
        migration.chain_existing(state.apps, connection.schema_editor())
        self.assertEqual(dict(CaseEvent.objects.values_list("pk", "chain")), written)
        self.assertEqual(breaks(), [])

    def test_the_migration_runs_none_of_todays_code(self):
        self.assertEqual(imported_modules(Path(migration.__file__)), set())
