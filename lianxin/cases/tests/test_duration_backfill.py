"""Migration 0004 fills the working-day durations of cases written before the columns,
with its own frozen copy of the arithmetic and the models of its day."""

import importlib
from pathlib import Path

from django.db import connection
from django.db.migrations.loader import MigrationLoader

from lianxin.cases.models import Case
from lianxin.test import LianxinTestCase, at
from lianxin.tests.test_floors import imported_modules
from lianxin.workdays.models import DayOverride

MIGRATION = ("cases", "0004_case_working_day_durations")
migration = importlib.import_module("lianxin.cases.migrations." + MIGRATION[1])


def run_the_backfill() -> int:
    """The migration's own function, given the historical models as `migrate` gives them."""
    state = MigrationLoader(connection).project_state(MIGRATION)
    return migration.backfill(state.apps, connection.schema_editor())


def durations():
    return {
        c.pk: (c.response_working_days, c.reply_working_days, c.resolve_working_days)
        for c in Case.objects.all()
    }


class DurationBackfillTest(LianxinTestCase):
    def test_rows_from_before_the_columns_get_the_durations_the_actions_stamp(self):
        mon = [at(2026, 11, 2, 9), at(2026, 11, 2, 10), at(2026, 11, 3), at(2026, 11, 5)]
        replied = self.through(mon, until="replied")
        resolved = self.resolve(self.through(mon, until="replied"), at(2026, 11, 10))
        fresh = self.new(at(2026, 11, 2))
        stamped = durations()
        self.assertEqual(stamped[replied.pk], (1, 3, None))
        self.assertEqual(stamped[resolved.pk], (1, 3, 6))
        self.assertEqual(stamped[fresh.pk], (None, None, None))
        Case.objects.update(
            response_working_days=None, reply_working_days=None, resolve_working_days=None
        )
        self.assertEqual(run_the_backfill(), 2)
        self.assertEqual(durations(), stamped)
        self.assertEqual(run_the_backfill(), 0)  # nothing left to change

    def test_the_backfill_counts_the_administrators_holidays(self):
        mon = [at(2026, 11, 2, 9), at(2026, 11, 2, 10), at(2026, 11, 3), at(2026, 11, 5)]
        case = self.through(mon, until="replied")
        Case.objects.update(reply_working_days=None)
        DayOverride.objects.create(date=at(2026, 11, 4).date(), is_working_day=False, name="停工")
        self.assertEqual(run_the_backfill(), 1)
        self.assertEqual(self.reload(case).reply_working_days, 2)  # Tue, Thu; not Wed

    def test_the_migration_runs_none_of_todays_code(self):
        self.assertEqual(imported_modules(Path(migration.__file__)), set())
