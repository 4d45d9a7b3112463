"""The demo district's micro-wishes: a wall with wishes in every status, a few hundred of
them over the last five months (市南's articles count 1,621 claimed across a whole
district; the demo is a smaller one).

Every wish goes through the programmes' actions, each step at its own moment, as a real
wish would: posted by a resident (signed in, or a visitor with a proved phone) or recorded
by a community's staff for a household, reviewed, claimed by a department's handler or an
area's staff, fulfilled, confirmed; some sent back, declined, released, disputed, or left
past their promised date (marked by the overdue scan, as the periodic job would).
"""

import datetime as dt
import random
from collections import Counter
from pathlib import Path

from lianxin.demo import places
from lianxin.demo.district import Cast
from lianxin.orgs.models import Unit
from lianxin.programs import actions
from lianxin.programs.models import Wish
from lianxin.registry.models import Household
from lianxin.workdays.days import local_date

TEXTS = Path(__file__).parent / "data" / "wishes.txt"
# Where a wish's life stops, by weight: most are done, some wait at every step.
ENDS = {
    "pending": 6,
    "changes_requested": 3,
    "declined": 4,
    "published": 14,
    "claimed": 18,
    "fulfilled": 8,
    "confirmed": 47,
}
STEPS = ("published", "claimed", "fulfilled", "confirmed")


def _texts() -> list[str]:
    lines = TEXTS.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


class _Clock:
    """Moments that only move forward, never past `now`."""

    def __init__(self, rng: random.Random, start: dt.datetime, now: dt.datetime):
        self.rng, self.at, self.now = rng, start, now

    def after(self, low_hours: float, high_hours: float) -> dt.datetime | None:
        moment = self.at + dt.timedelta(hours=self.rng.uniform(low_hours, high_hours))
        if moment >= self.now:
            return None
        self.at = moment
        return moment


def build_wishes(cast: Cast, rng: random.Random, now: dt.datetime, count: int = 400) -> Counter:
    """`count` wishes, each taken as far as its drawn end allows before `now`; returns the
    number of wishes in each status."""
    texts = _texts()
    communities = list(Unit.objects.filter(pk__in=cast.community_staff).order_by("pk"))
    # A household of each community (its last), for the wishes its staff record.
    households = dict(Household.objects.order_by("pk").values_list("community", "pk"))
    claimers = [users[0] for users in cast.handlers.values()] + list(cast.street_staff.values())
    ends, weights = list(ENDS), list(ENDS.values())
    for _ in range(count):
        community = rng.choice(communities)
        reviewer = cast.community_staff[community.pk]
        end = rng.choices(ends, weights)[0]
        # A wish still under way was posted lately; a finished one any time in five months.
        days_ago = rng.uniform(2, 150 if end in ("confirmed", "declined") else 40)
        clock = _Clock(rng, now - dt.timedelta(days=days_ago), now)
        wish = _post(cast, rng, community, reviewer, households, rng.choice(texts), clock.at)
        if end in ("pending", "changes_requested", "declined"):
            _review_only(wish, end, reviewer, clock)
            continue
        _live(
            wish,
            STEPS[: STEPS.index(end) + 1],
            reviewer,
            rng.choice(claimers),
            claimers,
            rng,
            clock,
        )
    actions.do_record_overdue_claims(when=now)
    return Counter(Wish.objects.values_list("status", flat=True))


def _post(cast, rng, community, reviewer, households, text, at) -> Wish:
    way = rng.random()
    if way < 0.2 and community.pk in households:
        household = Household.objects.get(pk=households[community.pk])
        return actions.do_post_wish(actor=reviewer, household=household, text=text, when=at)
    if way < 0.6:
        resident = rng.choice(cast.residents)
        return actions.do_post_wish(
            actor=resident,
            community=community,
            text=text,
            wisher_name=resident.full_name,
            wisher_phone=resident.phone,
            when=at,
        )
    return actions.do_post_wish(
        actor=None,
        community=community,
        text=text,
        wisher_name=places.person_name(rng),
        wisher_phone=places.mobile_phone(rng),
        phone_verified=True,
        when=at,
    )


def _review_only(wish: Wish, end: str, reviewer, clock: _Clock) -> None:
    at = clock.after(2, 48)
    if at is None or end == "pending":
        return
    if end == "declined":
        actions.do_decline_wish(
            wish, actor=reviewer, reason="该事项属于诉求，已转为诉求办理。", when=at
        )
    else:
        actions.do_request_wish_change(
            wish, actor=reviewer, note="请写明具体需要的物品或服务。", when=at
        )


def _live(wish, steps, reviewer, claimer, claimers, rng, clock: _Clock) -> None:
    """Publish, then claim, fulfil and confirm as far as `steps` go and time allows."""
    at = clock.after(2, 72)
    if at is None:
        return
    wish = actions.do_publish_wish(wish, actor=reviewer, when=at)
    if "claimed" not in steps:
        return
    at = clock.after(4, 240)
    if at is None:
        return
    if rng.random() < 0.08:  # claimed once, given up, and claimed again by someone else
        actions.do_claim_wish(wish, actor=claimer, promised_date=local_date(at), when=at)
        at = clock.after(1, 48)
        if at is None:
            return
        actions.do_release_wish_claim(
            wish, actor=claimer, reason="近期人手紧张，请其他单位认领。", when=at
        )
        claimer = rng.choice([c for c in claimers if c != claimer])
        at = clock.after(1, 72)
        if at is None:
            return
    promised = local_date(at) + dt.timedelta(days=rng.randint(5, 30))
    actions.do_claim_wish(wish, actor=claimer, promised_date=promised, when=at)
    if "fulfilled" not in steps:
        return
    at = clock.after(12, 24 * (promised - local_date(at)).days + 24)
    if at is None:
        return
    note = "已联系心愿人，送达并帮助安装使用。"
    actions.do_fulfil_wish(wish, actor=claimer, note=note, when=at)
    if "confirmed" not in steps:
        return
    at = clock.after(2, 96)
    if at is None:
        return
    if rng.random() < 0.05:  # "not yet": back to the claimer, done again
        actions.do_dispute_wish(wish, actor=reviewer, reason="心愿人反映还未收到。", when=at)
        at = clock.after(12, 72)
        if at is None:
            return
        actions.do_fulfil_wish(wish, actor=claimer, note="已补送到家。", when=at)
        at = clock.after(2, 48)
        if at is None:
            return
    actions.do_confirm_wish(wish, actor=wish.wisher or reviewer, when=at)
