"""`lianxin hazards stats` and `lianxin hazards import FILE.xlsx --as USERNAME`: one JSON line
each, for operators.

stats: the district's figures as on the figures page (places and 家次 inspected, hazards
found, fixed and overdue, the rectification and relapse rates). import: the places of a
list, as the import page does, in the name of a user who may import them; the summary
`{"rows", "created", "updated", "unchanged", "errors"}` then each row's error on stderr.
"""

import json
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from lianxin.accounts.models import User
from lianxin.hazards import figures
from lianxin.hazards.imports import import_places
from lianxin.hazards.models import Hazard, Inspection
from lianxin.sheets import ImportRefused
from lianxin.workdays.days import local_date


class Command(BaseCommand):
    help = "Inspections and hazards: count them, or import the places to inspect."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("stats", help="The district's hazard figures; one JSON line.")
        load = sub.add_parser("import", help="Import places from an .xlsx list.")
        load.add_argument("file")
        load.add_argument("--as", dest="username", required=True, help="who imports them")

    def handle(self, *args, action: str, **options) -> None:
        if action == "stats":
            self.stdout.write(json.dumps(stats(), ensure_ascii=False))
            return
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['username']!r}.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        with path.open("rb") as handle:
            try:
                result = import_places(File(handle, name=path.name), actor=user)
            except ImportRefused as error:
                raise CommandError(error.message) from None
        self.stdout.write(json.dumps(result.summary(), ensure_ascii=False))
        for number, message in result.errors:
            self.stderr.write(f"{number}: {message}")


def stats() -> dict:
    today = local_date(timezone.now())
    total = figures.totals(Hazard.objects.all(), Inspection.objects.all(), today)
    return {
        "hazards": {
            "places_inspected": total.places,
            "inspections": total.inspections,
            "found": total.found,
            "fixed": total.fixed,
            "overdue": total.overdue,
            "rectification_rate": total.rectification_rate,
            "relapse_rate": total.relapse_rate,
        }
    }
