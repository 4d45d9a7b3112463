"""`lianxin audit verify`: check every case's tamper-evident timeline (lianxin/cases/chain.py)."""

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lianxin.cases import chain


class Command(BaseCommand):
    help = (
        "Walk every case's event chain and report each break; exit 1 if any. "
        "The last line is a JSON summary."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        started = time.perf_counter()
        counts: dict[str, int] = {}
        breaks = 0
        for found in chain.verify(counts):
            breaks += 1
            self.stdout.write(
                f"{found.tracking_number} (case {found.case_id}) event {found.event_id} "
                f"seq {found.seq}: {found.kind}: {found.detail}"
            )
        summary = {
            "ok": breaks == 0,
            "cases": counts["cases"],
            "events": counts["events"],
            "breaks": breaks,
            "seconds": round(time.perf_counter() - started, 2),
        }
        self.stdout.write(json.dumps(summary))
        if breaks:
            raise SystemExit(1)
