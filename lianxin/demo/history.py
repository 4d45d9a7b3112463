"""Six months of the demo district's cases, lived through the real workflow actions.

Each case follows a story (a generator) that performs one action, then yields the
moment of its next step. A single clock runs every story in time order, together
with the daily overdue scan, so that every case's timeline is one the platform
could have recorded. A story whose next step lies in the future simply stops:
recent cases are left half-way, as they would be today.
"""

import datetime as dt
import heapq
import itertools
import random
from collections.abc import Generator
from decimal import Decimal

from django.utils import timezone

from lianxin.cases import actions
from lianxin.cases.models import Case, Channel, Urgency
from lianxin.cases.rules import WorkflowError
from lianxin.demo import concerns, places
from lianxin.demo.district import Cast, Grid
from lianxin.workdays.days import is_working_day

Story = Generator[dt.datetime, None, None]

CHANNELS = {
    Channel.VISIT: 20,
    Channel.PATROL: 18,
    Channel.PHONE: 15,
    Channel.WEB: 10,
    Channel.MINIPROGRAM: 20,
    Channel.MEETING: 6,
    Channel.CITY: 8,
    Channel.FORWARDED: 3,
}
# How a case's life goes; the weights are shares of all cases.
FATES = {
    "normal": 52,
    "returned": 8,
    "split": 7,
    "extension": 6,
    "constrained": 7,
    "claimed": 4,
    "whistle": 4,
    "escalated": 3,
    "stalled": 3,
    "merged": 2,
    "withdrawn": 2,
    "voided": 2,
}
# A handful of categories carry most concerns, as on real platforms.
HOT_CATEGORIES = {
    "property_service": 8,
    "sanitation": 7,
    "estate_parking": 6,
    "heating": 6,
    "road_repair": 5,
    "noise": 5,
    "street_lights": 4,
    "drainage": 4,
    "lift": 3,
    "building_repair": 4,
}


def hours(rng: random.Random, low: float, high: float) -> dt.timedelta:
    return dt.timedelta(hours=rng.uniform(low, high))


def office_hours(moment: dt.datetime) -> dt.datetime:
    """The same moment if staff are at work then, else 9:00 or so on the next working day."""
    local = timezone.localtime(moment)
    if is_working_day(local.date()) and 8 <= local.hour < 18:
        return moment
    day = local.date() + dt.timedelta(days=0 if local.hour < 8 else 1)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    start = dt.datetime.combine(day, dt.time(8, 30), tzinfo=local.tzinfo)
    return start + dt.timedelta(minutes=(moment.minute * 7 + moment.second) % 150)


def working_days_later(moment: dt.datetime, rng: random.Random, low: float, high: float):
    """Roughly `low` to `high` working days later, at a working moment."""
    target = rng.uniform(low, high)
    day = timezone.localtime(moment)
    while target > 1:
        day += dt.timedelta(days=1)
        if is_working_day(day.date()):
            target -= 1
    return office_hours(day + dt.timedelta(hours=target * 8))


class History:
    def __init__(self, cast: Cast, rng: random.Random, now: dt.datetime):
        self.cast, self.rng, self.now = cast, rng, now
        self.category_codes = list(cast.categories)
        self.category_weights = [HOT_CATEGORIES.get(code, 1.5) for code in self.category_codes]
        # Some departments answer fast and well, some are slow: rankings need both.
        self.diligence = {pk: rng.uniform(0.5, 1.35) for pk in cast.handlers}
        self.open_cases: list[Case] = []

    # The people who act.

    def office(self):
        return self.rng.choice(self.cast.dispatchers)

    def handler(self, unit):
        if unit.pk in self.cast.handlers:
            return self.rng.choice(self.cast.handlers[unit.pk])
        if unit.kind == "grid":
            return next(g.worker for g in self.cast.grids if g.unit.pk == unit.pk)
        return self.cast.community_staff.get(unit.pk) or self.cast.street_staff[unit.pk]

    # The stories.

    def run(self, n_cases: int, start: dt.datetime) -> int:
        """Play n_cases stories registered between `start` and now; return the actions taken."""
        return self.play(self.stories(n_cases, start), start)

    def stories(self, n_cases: int, start: dt.datetime) -> list[tuple[dt.datetime, Story]]:
        """n_cases stories registered between `start` and now, not yet begun."""
        stories = []
        span = (self.now - start).total_seconds()
        for _ in range(n_cases):
            # More concerns lately (the platform is catching on), and fewer at night.
            registered = start + dt.timedelta(seconds=span * self.rng.random() ** 0.8)
            if not 7 <= timezone.localtime(registered).hour < 21 and self.rng.random() < 0.8:
                registered = office_hours(registered)
            if registered < self.now:
                stories.append((registered, self.story(registered)))
        return stories

    def play(self, stories: list[tuple[dt.datetime, Story]], start: dt.datetime) -> int:
        """Run the stories (each starting at its moment) in time order with the daily
        overdue scan from `start` on; return the actions taken."""
        clock: list = []
        order = itertools.count()
        for moment, story in stories:
            heapq.heappush(clock, (moment, next(order), story))
        day = timezone.localtime(start).replace(hour=0, minute=5, second=0, microsecond=0)
        while day < self.now:
            heapq.heappush(clock, (day, next(order), None))
            day += dt.timedelta(days=1)
        taken = 0
        while clock:
            moment, _, story = heapq.heappop(clock)
            if story is None:
                actions.do_record_overdue_cases(when=moment)
                continue
            try:
                following = next(story)
            except StopIteration:
                continue
            taken += 1
            if following < self.now:
                heapq.heappush(clock, (following, next(order), story))
        return taken

    def story(self, t: dt.datetime) -> Story:
        rng = self.rng
        fate = self.fate()
        grid: Grid = rng.choice(self.cast.grids)
        code = self.category_code()
        case = self.register(t, grid, code, fate)
        yield from self.life(case, t, grid, code, fate)

    def fate(self) -> str:
        return self.rng.choices(list(FATES), weights=list(FATES.values()))[0]

    def category_code(self) -> str:
        return self.rng.choices(self.category_codes, weights=self.category_weights)[0]

    def life(self, case: Case, t: dt.datetime, grid: Grid, code: str, fate: str) -> Story:  # noqa: C901  (one case's whole life)
        """What happens to a registered case after `t`, one action a step."""
        rng = self.rng
        category = self.cast.categories[code]
        registered = t
        lead = category.default_unit
        assert lead is not None, f"demo category {code} names no unit"
        if fate == "merged" and self.open_cases:
            t = office_hours(t + hours(rng, 1, 20))
            yield t
            target = rng.choice(self.open_cases[-40:])
            target.refresh_from_db()
            if not target.is_final and target.pk != case.pk:
                actions.do_merge_case(case, actor=self.office(), into=target, when=t)
                return
        if fate == "voided":
            t = office_hours(t + hours(rng, 0.5, 8))
            yield t
            actions.do_void_case(
                case, actor=self.office(), when=t, reason=rng.choice(concerns.VOID_REASONS)
            )
            return

        # Routing: dispatch, split, claim, or a whistle from the grid.
        t = office_hours(t + hours(rng, 0.3, 20))
        yield t
        if fate == "claimed":
            if not case.open_for_claim:
                actions.do_offer_case_for_claim(case, actor=self.office(), when=t)
            t = office_hours(t + hours(rng, 2, 40))
            yield t
            actions.do_claim_case(case, actor=self.handler(lead), unit=lead, when=t)
        elif fate == "whistle":
            helpers = rng.sample(sorted(self.cast.departments.values(), key=lambda u: u.pk), 2)
            if lead not in helpers:
                helpers[0] = lead
            actions.do_blow_whistle(
                case,
                actor=grid.worker,
                units=helpers,
                when=t,
                note=f"{case.title}，网格无法单独解决，请相关部门到场。",
            )
            lead = grid.unit
            for unit in helpers:
                t = office_hours(t + hours(rng, 1, 16))
                yield t
                part = case.parts.get(unit=unit, status="assigned")
                actions.do_check_in_part(part, actor=self.handler(unit), when=t)
        else:
            first = lead
            if fate == "returned":
                first = rng.choice([u for u in self.cast.departments.values() if u != lead])
            co_units = []
            if fate == "split":
                co_units = rng.sample(
                    [u for u in self.cast.departments.values() if u != lead], rng.choice([1, 1, 2])
                )
            leader = rng.choice(self.cast.leaders) if rng.random() < 0.25 else None
            actions.do_dispatch_case(
                case,
                actor=self.office(),
                unit=first,
                co_units=co_units,
                leader=leader,
                category=category,
                when=t,
            )
            t = office_hours(t + hours(rng, 0.5, 20))
            yield t
            if fate == "returned":
                part = case.parts.get(unit=first, status="assigned")
                actions.do_return_part(
                    part,
                    actor=self.handler(first),
                    when=t,
                    reason=concerns.pick(rng, concerns.RETURN_REASONS[:3], unit=lead.name),
                )
                t = office_hours(t + hours(rng, 1, 60))
                yield t
                actions.do_dispatch_case(
                    case,
                    actor=self.office(),
                    unit=lead,
                    when=t,
                    instruction="经核实职责分工，改派至主责部门办理。",
                )
                t = office_hours(t + hours(rng, 0.5, 16))
                yield t
            actions.do_accept_part(
                case.parts.get(unit=lead, status="assigned"), actor=self.handler(lead), when=t
            )
            for unit in co_units:
                t = office_hours(t + hours(rng, 0.5, 12))
                yield t
                actions.do_accept_part(
                    case.parts.get(unit=unit, status="assigned"), actor=self.handler(unit), when=t
                )

        if fate == "escalated":
            t = office_hours(t + hours(rng, 4, 48))
            yield t
            actions.do_escalate_case(
                case,
                actor=self.office(),
                when=t,
                note=rng.choice(concerns.ESCALATION_NOTES),
                leader=rng.choice(self.cast.leaders),
            )
            if rng.random() < 0.6:
                t = office_hours(t + hours(rng, 8, 72))
                yield t
                case.refresh_from_db()
                actions.do_instruct_case(
                    case,
                    actor=case.leader,
                    when=t,
                    instruction=rng.choice(concerns.LEADER_INSTRUCTIONS),
                )
        if fate == "withdrawn":
            t = office_hours(t + hours(rng, 4, 60))
            yield t
            actions.do_withdraw_case(
                case, actor=self.office(), when=t, reason=rng.choice(concerns.WITHDRAW_REASONS)
            )
            return

        handler = self.handler(lead)
        pace = self.diligence.get(lead.pk, 1.0)
        if rng.random() < 0.3:
            t = working_days_later(t, rng, 0.2, 1.5)
            yield t
            actions.do_add_note(
                case, actor=handler, when=t, note=rng.choice(concerns.PROGRESS_NOTES)
            )
        if fate == "stalled":
            return  # accepted and forgotten: it goes overdue
        # The reply: most within the limit, slow departments sometimes late.
        t = working_days_later(t, rng, 0.3 * pace, 5.4 * pace)
        yield t
        actions.do_reply_case(
            case, actor=handler, when=t, text=concerns.reply_text(rng, code, title=case.title)
        )
        if fate == "constrained":
            t = working_days_later(t, rng, 1, 5)
            yield t
            actions.do_mark_constrained(
                case,
                actor=handler,
                when=t,
                explanation=concerns.constrained_explanation(rng, code, title=case.title),
            )
            return
        if fate == "extension":
            t = working_days_later(t, rng, 0.5, 3)
            yield t
            extension = actions.do_request_extension(
                case,
                actor=handler,
                when=t,
                working_days=rng.choice([5, 10, 15]),
                reason=rng.choice(concerns.EXTENSION_REASONS),
            )
            t = office_hours(t + hours(rng, 2, 30))
            yield t
            approve = rng.random() < 0.8
            actions.do_decide_extension(
                extension,
                actor=self.office(),
                approve=approve,
                when=t,
                note="" if approve else "请按原期限办结，确有困难可申请疑难受限。",
            )
        if fate == "split":
            for part in case.parts.filter(role="co", status="accepted"):
                t = working_days_later(t, rng, 0.5, 4)
                yield t
                actions.do_finish_part(
                    part, actor=self.handler(part.unit), when=t, note="本部门负责部分已处理完毕。"
                )
        if fate == "whistle":
            for part in case.parts.filter(role="summoned", status="accepted"):
                t = working_days_later(t, rng, 0.5, 3)
                yield t
                actions.do_finish_part(
                    part, actor=self.handler(part.unit), when=t, note="已到场处置，本部门事项完成。"
                )
        limit = category.resolution_working_days or 15
        rounds = 0
        while True:
            rounds += 1
            # Most units finish within the category's limit, counted from registration.
            planned = working_days_later(registered, rng, 0.4 * limit * pace, 1.05 * limit * pace)
            t = max(planned, working_days_later(t, rng, 0.3, 1.5))
            yield t
            actions.do_resolve_case(
                case,
                actor=handler,
                when=t,
                note=concerns.resolution_note(rng, code, title=case.title),
            )
            t = office_hours(t + hours(rng, 2, 40))
            yield t
            if rng.random() < 0.05 and rounds == 1:
                actions.do_verify_case(
                    case,
                    actor=self.office(),
                    passed=False,
                    on_site=True,
                    when=t,
                    note=rng.choice(concerns.VERIFY_NOTES),
                )
                continue
            actions.do_verify_case(
                case,
                actor=self.office(),
                passed=True,
                when=t,
                on_site=rng.random() < 0.4,
                note=rng.choice(concerns.VERIFY_NOTES),
            )
            t = office_hours(t + hours(rng, 1, 50))
            yield t
            unhappy = rounds == 1 and rng.random() < 0.07
            by_resident = case.resident_id is not None and rng.random() < 0.5
            satisfaction = (
                "unsatisfied"
                if unhappy
                else rng.choices(["satisfied", "basically"], weights=[88, 12])[0]
            )
            actions.do_record_return_visit(
                case,
                actor=case.resident if by_resident else self.office(),
                when=t,
                satisfaction=satisfaction,
                # Solved is its own question: a "basically satisfied" resident is sometimes
                # content with the answer though the problem remains (derived from the case,
                # not drawn, so the demo's random stream stays as it was).
                solved=not unhappy and not (satisfaction == "basically" and case.pk % 3 == 0),
                method="phone",
                comment=rng.choice(
                    concerns.UNSATISFIED_COMMENTS if unhappy else concerns.SATISFIED_COMMENTS
                ),
            )
            if not unhappy:
                return

    def register(self, t, grid: Grid, code: str, fate: str) -> Case:
        rng = self.rng
        channel = rng.choices(list(CHANNELS), weights=list(CHANNELS.values()))[0]
        if fate == "claimed":
            channel = Channel.MEETING
        place = rng.choice(grid.places)
        addr = places.address(rng, place)
        title, text = concerns.write_concern(rng, code, place, addr)
        resident = None
        actor = self.office()
        if channel in (Channel.VISIT, Channel.PATROL):
            actor = grid.worker
        elif channel == Channel.MEETING:
            actor = self.cast.community_staff[grid.unit.parent_id]  # type: ignore[index]  # a grid has a community
        elif channel in (Channel.WEB, Channel.MINIPROGRAM):
            # The demo resident files a steady trickle, so that his page has cases in it.
            resident = self.cast.residents[0] if rng.random() < 0.004 else None
            if resident is None and rng.random() < 0.3:
                resident = rng.choice(self.cast.residents[1:])
            actor = resident
        anonymous = rng.random() < 0.06
        point = None
        if rng.random() < 0.75:
            point = [Decimal(f"{c:.6f}") for c in grid.random_point(rng)]
        try:
            case = actions.do_register_case(
                actor=actor,
                channel=channel,
                title=title[:100],
                text=text,
                address=addr,
                category=self.cast.categories[code] if rng.random() < 0.85 else None,
                grid=grid.unit,
                resident=resident,
                resident_name=resident.full_name if resident else places.person_name(rng),
                resident_phone=resident.phone if resident else places.mobile_phone(rng),
                # The demo's residents verified their phones; a visitor's made-up number
                # was not, and gets no texts, as on the real /m/.
                phone_verified=resident is not None,
                anonymous=anonymous,
                urgency=rng.choices(
                    [Urgency.NORMAL, Urgency.URGENT, Urgency.CRITICAL], weights=[85, 12, 3]
                )[0],
                open_for_claim=channel == Channel.MEETING
                and actor is not None
                and rng.random() < 0.5,
                latitude=point[0] if point else None,
                longitude=point[1] if point else None,
                when=t,
            )
        except WorkflowError as error:  # a bug in the demo, not in the data
            raise RuntimeError(f"demo registration refused: {error.message}") from error
        self.open_cases.append(case)
        return case
