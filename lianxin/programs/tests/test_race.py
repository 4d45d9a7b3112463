"""Two claimers pressing "claim" on one wish at the same moment, over real PostgreSQL
connections: exactly one wins."""

import datetime as dt
import os

import pytest
import time_machine
from django.db import connection
from django.test import TransactionTestCase

from lianxin.cases.tests.test_concurrency import race
from lianxin.errors import WorkflowError
from lianxin.programs import actions
from lianxin.programs.models import Wish, WishClaim, WishEvent, WishStatus
from lianxin.programs.tests.builders import Wishes
from lianxin.test import Builders, District, at


@pytest.mark.postgres
class ClaimRaceTest(Wishes, Builders, TransactionTestCase):
    def setUp(self):
        if connection.vendor != "postgresql":
            if os.getenv("CI") == "true" and os.getenv("DATABASE_URL"):
                self.fail("CI runs this test on PostgreSQL")
            self.skipTest("needs PostgreSQL: row locks are what is being tested")
        self.enterContext(time_machine.travel(at(2026, 6, 17, 10), tick=True))
        District.build(self)

    def test_two_claimers_at_once_exactly_one_wins(self):
        wish = self.published()
        promised = dt.date(2026, 6, 24)
        results = race(
            lambda: actions.do_claim_wish(wish, actor=self.handler_a, promised_date=promised),
            lambda: actions.do_claim_wish(wish, actor=self.handler_b, promised_date=promised),
        )
        winners = [r for r in results if isinstance(r, WishClaim)]
        losers = [r for r in results if isinstance(r, Exception)]
        self.assertEqual((len(winners), len(losers)), (1, 1), results)
        self.assertIsInstance(losers[0], WorkflowError)
        self.assertEqual(losers[0].code, "invalid_transition")
        self.assertEqual(WishClaim.objects.get(wish=wish), winners[0])
        self.assertEqual(Wish.objects.get(pk=wish.pk).status, WishStatus.CLAIMED)
        self.assertEqual(WishEvent.objects.filter(code="programs.wish.claimed").count(), 1)

    def test_claiming_and_releasing_at_once_leave_one_live_claim_at_most(self):
        wish = self.claimed()
        promised = dt.date(2026, 6, 24)
        results = race(
            lambda: actions.do_release_wish_claim(wish, actor=self.handler_a, reason="人手不足"),
            lambda: actions.do_claim_wish(wish, actor=self.handler_b, promised_date=promised),
        )
        live = WishClaim.objects.filter(wish=wish, released_at__isnull=True).count()
        self.assertLessEqual(live, 1, results)
        self.assertFalse(isinstance(results[0], Exception), results)
