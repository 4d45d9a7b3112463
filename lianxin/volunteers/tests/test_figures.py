"""The hours and the ranking against counts made by hand from the activities below."""

import datetime as dt
from decimal import Decimal

import time_machine

from lianxin.test import LianxinTestCase, at
from lianxin.volunteers import actions, figures
from lianxin.volunteers.models import Participation, ReportIn, Team
from lianxin.volunteers.tests.builders import Volunteers

D = Decimal


class HoursTest(Volunteers, LianxinTestCase):
    def setUp(self):
        self.enterContext(time_machine.travel(at(2026, 6, 17, 10), tick=False))
        self.red = self.team("红马甲")
        self.blue = self.team("蓝马甲")
        self.zhang = self.member(self.red, "张桂芬", "13900001111")
        self.li = self.member(self.red, "李明", "13900003333")
        # 张桂芬 serves in both teams: one person, two memberships.
        self.zhang_blue = self.member(self.blue, "张桂芬", "13900001111")
        self.liu_report = self.report_in("刘建国", "13700002222", employer=self.dept_a)
        self.liu = actions.do_save_member(
            self.blue, actor=self.dispatcher, report_in=self.liu_report
        ).row
        self.wang_report = self.report_in("王强", "13700003333", employer=self.dept_b)
        self.report_in("赵敏", "13700004444", employer=self.dept_a, party_member=False)
        self.wang = actions.do_save_member(
            self.red, actor=self.dispatcher, report_in=self.wang_report
        ).row
        self.activity(self.red, [(self.zhang, "2"), (self.li, "1.5"), (self.wang, "3")])
        self.activity(self.red, [(self.zhang, "1"), (self.wang, "0.5")], date=dt.date(2026, 6, 1))
        self.activity(self.blue, [(self.zhang_blue, "4"), (self.liu, "2.5")])
        self.activity(self.blue, [(self.liu, "1")], date=dt.date(2026, 5, 20))

    def test_hours_by_member_in_his_team(self):
        hours = figures.member_hours(self.red.members.all())
        # By hand: 张 2+1, 李 1.5, 王 3+0.5.
        self.assertEqual(
            hours, {self.zhang.pk: D("3"), self.li.pk: D("1.5"), self.wang.pk: D("3.5")}
        )

    def test_hours_by_person_across_teams(self):
        people = figures.person_hours()
        zhang = people[("phone", "13900001111")]
        # By hand: red 2+1, blue 4 → 7 hours in 3 services over 2 teams.
        self.assertEqual((zhang.hours, zhang.services, len(zhang.team_ids)), (D("7"), 3, 2))
        liu = people[("report_in", self.liu_report.pk)]
        self.assertEqual((liu.hours, liu.services), (D("3.5"), 2))
        total = sum((p.hours for p in people.values()), D("0"))
        self.assertEqual(total, D("15.5"))
        self.assertEqual(total, sum(Participation.objects.values_list("hours", flat=True)))

    def test_hours_by_team(self):
        found = figures.team_figures(Team.objects.all())
        red, blue = found[self.red.pk], found[self.blue.pk]
        self.assertEqual((red.members, red.activities, red.services, red.hours), (3, 2, 5, D("8")))
        self.assertEqual(
            (blue.members, blue.activities, blue.services, blue.hours), (2, 2, 3, D("7.5"))
        )

    def test_ranking_by_employer_unit(self):
        actions.do_assign(self.liu_report, actor=self.dispatcher, kind="service", service="代购")
        done = actions.do_assign(
            self.wang_report, actor=self.dispatcher, kind="service", service="理发"
        )
        actions.do_finish_assignment(done, actor=self.dispatcher, note="理发8人")
        ranking = figures.by_employer(ReportIn.objects.all())
        rows = [
            (
                u.name,
                u.report_ins,
                u.party_members,
                u.assignments,
                u.assignments_done,
                u.activities,
                u.hours,
            )
            for u in ranking
        ]
        # By hand: 城管局 has 刘 (party) and 赵 (not); 刘 served twice, 3.5 hours.
        # 住建局 has 王 (party), two red activities, 3.5 hours, one assignment done.
        self.assertEqual(
            rows,
            [
                ("区城市管理局", 2, 1, 1, 0, 2, D("3.5")),
                ("区住房和城乡建设局", 1, 1, 1, 1, 2, D("3.5")),
            ],
        )

    def test_stats_count_the_district(self):
        stats = figures.stats()
        self.assertEqual(
            {
                k: stats[k]
                for k in ("teams", "members", "activities", "services", "hours", "report_ins")
            },
            {
                "teams": 2,
                "members": 5,
                "activities": 4,
                "services": 8,
                "hours": 15.5,
                "report_ins": 3,
            },
        )
