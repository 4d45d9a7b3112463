"""`lianxin projects import FILE.xlsx --plan "2027年为民办实事项目"` imports a 配档表 into a
plan (created, monthly, when no plan has that title; its year is the title's) and prints
one JSON line {"rows", "created", "updated", "unchanged", "errors"} (rows = projects read).

Each refused row is listed above the JSON with its row number. Exit 0 when every row went
in, 1 when some rows were refused, 2 when the file itself was refused.
"""

import json
import re
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lianxin.errors import WorkflowError
from lianxin.projects.actions import do_create_plan
from lianxin.projects.imports import import_plan
from lianxin.projects.models import Plan
from lianxin.sheets import ImportRefused


class Command(BaseCommand):
    help = "Practical projects: import a plan's 配档表 (.xlsx)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import a 配档表; one JSON summary line last.")
        imp.add_argument("file", help="an .xlsx file")
        imp.add_argument(
            "--plan", required=True, help="the plan's title, e.g. 2027年为民办实事项目"
        )
        imp.add_argument(
            "--year", type=int, help="the plan's year when it is created (default: from its title)"
        )
        imp.add_argument(
            "--as",
            dest="username",
            help="the user the changes are recorded under (default: the first superuser)",
        )

    def handle(self, *args, action: str, **options) -> None:
        actor = self.actor(options["username"])
        plan = self.plan(options["plan"], options["year"], actor)
        try:
            with open(options["file"], "rb") as handle:
                report = import_plan(_Upload(handle), plan, actor=actor)
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        except ImportRefused as refused:
            self.stderr.write(refused.message)
            summary = {"rows": 0, "created": 0, "updated": 0, "unchanged": 0, "errors": 0}
            self.stdout.write(
                json.dumps({**summary, "refused": refused.message}, ensure_ascii=False)
            )
            sys.exit(2)
        for error in report.errors:
            self.stdout.write(f"第{error.row}行：{error.message}")
        self.stdout.write(json.dumps(report.summary()))
        if report.errors:
            sys.exit(1)

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

    def plan(self, title: str, year: int | None, actor) -> Plan:
        plan = Plan.objects.filter(title=title.strip()).first()
        if plan is not None:
            return plan
        found = re.search(r"(20\d\d)", title)
        year = year or (int(found.group(1)) if found else None)
        if year is None:
            raise CommandError("the plan's title names no year: pass --year")
        try:
            return do_create_plan(actor=actor, title=title, year=year)
        except WorkflowError as error:
            raise CommandError(str(error.message)) from error


class _Upload:
    """A file on disk with the `size` an upload has, for `lianxin.sheets.open_sheet`."""

    def __init__(self, handle):
        self._handle = handle
        handle.seek(0, 2)
        self.size = handle.tell()
        handle.seek(0)

    def __getattr__(self, name):
        return getattr(self._handle, name)
