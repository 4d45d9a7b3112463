"""Random sequences of wish actions: whatever happens, the figures counted in the database
equal the same figures recomputed in plain Python from the raw wish and claim rows.

Each example is a list of steps (an action, which wish or actor, how much time passes); a
step the rules refuse is skipped, as a person's refused click would be.
"""

import contextlib
import datetime as dt
from collections import Counter

import time_machine
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from lianxin.errors import WorkflowError
from lianxin.programs import actions, figures
from lianxin.programs.models import Wish, WishClaim, WishStatus
from lianxin.test import District, at
from lianxin.workdays.days import local_date

S = WishStatus
START = at(2026, 6, 1, 9)
# The main path weighs more, so that most examples take some wishes all the way.
OPS = ["post"] + ["publish", "claim", "fulfil"] * 3 + ["confirm"] * 2
OPS += ["request_change", "revise", "decline", "release", "dispute"]
STEP = st.tuples(st.sampled_from(OPS), st.integers(0, 1_000_000), st.integers(0, 4 * 24 * 3600))


def reference(today: dt.date):
    """(totals, by community name, by unit name) counted row by row in Python."""
    wishes = list(Wish.objects.select_related("community"))
    claims = list(WishClaim.objects.select_related("unit", "wish"))
    late = {
        c.wish_id
        for c in claims
        if c.released_at is None and c.fulfilled_at is None and c.promised_date < today
    }

    def counts(rows):
        return Counter(
            {
                "posted": len(rows),
                "published": sum(w.published_at is not None for w in rows),
                "claimed": sum(w.status in (S.CLAIMED, S.FULFILLED, S.CONFIRMED) for w in rows),
                "fulfilled": sum(w.status in (S.FULFILLED, S.CONFIRMED) for w in rows),
                "confirmed": sum(w.status == S.CONFIRMED for w in rows),
                "overdue": sum(w.pk in late for w in rows),
            }
        )

    by_community = {}
    for name in {w.community.name for w in wishes}:
        by_community[name] = counts([w for w in wishes if w.community.name == name])
    by_unit: dict[str, Counter] = {}
    for c in claims:
        if c.released_at is not None:
            continue
        row = by_unit.setdefault(c.unit.name, Counter())
        row["claimed"] += 1
        row["fulfilled"] += c.fulfilled_at is not None
        row["confirmed"] += c.wish.status == S.CONFIRMED
        row["overdue"] += c.fulfilled_at is None and c.promised_date < today
    return counts(wishes), by_community, by_unit


def as_counter(row) -> Counter:
    return Counter({k: v for k, v in vars(row).items() if k != "label" and v})


class WishFiguresPropertyTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        District.build(cls)

    def apply(self, op: str, pick: int, wishes: list[Wish]) -> None:
        communities = [self.community, self.other_community]
        claimers = [self.handler_a, self.handler_b, self.street_staff, self.community_staff]
        reviewer = self.community_staff if pick % 2 else self.dispatcher
        if op == "post":
            community = communities[pick % 2]
            wishes.append(
                actions.do_post_wish(
                    actor=self.resident,
                    community=community,
                    text="想要一副助行器。",
                    wisher_name="王秀兰",
                    wisher_phone="13812341234",
                )
            )
            return
        if not wishes:
            return
        wish = Wish.objects.get(pk=wishes[pick % len(wishes)].pk)
        claim = WishClaim.objects.filter(wish=wish, released_at__isnull=True).first()
        holder = claim.claimer if claim else self.handler_a
        if op == "publish":
            actions.do_publish_wish(wish, actor=reviewer)
        elif op == "request_change":
            actions.do_request_wish_change(wish, actor=reviewer, note="请写明型号。")
        elif op == "revise":
            actions.do_revise_wish(wish, actor=self.resident, text="想要一副折叠助行器。")
        elif op == "decline":
            actions.do_decline_wish(wish, actor=reviewer, reason="属于诉求。")
        elif op == "claim":
            promised = local_date(timezone.now()) + dt.timedelta(days=pick % 9)
            actions.do_claim_wish(wish, actor=claimers[pick % 4], promised_date=promised)
        elif op == "release":
            actions.do_release_wish_claim(wish, actor=holder, reason="人手不够。")
        elif op == "fulfil":
            actions.do_fulfil_wish(wish, actor=holder, note="已送达。")
        elif op == "confirm":
            actions.do_confirm_wish(wish, actor=self.resident if pick % 2 else reviewer)
        elif op == "dispute":
            actions.do_dispute_wish(wish, actor=self.resident, reason="还没收到。")

    @settings(
        max_examples=20,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(st.lists(STEP, min_size=10, max_size=40))
    def test_the_database_figures_equal_the_reference(self, steps):
        wishes: list[Wish] = []
        moment = START
        for op, pick, seconds in steps:
            moment += dt.timedelta(seconds=seconds)
            with time_machine.travel(moment, tick=False), contextlib.suppress(WorkflowError):
                self.apply(op, pick, wishes)
        for day in (local_date(moment), local_date(moment) + dt.timedelta(days=5)):
            total, by_community, by_unit = reference(day)
            everything = Wish.objects.all()
            self.assertEqual(as_counter(figures.totals(everything, day)), +total)
            self.assertEqual(
                {row.label: as_counter(row) for row in figures.by_community(everything, day)},
                {name: +counts for name, counts in by_community.items()},
            )
            self.assertEqual(
                {row.label: as_counter(row) for row in figures.by_claimer_unit(everything, day)},
                {name: +counts for name, counts in by_unit.items()},
            )
