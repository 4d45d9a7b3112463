"""`lianxin registry import KIND FILE.xlsx` imports a register's list for operators;
`lianxin registry stats` counts the registers; `lianxin registry tally check|rebuild`
compares the coverage tally with a recount, or counts it afresh. Each prints one JSON
object as the last line.

The import exits 0 when every row went in, 1 when some rows were refused (each listed
above the JSON with its row number), and 2 when the file itself was refused.
"""

import json
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count

from lianxin.registry import coverage_tally, models
from lianxin.registry.imports import KINDS, import_registers
from lianxin.sheets import ImportRefused


class Command(BaseCommand):
    help = "The registers: import a list (.xlsx), or count what is there."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import a list; one JSON summary line last.")
        imp.add_argument("kind", choices=KINDS)
        imp.add_argument("file", help="an .xlsx file")
        imp.add_argument(
            "--as",
            dest="username",
            help="the user the changes are recorded under (default: the first superuser)",
        )
        sub.add_parser("stats", help="Count every register and, per round, households visited.")
        tally = sub.add_parser(
            "tally",
            help="The coverage tally: check (exit 1 if it differs from a recount) or rebuild.",
        )
        tally.add_argument("what", choices=["check", "rebuild"])

    def handle(self, *args, action: str, **options) -> None:
        if action == "import":
            self.import_(options)
        elif action == "tally":
            self.tally(options["what"])
        else:
            self.stdout.write(json.dumps(stats(), ensure_ascii=False))

    def actor(self, username: str | None):
        users = get_user_model().objects.filter(is_active=True)
        actor = (
            users.filter(username=username).first()
            if username
            else users.filter(is_superuser=True).order_by("pk").first()
        )
        if actor is None:
            raise CommandError(
                f"no user {username!r}" if username else "no superuser: pass --as USERNAME"
            )
        return actor

    def import_(self, options: dict) -> None:
        actor = self.actor(options["username"])
        try:
            with open(options["file"], "rb") as handle:
                report = import_registers(options["kind"], _Upload(handle), actor=actor)
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        except ImportRefused as refused:
            self.stderr.write(refused.message)
            summary: dict[str, int | str] = {
                "rows": 0,
                "created": 0,
                "updated": 0,
                "unchanged": 0,
                "errors": 0,
            }
            summary["refused"] = refused.message
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            sys.exit(2)
        for error in report.errors:
            self.stdout.write(f"第{error.row}行：{error.message}")
        self.stdout.write(json.dumps(report.summary()))
        if report.errors:
            sys.exit(1)

    def tally(self, what: str) -> None:
        if what == "rebuild":
            rows = coverage_tally.rebuild()
            self.stdout.write(json.dumps({"rows": rows}))
            return
        found = coverage_tally.differences()
        for (round_id, cell), kept, recount in found:
            self.stdout.write(f"round {round_id} cell {list(cell)}: tally {kept} recount {recount}")
        self.stdout.write(json.dumps({"differences": len(found)}))
        if found:
            sys.exit(1)


class _Upload:
    """A file on disk with the `size` an upload has, for `lianxin.sheets.open_sheet`."""

    def __init__(self, handle):
        self._handle = handle
        handle.seek(0, 2)
        self.size = handle.tell()
        handle.seek(0)

    def __getattr__(self, name):
        return getattr(self._handle, name)


def stats() -> dict:
    """Counts of every register, and per round the households in the register and visited."""
    counted = {
        "buildings": models.Building,
        "households": models.Household,
        "residents": models.Resident,
        "shops": models.Shop,
        "cadres": models.Cadre,
        "pairs": models.Pair,
        "attachments": models.Attachment,
        "zones": models.Zone,
        "tags": models.Tag,
        "rounds": models.Round,
        "visits": models.Visit,
        "heard_cases": models.HeardCase,
        "corrections": models.HouseholdCorrection,
    }
    result: dict = {name: model._default_manager.count() for name, model in counted.items()}
    result["active_households"] = models.Household.objects.filter(active=True).count()
    households = result["active_households"]
    visited = dict(
        models.Visit.objects.values("round")
        .annotate(n=Count("household", distinct=True))
        .values_list("round", "n")
    )
    result["per_round"] = [
        {
            "number": number,
            "status": status,
            "households": households,
            "visited": visited.get(pk, 0),
        }
        for pk, number, status in models.Round.objects.order_by("number").values_list(
            "pk", "number", "status"
        )
    ]
    return result
