import datetime as dt
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from lianxin.cases.models import Case
from lianxin.demo.district import build_district
from lianxin.demo.hazards import build_hazards
from lianxin.demo.history import History
from lianxin.demo.projects import build_projects
from lianxin.demo.registers import build_registers, tally
from lianxin.demo.services import build_services
from lianxin.demo.volunteers import build_volunteers
from lianxin.demo.wishes import build_wishes
from lianxin.figures import tally as case_tally
from lianxin.intel.topicsync import refresh_topics
from lianxin.orgs.models import Unit


class Command(BaseCommand):
    help = "Build the demo district: units, users for every role, and six months of cases."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=3000)
        parser.add_argument("--days", type=int, default=183)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--households-per-building",
            type=int,
            default=25,
            help="25 gives the registers of a small district (15,000 households); 0 leaves "
            "the registers empty",
        )
        parser.add_argument(
            "--wishes", type=int, default=400, help="micro-wishes on the wall (0 for none)"
        )
        parser.add_argument(
            "--service-orders",
            type=int,
            default=300,
            help="orders from the service menu (定制单) besides the recurring ones (0: the "
            "menu only)",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing if the database has units already"
        )

    def handle(
        self,
        *args,
        cases,
        days,
        seed,
        if_empty,
        households_per_building,
        wishes,
        service_orders,
        **options,
    ):
        if Unit.objects.exists():
            if if_empty:
                self.stdout.write("The demo district is already loaded.")
                return
            raise CommandError("The database is not empty; use a fresh database for the demo.")
        started = time.monotonic()
        rng = random.Random(seed)
        now = timezone.now()
        # One transaction: SQLite writes the whole history at once instead of per action.
        with transaction.atomic():
            cast = build_district(rng)
            history = History(cast, rng, now)
            start = now - dt.timedelta(days=days)
            registers = None
            if households_per_building:
                registers = build_registers(
                    cast, seed, now, history, per_building=households_per_building
                )
            # The rounds (opened, visited, closed) and their heard concerns run on the
            # same clock as the other cases, so that every timeline is one the platform
            # could have recorded.
            stories = history.stories(cases, start) + (registers.stories if registers else [])
            taken = history.play(stories, start)
            if registers is not None:
                tally(registers)
            cases_done = time.monotonic()
            wishes_started, wishes_cpu = time.monotonic(), time.process_time()
            # Its own random stream: the wishes leave the cases and registers as they were.
            wish_counts = build_wishes(cast, random.Random(seed + 17), now, count=wishes)
            wishes_seconds = time.monotonic() - wishes_started
            wishes_cpu = time.process_time() - wishes_cpu
            volunteers_started, volunteers_cpu = time.monotonic(), time.process_time()
            volunteer_counts = build_volunteers(cast, random.Random(seed + 23), now)
            volunteers_seconds = time.monotonic() - volunteers_started
            volunteers_cpu = time.process_time() - volunteers_cpu
            projects_started = time.monotonic()
            project_counts = build_projects(cast, random.Random(seed + 29), now)
            projects_seconds = time.monotonic() - projects_started
            hazards_started, hazards_cpu = time.monotonic(), time.process_time()
            hazard_counts = build_hazards(cast, random.Random(seed + 31), now)
            hazards_seconds = time.monotonic() - hazards_started
            hazards_cpu = time.process_time() - hazards_cpu
            services_started, services_cpu = time.monotonic(), time.process_time()
            service_counts = build_services(
                cast, random.Random(seed + 37), now, count=service_orders
            )
            services_seconds = time.monotonic() - services_started
            services_cpu = time.process_time() - services_cpu
        topics = refresh_topics(now)  # as the periodic job would, so the topic list is not empty
        # Every workflow step inserted its own tally rows (160,000 for 3,000 cases), which the
        # dashboard would sum until the minute job folds them. Count the settled rows afresh
        # instead: the same rows compaction leaves, in seconds rather than minutes.
        case_tally.rebuild()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo district loaded: {Case.objects.count()} cases, {taken} workflow steps, "
                f"{len(topics)} topics, {time.monotonic() - started:.0f} s."
            )
        )
        if registers is not None:
            r = registers
            self.stdout.write(
                f"Registers: {r.buildings} buildings, {r.households} households, "
                f"{r.residents} residents, {r.shops} shops, {r.cadres} cadres in {r.pairs} "
                f"pairs, {r.zones} zones, {len(r.rounds)} rounds, {r.visits} visits "
                f"({r.heard} with a concern, each a case), {r.dues} visits due; "
                f"{r.seconds:.0f} s; the rest {cases_done - started - r.seconds:.0f} s."
            )
        self.stdout.write(
            f"Micro-wishes: {sum(wish_counts.values())} ({dict(sorted(wish_counts.items()))}); "
            f"{wishes_seconds:.1f} s ({wishes_cpu:.1f} s CPU)."
        )
        self.stdout.write(
            f"Volunteers: {dict(sorted(volunteer_counts.items()))}; "
            f"{volunteers_seconds:.1f} s ({volunteers_cpu:.1f} s CPU)."
        )
        self.stdout.write(
            f"Practical projects: {sum(project_counts.values())} "
            f"({dict(sorted(project_counts.items()))}); {projects_seconds:.1f} s."
        )
        self.stdout.write(
            f"Hazards: {dict(sorted(hazard_counts.items()))}; {hazards_seconds:.1f} s "
            f"({hazards_cpu:.1f} s CPU)."
        )
        lines = service_counts.pop("lines")
        self.stdout.write(
            f"Service menu: {lines} lines; orders {dict(sorted(service_counts.items()))}; "
            f"{services_seconds:.1f} s "
            f"({services_cpu:.1f} s CPU)."
        )
