import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from lianxin.cases import actions
from lianxin.cases.models import Category
from lianxin.intel.suggest import category_store, suggest_categories, training_examples
from lianxin.test import LianxinTestCase

LIGHTS = ["路灯不亮", "路灯坏了", "晚上路灯一直不亮", "路灯闪烁", "小区路灯损坏", "路灯没有修"]
ROADS = ["道路坑洼", "马路破损", "路面塌陷", "道路积水坑洼", "人行道破损", "马路坑洼不平"]


class TrainCommandTest(LianxinTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.roads = Category.objects.create(
            code="roads", name="道路破损", parent=cls.top_category, default_unit=cls.dept_c
        )

    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.data_dir = Path(tmp.name)
        self.enterContext(override_settings(DATA_DIR=self.data_dir))

    def close(self, title, category):
        case = self.verified(title=title, text=f"{title}，请尽快处理。", category=category)
        actions.do_record_return_visit(
            case, actor=self.dispatcher, satisfaction="satisfied", solved=True
        )

    def train(self) -> str:
        out = StringIO()
        call_command("intel", "train", stdout=out)
        return out.getvalue()

    def test_keyword_rules_before_any_model(self):
        top = suggest_categories("和平路人行道破损", "")
        assert [(s.category, s.source) for s in top] == [(self.roads, "keywords")]
        assert top[0].category.default_unit == self.dept_c

    def test_train_refuses_without_two_categories(self):
        self.close(LIGHTS[0], self.category)
        with self.assertRaisesMessage(CommandError, "at least two categories"):
            self.train()
        assert category_store().load_current() is None

    def test_trains_from_closed_cases_and_suggests_with_the_department(self):
        for lights, roads in zip(LIGHTS, ROADS, strict=True):
            self.close(lights, self.category)
            self.close(roads, self.roads)
        self.register(title="垃圾没人清运", category=self.top_category)  # open: not a lesson
        texts, labels = training_examples()
        assert len(texts) == 12
        assert set(labels) == {"street_lights", "roads"}

        assert "trained on 12 examples (closed cases and dispatchers' choices) in 2 categories" in (
            self.train()
        )
        first = category_store().current_path()
        top = suggest_categories("福临苑门口路灯坏了", "")
        assert [s.source for s in top] == ["model", "model"]
        assert top[0].category == self.category
        assert top[0].category.default_unit == self.dept_a
        assert top[0].confidence > top[1].confidence

        self.train()
        assert category_store().current_path() != first
        assert first.exists()  # the previous version is kept
