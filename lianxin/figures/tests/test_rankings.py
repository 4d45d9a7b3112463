"""The assessment ranking: timeliness counts, no marks without data, peers ranked apart."""

import datetime as dt

from lianxin.cases.models import Case
from lianxin.figures import metrics as m
from lianxin.figures import rankings
from lianxin.figures.tests.test_metrics import NOW, figures
from lianxin.orgs.models import DistrictSettings
from lianxin.test import LianxinTestCase, at

ON_TIME = [at(2026, 11, d) for d in (2, 2, 2, 3, 4, 5, 6)]
# Registered 2 Nov, reply due 11 Nov: replied on the 12th, resolved on the 19th.
LATE = [at(2026, 11, d) for d in (2, 2, 2, 12, 19, 19, 20)]


def tables(ctx):
    cases = m.Selection(dt.date(2026, 11, 1), dt.date(2026, 11, 20)).apply(Case.objects.all())
    return m.breakdowns(cases, ["lead_unit", "street"], ctx)


def peers(ctx):
    return {group["code"]: group for group in rankings.peer_rankings(tables(ctx), ctx)}


class RankingTest(LianxinTestCase):
    def setUp(self):
        self.policy = DistrictSettings.load()
        self.policy.ranking_min_cases = 1
        self.policy.save()
        self.dept_c.public_enterprise = True  # say, the power company
        self.dept_c.save()

    def test_a_late_unit_loses_marks_for_it(self):
        for _ in range(3):
            self.through(ON_TIME, unit=self.dept_a)
            self.through(LATE, unit=self.dept_b)
        ctx = m.Context.build(now=NOW)
        groups = peers(ctx)["department"]
        scores = {row.key: row.score for row in groups["ranked"]}
        self.assertEqual(scores[self.dept_a.pk], 100.0)
        # Satisfied, solved and responsive, but every reply and resolution late:
        # the 15 % + 15 % of timeliness are lost.
        self.assertEqual(scores[self.dept_b.pk], 70.0)
        self.assertEqual([row.key for row in groups["ranked"]], [self.dept_a.pk, self.dept_b.pk])

    def test_a_unit_nobody_has_rated_is_not_ranked(self):
        self.through(ON_TIME, unit=self.dept_a)
        self.through(ON_TIME, unit=self.dept_b, until="resolved")  # not visited yet
        ctx = m.Context.build(now=NOW)
        groups = peers(ctx)["department"]
        self.assertEqual([row.key for row in groups["ranked"]], [self.dept_a.pk])
        (waiting,) = groups["unranked"]
        self.assertEqual(waiting.key, self.dept_b.pk)
        self.assertIsNone(waiting.score)
        self.assertEqual(waiting.unranked_because, "数据不足：解决率、最终满意率")

    def test_too_few_cases_comes_first_as_the_reason(self):
        self.policy.ranking_min_cases = 2
        self.policy.save()
        self.through(ON_TIME, unit=self.dept_a)
        ctx = m.Context.build(now=NOW)
        (row,) = peers(ctx)["department"]["unranked"]
        self.assertEqual(row.unranked_because, "件数过少")

    def test_departments_enterprises_and_streets_rank_apart(self):
        self.through(ON_TIME, unit=self.dept_a)
        self.through(ON_TIME, unit=self.dept_b, grid=self.other_grid)
        self.through(ON_TIME, unit=self.dept_c)  # the public enterprise
        # A grid that leads its own case (it blew the whistle and keeps it).
        self.through(ON_TIME[:2], unit=self.grid, until="dispatched")
        ctx = m.Context.build(now=NOW)
        groups = peers(ctx)

        def keys(code):
            group = groups[code]
            return {row.key for row in group["ranked"] + group["unranked"]}

        self.assertEqual(keys("department"), {self.dept_a.pk, self.dept_b.pk})
        self.assertEqual(keys("enterprise"), {self.dept_c.pk})
        self.assertEqual(keys("street"), {self.street.pk, self.other_street.pk})
        self.assertNotIn(self.grid.pk, keys("department") | keys("enterprise"))
        # The grid's case counts in its street's area.
        rows = groups["street"]["ranked"] + groups["street"]["unranked"]
        street = next(row for row in rows if row.key == self.street.pk)
        self.assertEqual(street["total"].numerator, 3)

    def test_the_weights_come_from_the_district_settings(self):
        self.through(LATE, unit=self.dept_a)
        self.policy.weight_reply_on_time = self.policy.weight_resolve_on_time = 0
        self.policy.weight_response, self.policy.weight_resolution = 20, 40
        self.policy.weight_satisfaction = 40
        self.policy.save()
        self.assertEqual(figures()["score"].value, 100.0)  # lateness weighs nothing now
        self.policy.weight_reply_on_time, self.policy.weight_response = 20, 0
        self.policy.save()
        self.assertEqual(figures()["score"].value, 80.0)
