"""Coverage of a round lived through the registry's actions, not written as rows: the office
writes and opens the round, cadres record their visits with `do_record_visit`, a 及时访 is
raised and answered late. Counted by hand below."""

import datetime as dt

import time_machine

from lianxin.figures import coverage
from lianxin.registry import actions
from lianxin.registry.models import Tag, VisitDue
from lianxin.test import LianxinTestCase, at


class CoverageOfRecordedVisitsTest(LianxinTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build_registers(cls)
        office = cls.dispatcher
        # A fourth household, in 福临社区's grid and in no pair: nobody goes.
        cls.forgotten = actions.do_save_household(
            actor=office,
            community=cls.community,
            grid=cls.grid,
            address="福临苑3号楼2单元401室",
            head_name="陈五",
        ).row
        cls.round = actions.do_save_round(
            None,
            actor=office,
            number=3,
            starts_on=dt.date(2026, 6, 1),
            ends_on=dt.date(2026, 7, 31),
            priority_tags=Tag.objects.filter(code="dibao"),
            priority_working_days=5,
            when=at(2026, 5, 25),
        )
        # 王秀兰 (低保) is due a 重点访 within 5 working days of Monday 1 June: by 8 June.
        actions.do_open_round(cls.round, actor=office, when=at(2026, 6, 1, 9, 0))
        cls.round.refresh_from_db()

        def record(household, actor, visited_at, **fields):
            values = {"method": "in_person", "met": True} | fields
            return actions.do_record_visit(
                household, actor=actor, visited_at=visited_at, when=visited_at, **values
            )

        record(cls.household, cls.cadre_user, at(2026, 6, 3, 15, 0))  # on time
        record(cls.neighbour, cls.cadre_user, at(2026, 6, 4, 19, 0), method="phone", met=False)
        # 及时访 for 刘芳 on Wednesday 10 June: 2 working days, answered on Monday 15 June.
        actions.do_open_urgent_visit(
            cls.far_household, actor=office, reason="老人摔伤住院", when=at(2026, 6, 10, 11, 0)
        )
        record(cls.far_household, cls.other_grid_worker, at(2026, 6, 15, 10, 0))

    def setUp(self):
        self.enterContext(time_machine.travel(at(2026, 6, 17), tick=False))

    def counts(self, row):
        return (row.households, row.visited, row.met, row.not_visited, row.dues, row.on_time)

    def test_the_actions_left_what_was_counted_by_hand(self):
        dues = VisitDue.objects.order_by("opened_at")
        self.assertEqual(
            [(d.kind, d.household.head_name, d.visit is not None) for d in dues],
            [("priority", "王秀兰", True), ("urgent", "刘芳", True)],
        )
        urgent = dues[1]
        self.assertGreater(urgent.visit.visited_at, urgent.due_at, "answered late")

    def test_the_office_sees_the_round_in_total(self):
        row = coverage.summary(self.dispatcher, self.round)
        self.assertEqual(self.counts(row), (4, 3, 2, 1, 2, 1))
        self.assertEqual(row.on_time_rate, 50)

    def test_by_community(self):
        rows = coverage.breakdown(self.dispatcher, self.round, "community")
        self.assertEqual(
            {r.label: self.counts(r) for r in rows},
            {"福临社区": (3, 2, 1, 1, 1, 1), "青峰社区": (1, 1, 1, 0, 1, 0)},
        )

    def test_the_pair_sees_its_own_two_households(self):
        # 李娜 is in the pair and holds no staff role: the pair's households are all hers.
        row = coverage.summary(self.outside_cadre_user, self.round)
        self.assertEqual(self.counts(row), (2, 2, 1, 0, 1, 1))
