"""Searching cases by Chinese words, on SQLite by substring and on PostgreSQL by bigram index."""

from django.db import connection
from django.test import SimpleTestCase

from lianxin.cases import search
from lianxin.cases.models import Case
from lianxin.test import LianxinTestCase


class BigramsTest(SimpleTestCase):
    def test_a_word_is_cut_into_its_distinct_two_character_pieces(self):
        self.assertEqual(search.bigrams("路灯不亮路灯"), ["不亮", "亮路", "灯不", "路灯"])

    def test_latin_letters_are_folded_to_lower_case(self):
        self.assertEqual(search.bigrams("LED"), ["ed", "le"])

    def test_a_single_character_has_no_bigram(self):
        self.assertEqual(search.bigrams("灯"), [])


class MatchingTest(LianxinTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.lamp = cls.register(
            cls, title="幸福路路灯不亮", text="幸福路12号门口的路灯坏了三天，晚上很黑。"
        )
        cls.noise = cls.register(
            cls, title="夜间施工噪音扰民", text="工地每晚十一点后还在打桩，LED大屏也很刺眼。"
        )
        cls.water = cls.register(cls, title="楼道漏水", text="三号楼楼道顶上漏水，地面很滑。")

    def found(self, query):
        return set(search.matching(Case.objects.all(), query))

    def test_a_two_character_word_finds_the_cases_that_hold_it(self):
        self.assertEqual(self.found("路灯"), {self.lamp})
        self.assertEqual(self.found("漏水"), {self.water})

    def test_a_phrase_must_appear_whole_not_merely_its_pieces(self):
        # 路灯 and 灯坏 both occur in the lamp case, but never as 路灯坏: the bigram index
        # only narrows the search, the substring test decides.
        self.assertEqual(self.found("门口的路灯"), {self.lamp})
        self.assertEqual(self.found("路灯坏了"), {self.lamp})
        self.assertEqual(self.found("幸福路灯"), set())

    def test_words_are_found_in_the_text_as_well_as_the_title(self):
        self.assertEqual(self.found("打桩"), {self.noise})

    def test_one_character_finds_every_case_that_holds_it(self):
        self.assertEqual(self.found("黑"), {self.lamp})
        self.assertEqual(self.found("楼"), {self.water})

    def test_latin_letters_match_whatever_their_case(self):
        self.assertEqual(self.found("led"), {self.noise})

    def test_the_tracking_number_finds_its_case(self):
        self.assertEqual(self.found(self.water.tracking_number), {self.water})

    def test_an_absent_word_finds_nothing_and_blank_finds_everything(self):
        self.assertEqual(self.found("彩虹桥"), set())
        self.assertEqual(self.found("  "), {self.lamp, self.noise, self.water})

    def test_search_narrows_a_scoped_list_without_widening_it(self):
        scoped = Case.objects.filter(pk__in=[self.noise.pk, self.water.pk])
        self.assertEqual(set(search.matching(scoped, "路灯")), set())
        self.assertEqual(set(search.matching(scoped, "漏水")), {self.water})

    def test_on_postgresql_the_bigram_index_answers_the_query(self):
        if connection.vendor != "postgresql":
            self.skipTest("the bigram index exists on PostgreSQL only")
        query = search.matching(Case.objects.all(), "路灯")
        with connection.cursor() as cursor:
            # Three rows would be read faster in full, or along any other index; forbid
            # both to see the plan PostgreSQL takes on a table large enough to need it.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            sql, params = query.query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        self.assertIn("case_text_bigrams", plan)


class SeatSearchTest(LianxinTestCase):
    """What a 12345 seat types: several words, a caller's phone or name, a number's tail."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.fulin_lamp = cls.register(
            cls,
            title="福临苑路灯不亮",
            text="福临苑3号楼门口路灯坏了。",
            resident_name="孙丽华",
            resident_phone="13912345678",
        )
        cls.fulin_noise = cls.register(
            cls, title="福临苑夜间施工", text="工地噪音扰民。", resident_name="李建国"
        )
        cls.other_lamp = cls.register(
            cls,
            title="青峰路路灯闪烁",
            text="孙丽华说路灯一闪一闪。",
            resident_name="",
            resident_phone="0532-88886666",
        )

    def found(self, query):
        return set(search.matching(Case.objects.all(), query))

    def test_every_word_must_match(self):
        self.assertEqual(self.found("福临 路灯"), {self.fulin_lamp})
        self.assertEqual(self.found("路灯"), {self.fulin_lamp, self.other_lamp})
        self.assertEqual(self.found("福临"), {self.fulin_lamp, self.fulin_noise})
        self.assertEqual(self.found("福临  噪音 工地"), {self.fulin_noise})
        self.assertEqual(self.found("福临 漏水"), set())

    def test_a_callers_phone_finds_his_cases(self):
        self.assertEqual(self.found("13912345678"), {self.fulin_lamp})
        self.assertEqual(self.found("0532-88886666"), {self.other_lamp})
        self.assertEqual(self.found("13900000000"), set())

    def test_a_full_name_finds_that_residents_cases_before_texts_that_mention_her(self):
        self.assertEqual(self.found("孙丽华"), {self.fulin_lamp})
        self.assertEqual(self.found("李建国 噪音"), {self.fulin_noise})
        # A name no resident gave is searched for as words.
        self.assertEqual(self.found("一闪"), {self.other_lamp})

    def test_the_tail_of_a_tracking_number_finds_its_case(self):
        serial = self.fulin_noise.tracking_number.rsplit("-", 1)[1]
        self.assertEqual(self.found(serial.lstrip("0")), {self.fulin_noise})
        self.assertEqual(self.found(serial), {self.fulin_noise})
        # Digits that are no case's serial are words again: 3号楼.
        self.assertEqual(self.found("3号楼"), {self.fulin_lamp})

    def test_the_search_stays_within_what_the_user_may_see(self):
        dispatched = self.dispatched(resident_name="赵敏", title="福临苑垃圾清运")
        theirs = self.dispatched(unit=self.dept_b, resident_name="赵敏", title="福临苑漏水")
        seen = Case.objects.visible_to(self.handler_a)
        self.assertEqual(set(search.matching(seen, "赵敏")), {dispatched})
        self.assertNotIn(theirs, search.matching(seen, "福临"))
