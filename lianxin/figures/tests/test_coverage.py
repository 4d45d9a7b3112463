"""Coverage of a round, counted by hand on a small register: 7 households in scope of the
office (one more moved away), 2 pairs, visits met and not met, one visit of another round."""

from lianxin.figures import coverage
from lianxin.figures.tests.visits import a_round, due, visit
from lianxin.registry import actions
from lianxin.registry.coverage_tally import recounting
from lianxin.registry.models import Attachment, VisitDue
from lianxin.test import Builders, LianxinTestCase, at, make_user


def build_counted(target) -> None:
    """The register counted by hand below, on `target` (a test class or a browser test)."""
    Builders.build_registers(target)
    office = target.dispatcher
    cadre = actions.do_save_cadre(
        actor=office, name="孙丽", employer=target.community, phone="13900000003"
    ).row
    target.pair2 = actions.do_save_pair(
        actor=office, code="FL-02", community=target.community, cadres=[cadre]
    ).row
    target.h3, target.h4, target.h5, target.h6, target.gone = (
        actions.do_save_household(
            actor=office,
            community=target.community,
            grid=target.grid,
            address=f"福临苑5号楼1单元{room}室",
            head_name=name,
            phone=f"1350000{room}0",
        ).row
        for room, name in [
            (101, "周一"),
            (102, "吴二"),
            (201, "郑三"),
            (202, "冯四"),
            (301, "陈五"),
        ]
    )
    for h in (target.h3, target.h4, target.h5):
        actions.do_assign_household_to_pair(h, actor=office, pair=target.pair2)
    target.h3.refresh_from_db()
    with recounting([target.gone.pk]):  # moved away, written around the actions
        target.gone.active = False
        target.gone.save()
    target.first = a_round(1, at(2026, 3, 2), at(2026, 4, 30), status="closed")
    target.second = a_round(2, at(2026, 6, 1), at(2026, 7, 31))
    by = target.dispatcher
    visit(target.household, target.second, at(2026, 6, 3), by=by)
    visit(target.neighbour, target.second, at(2026, 6, 3), met=False, method="phone", by=by)
    visit(target.h3, target.second, at(2026, 6, 4), met=False, by=by)
    late = visit(target.h3, target.second, at(2026, 6, 20), by=by)
    visit(target.h5, target.first, at(2026, 3, 10), by=by)  # another round's
    visit(target.h6, target.second, at(2026, 6, 5), method="wechat", by=by)
    visit(target.gone, target.second, at(2026, 6, 5), by=by)  # moved away: not counted
    first_visit = target.household.visits.get()
    due(
        target.household,
        target.second,
        opened=at(2026, 6, 1),
        due_at=at(2026, 6, 8),
        done_by=first_visit,
    )
    due(target.h3, target.second, opened=at(2026, 6, 1), due_at=at(2026, 6, 8), done_by=late)
    due(target.h4, target.second, opened=at(2026, 6, 1), due_at=at(2026, 6, 8))
    urgent = VisitDue.Kind.URGENT
    due(target.far_household, None, opened=at(2026, 6, 10), due_at=at(2026, 6, 11), kind=urgent)
    due(target.far_household, None, opened=at(2026, 5, 10), due_at=at(2026, 5, 11), kind=urgent)
    Attachment.objects.create(
        kind=Attachment.Kind.LEADER_STREET, user=target.leader, area=target.street
    )
    target.officer = make_user("officer")
    Attachment.objects.create(
        kind=Attachment.Kind.OFFICER_GRID, user=target.officer, area=target.other_grid
    )


class CountedRegister(LianxinTestCase):
    """The register below, for the pages' and exports' tests too."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        build_counted(cls)


class HandCounted(CountedRegister):
    def counts(self, rows):
        return {
            r.label: (r.households, r.visited, r.met, r.not_visited, r.dues, r.on_time)
            for r in rows
        }

    def test_the_office_sees_the_district_in_total(self):
        row = coverage.summary(self.dispatcher, self.second)
        self.assertEqual(
            (row.households, row.visited, row.met, row.not_visited, row.dues, row.on_time),
            (7, 4, 3, 3, 4, 1),
        )
        self.assertAlmostEqual(row.coverage, 400 / 7)
        self.assertEqual(row.on_time_rate, 25)

    def test_by_pair(self):
        rows = coverage.breakdown(self.dispatcher, self.second, "pair")
        self.assertEqual(
            self.counts(rows),
            {
                "FL-01（福临社区）": (2, 2, 1, 0, 1, 1),
                "FL-02（福临社区）": (3, 1, 1, 2, 2, 0),
                "未编组": (2, 1, 1, 1, 1, 0),
            },
        )

    def test_by_community_street_zone_department_and_leader(self):
        fulin, qingfeng = (6, 4, 3, 2, 3, 1), (1, 0, 0, 1, 1, 0)
        expected = {
            "community": {"福临社区": fulin, "青峰社区": qingfeng},
            "street": {self.street.name: fulin, self.other_street.name: qingfeng},
            "grid": {"福临第一网格": fulin, "青峰第一网格": qingfeng},
            "zone": {"福临片区": fulin, "未划分": qingfeng},
            "department": {"区城市管理局": fulin},
            "leader": {"李副区长": fulin, "officer": qingfeng},
        }
        for by, counts in expected.items():
            with self.subTest(by=by):
                self.assertEqual(
                    self.counts(coverage.breakdown(self.dispatcher, self.second, by)), counts
                )

    def test_the_closed_round_counts_its_own_visits(self):
        row = coverage.summary(self.dispatcher, self.first)
        self.assertEqual((row.households, row.visited, row.met, row.dues), (7, 1, 1, 0))

    def test_each_sees_only_his_households(self):
        for user, households in [
            (self.community_staff, 6),
            (self.handler_a, 6),
            (self.other_grid_worker, 1),
            (self.outside_cadre_user, 2),
            (self.handler_c, 0),
            (self.resident, 0),
        ]:
            with self.subTest(user=user.username):
                self.assertEqual(coverage.summary(user, self.second).households, households)
                rows = coverage.breakdown(user, self.second, "community")
                self.assertEqual(sum(r.households for r in rows), households)

    def test_the_households_behind_each_number(self):
        for measure, expected in [
            ("households", {self.h3, self.h4, self.h5}),
            ("visited", {self.h3}),
            ("met", {self.h3}),
            ("not_visited", {self.h4, self.h5}),
            ("dues", {self.h3, self.h4}),
            ("on_time", set()),
        ]:
            with self.subTest(measure=measure):
                found = coverage.households_behind(
                    self.dispatcher, self.second, "pair", self.pair2.pk, measure
                )
                self.assertEqual(set(found), expected)
        not_visited = coverage.households_behind(
            self.community_staff, self.second, None, None, "not_visited"
        )
        self.assertEqual(set(not_visited), {self.h4, self.h5})
