"""`lianxin volunteers stats` counts teams, members, activities, hours, report-ins and
partner units for operators: one JSON object on one line. (Rosters are imported with
`lianxin programs import teams|reportins FILE.xlsx`.)"""

import json

from django.core.management.base import BaseCommand, CommandParser

from lianxin.volunteers import figures


class Command(BaseCommand):
    help = "Volunteers, 双报到 and partner units: count what is there."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("stats", help="Count teams, activities, hours, report-ins; one JSON line.")

    def handle(self, *args, action: str, **options) -> None:
        self.stdout.write(json.dumps({"volunteers": figures.stats()}, ensure_ascii=False))
