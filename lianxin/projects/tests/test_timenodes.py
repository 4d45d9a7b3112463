"""The 时间节点 phrases offices write, read into milestones."""

import datetime as dt

from django.test import SimpleTestCase

from lianxin.projects.timenodes import parse_nodes

D = dt.date


class TimeNodesTest(SimpleTestCase):
    def nodes(self, text, year=2027):
        nodes, bad = parse_nodes(text, year)
        self.assertEqual(bad, [])
        return [(node.due_date, node.text) for node in nodes]

    def test_the_issues_example(self):
        self.assertEqual(
            self.nodes("2027年3月底前完成方案；6月底前开工"),
            [(D(2027, 3, 31), "完成方案"), (D(2027, 6, 30), "开工")],
        )

    def test_each_phrase(self):
        cases = {
            "3月底前": D(2027, 3, 31),
            "3月末": D(2027, 3, 31),
            "3月份": D(2027, 3, 31),
            "6月前": D(2027, 5, 31),
            "6月以前": D(2027, 5, 31),
            "2月底前": D(2027, 2, 28),
            "2027年10月15日前": D(2027, 10, 15),
            "10月15号": D(2027, 10, 15),
            "年底前": D(2027, 12, 31),
            "年内": D(2027, 12, 31),
            "一季度": D(2027, 3, 31),
            "第二季度末": D(2027, 6, 30),
            "3季度": D(2027, 9, 30),
            "上半年": D(2027, 6, 30),
            "年中": D(2027, 6, 30),
            "下半年": D(2027, 12, 31),
            "三月上旬": D(2027, 3, 10),
            "5月中旬": D(2027, 5, 20),
            "十二月下旬": D(2027, 12, 31),
            "2028年底前": D(2028, 12, 31),
        }
        for text, day in cases.items():
            with self.subTest(text):
                self.assertEqual(self.nodes(text + "完成"), [(day, "完成")])

    def test_a_year_holds_for_the_phrases_after_it(self):
        self.assertEqual(
            self.nodes("2028年3月底前完成设计，10月底前完工"),
            [(D(2028, 3, 31), "完成设计"), (D(2028, 10, 31), "完工")],
        )

    def test_a_leap_year_february(self):
        self.assertEqual(self.nodes("2月底前完成", 2028), [(D(2028, 2, 29), "完成")])

    def test_a_phrase_alone_is_its_own_text(self):
        self.assertEqual(self.nodes("年底前"), [(D(2027, 12, 31), "年底前")])

    def test_separators_and_line_breaks(self):
        self.assertEqual(
            self.nodes("一季度完成招标、\n上半年开工。下半年完工"),
            [(D(2027, 3, 31), "完成招标"), (D(2027, 6, 30), "开工"), (D(2027, 12, 31), "完工")],
        )

    def test_impossible_dates_are_reported(self):
        nodes, bad = parse_nodes("2月30日前完成方案；13月底前开工", 2027)
        self.assertEqual(nodes, [])
        self.assertEqual(bad, ["2月30日前", "13月底前"])

    def test_text_without_a_date_has_no_nodes(self):
        self.assertEqual(parse_nodes("按计划推进", 2027), ([], []))
        self.assertEqual(parse_nodes("", 2027), ([], []))
