"""`lianxin programs stats` counts the programmes for operators: one JSON object on one line.
`lianxin programs import KIND FILE.xlsx` imports a roster (teams, reportins) of the
volunteers' programme, printing each refused row and then one JSON summary line; it exits
0 when every row went in, 1 when some rows were refused, 2 when the file was refused.

Micro-wishes so far: posted, published, claimed, fulfilled, confirmed and overdue claims
(as on the figures page), with each status's own count and the claims released; the
service menu's orders (`service_figures.stats`).
"""

import json
import sys

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count
from django.utils import timezone

from lianxin.programs import figures, service_figures
from lianxin.programs.models import Wish, WishStatus
from lianxin.sheets import ImportRefused
from lianxin.volunteers.imports import import_roster
from lianxin.workdays.days import local_date


class Command(BaseCommand):
    help = "The programmes beside the cases: count what is there, or import a roster."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("stats", help="Count the micro-wishes; one JSON line.")
        imp = sub.add_parser("import", help="Import a roster (.xlsx); one JSON summary line last.")
        imp.add_argument("kind", choices=["teams", "reportins"])
        imp.add_argument("file", help="an .xlsx file")
        imp.add_argument(
            "--as",
            dest="username",
            help="the user the changes are recorded under (default: the first superuser)",
        )

    def handle(self, *args, action: str, **options) -> None:
        if action == "import":
            self.import_(options)
            return
        self.stdout.write(json.dumps(stats(), ensure_ascii=False))

    def import_(self, options: dict) -> None:
        users = get_user_model().objects.filter(is_active=True)
        username = options["username"]
        actor = (
            users.filter(username=username).first()
            if username
            else users.filter(is_superuser=True).order_by("pk").first()
        )
        if actor is None:
            raise CommandError(
                f"no user {username!r}" if username else "no superuser: pass --as USERNAME"
            )
        try:
            with open(options["file"], "rb") as handle:
                report = import_roster(options["kind"], File(handle), actor=actor)
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        except ImportRefused as refused:
            self.stderr.write(refused.message)
            empty = {"rows": 0, "created": 0, "updated": 0, "unchanged": 0, "errors": 0}
            self.stdout.write(json.dumps({**empty, "refused": refused.message}, ensure_ascii=False))
            sys.exit(2)
        for error in report.errors:
            self.stdout.write(f"第{error.row}行：{error.message}")
        self.stdout.write(json.dumps(report.summary()))
        if report.errors:
            sys.exit(1)


def stats() -> dict:
    wishes = Wish.objects.all()
    total = figures.totals(wishes, local_date(timezone.now()))
    by_status = dict(wishes.order_by().values_list("status").annotate(n=Count("pk")))
    return {
        "wishes": {
            "posted": total.posted,
            "published": total.published,
            "claimed": total.claimed,
            "fulfilled": total.fulfilled,
            "confirmed": total.confirmed,
            "overdue_claims": total.overdue,
            "claims_released": figures.released_claims(wishes),
            "by_status": {status: by_status.get(status, 0) for status in WishStatus.values},
        },
        "services": service_figures.stats(),
    }
