"""`lianxin tally check|compact|rebuild`: look after the figures' tally."""

import time

from django.core.management.base import BaseCommand, CommandError

from lianxin.figures import tally
from lianxin.figures.models import Tally


class Command(BaseCommand):
    help = "Check the figures' tally against the cases, fold its rows, or count it afresh."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["check", "compact", "rebuild"])

    def handle(self, *args, action, **options):
        started = time.perf_counter()
        if action == "check":
            wrong = tally.differences()
            for group, kept, counted in wrong[:20]:
                self.stderr.write(f"{group}: tally {kept} != cases {counted}")
            if wrong:
                raise CommandError(
                    f"{len(wrong)} groups differ from the cases: run `lianxin tally rebuild`."
                )
            self.stdout.write("The tally equals the cases.")
        elif action == "compact":
            before = Tally.objects.count()
            tally.compact()
            self.stdout.write(f"Rows folded: {before} before, {Tally.objects.count()} now.")
        else:
            counted = tally.rebuild()
            self.stdout.write(f"Counted {counted} cases.")
        self.stdout.write(f"({time.perf_counter() - started:.1f} s)")
