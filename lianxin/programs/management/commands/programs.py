"""`lianxin programs stats` counts the programmes for operators: one JSON object on one line.

Micro-wishes so far: posted, published, claimed, fulfilled, confirmed and overdue claims
(as on the figures page), with each status's own count and the claims released; the
service menu's orders (`service_figures.stats`).
"""

import json

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count
from django.utils import timezone

from lianxin.programs import figures, service_figures
from lianxin.programs.models import Wish, WishStatus
from lianxin.workdays.days import local_date


class Command(BaseCommand):
    help = "The programmes beside the cases: count what is there."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("stats", help="Count the micro-wishes; one JSON line.")

    def handle(self, *args, action: str, **options) -> None:
        self.stdout.write(json.dumps(stats(), ensure_ascii=False))


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
