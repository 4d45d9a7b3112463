"""A partner unit's claim and a department's claim of one wish at the same moment, over
real PostgreSQL connections: exactly one wins (the exclusive claim holds for partners)."""

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
from lianxin.volunteers.actions import do_save_partner


@pytest.mark.postgres
class PartnerClaimRaceTest(Wishes, Builders, TransactionTestCase):
    def setUp(self):
        if connection.vendor != "postgresql":
            if os.getenv("CI") == "true" and os.getenv("DATABASE_URL"):
                self.fail("CI runs this test on PostgreSQL")
            self.skipTest("needs PostgreSQL: row locks are what is being tested")
        self.enterContext(time_machine.travel(at(2026, 6, 17, 10), tick=True))
        District.build(self)

    def test_a_partner_and_a_department_at_once_exactly_one_wins(self):
        partner = do_save_partner(
            actor=self.community_staff, name="青岛银行福临支行", communities=[self.community]
        ).row
        promised = dt.date(2026, 6, 24)
        for _round in range(3):
            wish = self.published()
            results = race(
                lambda wish=wish: actions.do_claim_wish(
                    wish, actor=self.community_staff, promised_date=promised, partner=partner
                ),
                lambda wish=wish: actions.do_claim_wish(
                    wish, actor=self.handler_b, promised_date=promised
                ),
            )
            winners = [r for r in results if isinstance(r, WishClaim)]
            losers = [r for r in results if isinstance(r, Exception)]
            self.assertEqual((len(winners), len(losers)), (1, 1), results)
            self.assertIsInstance(losers[0], WorkflowError)
            self.assertEqual(losers[0].code, "invalid_transition")
            self.assertEqual(WishClaim.objects.get(wish=wish), winners[0])
            self.assertEqual(Wish.objects.get(pk=wish.pk).status, WishStatus.CLAIMED)
            self.assertEqual(
                WishEvent.objects.filter(wish=wish, code="programs.wish.claimed").count(), 1
            )
