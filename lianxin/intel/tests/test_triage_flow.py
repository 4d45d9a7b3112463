"""Category suggestion on the dispatch screen and the reply check, through the workflow."""

import tempfile
from io import StringIO
from pathlib import Path

from django.contrib.messages import get_messages
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from lianxin.cases import actions
from lianxin.cases.models import CaseEvent, Category, Status
from lianxin.intel import suggest
from lianxin.intel.replycheck import REASON_BOILERPLATE
from lianxin.test import LianxinTestCase

LIGHTS = ["路灯不亮", "路灯坏了", "晚上路灯一直不亮", "路灯闪烁", "小区路灯损坏", "路灯没有修"]
ROADS = ["道路坑洼", "马路破损", "路面塌陷", "道路积水坑洼", "人行道破损", "马路坑洼不平"]
NOISE = [
    "夜间施工噪音",
    "广场舞噪音扰民",
    "工地噪音太大",
    "噪音扰民严重",
    "夜里噪声吵",
    "商铺音响噪音",
]


class TriageTestCase(LianxinTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.roads = Category.objects.create(
            code="roads", name="道路破损", parent=cls.top_category, default_unit=cls.dept_c
        )
        cls.noise = Category.objects.create(
            code="noise", name="噪音扰民", parent=cls.top_category, default_unit=cls.dept_b
        )

    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.enterContext(override_settings(DATA_DIR=Path(tmp.name)))

    def close(self, title, category):
        case = self.verified(title=title, text=f"{title}，请尽快处理。", category=category)
        return actions.do_record_return_visit(
            case, actor=self.dispatcher, satisfaction="satisfied", solved=True
        ).case

    def train(self):
        for lights, roads, noise in zip(LIGHTS, ROADS, NOISE, strict=True):
            self.close(lights, self.category)
            self.close(roads, self.roads)
            self.close(noise, self.noise)
        call_command("intel", "train", stdout=StringIO())

    def page(self, user, case):
        self.client.force_login(user)
        return self.client.get(reverse("workbench:case", args=[case.pk]))

    def post(self, user, case, action, **data):
        self.client.force_login(user)
        return self.client.post(reverse("workbench:case_action", args=[case.pk, action]), data)


class DispatchSuggestionTest(TriageTestCase):
    def test_the_dispatch_screen_shows_the_top_three_with_confidence_and_department(self):
        self.train()
        case = self.register(title="和平路路灯晚上不亮", text="路灯坏了好几天。", category=None)
        response = self.page(self.dispatcher, case)
        found = response.context["intel"]["suggestions"]
        assert [s.category for s in found][0] == self.category
        assert {s.category for s in found} == {self.category, self.roads, self.noise}
        assert [s.source for s in found] == ["model"] * 3
        confidences = [s.confidence for s in found]
        assert confidences == sorted(confidences, reverse=True) and confidences[0] > 0.4
        assert [s.unit for s in found][0] == self.dept_a
        page = response.content.decode()
        assert "智能推荐" in page
        for s in found:
            # One click picks the category and, with it, its department.
            radio = f'name="category" value="{s.category.pk}" data-unit="{s.unit.pk}"'
            assert radio in page
            assert s.unit.name in page
        for s in found:  # as a percentage, never a misleading 0% or 100%
            c = s.confidence
            shown = "&lt;1%" if c < 0.01 else "&gt;99%" if c > 0.99 else f"{round(c * 100)}%"
            assert f'title="置信度">{shown}</span>' in page

    def test_keyword_rules_stand_in_before_any_model(self):
        case = self.register(title="和平路人行道破损", text="人行道砖块翘起。", category=None)
        response = self.page(self.dispatcher, case)
        found = response.context["intel"]["suggestions"]
        assert [(s.category, s.source) for s in found] == [(self.roads, "keywords")]
        # A keyword hit scores 1.0 however wrong it is: it is named for what it is, with
        # no percentage (a pothole at a food market once read "市场监管 >99%").
        panel = response.content.decode().split('class="intel-suggest"', 1)[1]
        panel = panel.split("</fieldset>", 1)[0]
        assert "按分类名称关键词推荐" in panel and "关键词匹配" in panel
        assert "%" not in panel and "置信度" not in panel

    def test_only_those_who_dispatch_see_suggestions(self):
        case = self.dispatched()
        assert self.page(self.handler_a, case).context["intel"] is None

    def test_the_api_gives_the_same_suggestions_as_json(self):
        self.train()
        case = self.register(title="和平路路灯晚上不亮", text="路灯坏了好几天。", category=None)
        self.client.force_login(self.dispatcher)
        url = reverse("intel:case_suggestions", args=[case.pk])
        body = self.client.get(url).json()
        shown = self.page(self.dispatcher, case).context["intel"]["suggestions"]
        assert body["case"] == case.tracking_number and body["registered_category"] is None
        assert [s["category"] for s in body["suggestions"]] == [s.category.code for s in shown]
        first = body["suggestions"][0]
        assert first["department"] == {"code": self.dept_a.code, "name": self.dept_a.name}
        assert first["source"] == "model" and 0 < first["confidence"] <= 1

    def test_the_api_refuses_in_its_own_words(self):
        case = self.dispatched()
        url = reverse("intel:case_suggestions", args=[case.pk])
        assert self.client.get(url).json()["error"]["code"] == "not_signed_in"
        self.client.force_login(self.handler_b)  # not its case
        response = self.client.get(url)
        assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")
        self.client.force_login(self.handler_a)  # its case, but not one it may dispatch
        response = self.client.get(url)
        assert (response.status_code, response.json()["error"]["code"]) == (
            403,
            "not_dispatchable",
        )
        assert "派单" in response.json()["error"]["message"]

    def test_picking_a_suggestion_dispatches_with_that_category_and_records_the_correction(self):
        case = self.register(title="和平路人行道破损", text="路面塌了一个坑。")  # as 路灯照明
        self.post(self.dispatcher, case, "dispatch", unit=self.dept_c.pk, category=self.roads.pk)
        case = self.reload(case)
        assert (case.status, case.category, case.lead_unit) == (
            Status.DISPATCHED,
            self.roads,
            self.dept_c,
        )
        event = case.events.get(code="cases.case.dispatched")
        assert event.data["category"] == self.roads.pk
        assert event.data["category_from"] == self.category.pk
        texts, labels = suggest.training_examples()
        assert list(zip(texts, labels, strict=True)) == [
            ("和平路人行道破损 路面塌了一个坑。", "roads")
        ]

    def test_keeping_the_registered_category_records_no_correction(self):
        case = self.register()
        self.post(self.dispatcher, case, "dispatch", unit=self.dept_a.pk, category="")
        event = self.reload(case).events.get(code="cases.case.dispatched")
        assert "category" not in event.data
        assert suggest.training_examples() == ([], [])

    def test_another_category_from_the_list(self):
        case = self.register(category=None)
        self.post(
            self.dispatcher,
            case,
            "split",
            unit=self.dept_b.pk,
            co_units=[self.dept_a.pk],
            category="other",
            category_other=self.noise.pk,
        )
        assert self.reload(case).category == self.noise
        assert case.events.get(code="cases.case.split").data["category_from"] is None

    def test_an_unknown_or_retired_category_is_refused_and_nothing_changes(self):
        case = self.register()
        retired = Category.objects.create(code="old", name="旧分类", active=False)
        self.client.force_login(self.dispatcher)
        url = reverse("workbench:case_action", args=[case.pk, "dispatch"])
        for value in ("999999", "x", str(retired.pk)):
            data = {"unit": self.dept_a.pk, "category": value}
            response = self.client.post(url, data)
            self.assertContains(response, "所选分类无效。", status_code=400)
            assert self.reload(case).status == Status.REGISTERED

    def test_a_closed_case_counts_once_with_its_final_category(self):
        case = self.register(title="井盖松动", text="井盖一踩就响。", category=self.roads)
        dispatch = actions.do_dispatch_case
        dispatch(case, actor=self.dispatcher, unit=self.dept_b, category=self.noise)
        actions.do_return_part(case.parts.get(), actor=self.handler_b, reason="不属于本部门职责")
        dispatch(case, actor=self.dispatcher, unit=self.dept_a, category=self.roads)
        lesson = (["井盖松动 井盖一踩就响。"], ["roads"])
        assert suggest.training_examples() == lesson  # the latest choice
        voided = self.register(title="测试数据", text="这是一条测试数据。", category=None)
        actions.do_dispatch_case(
            voided, actor=self.dispatcher, unit=self.dept_a, category=self.noise
        )
        actions.do_void_case(voided, actor=self.dispatcher, reason="测试")
        assert suggest.training_examples() == lesson
        case = self.reload(case)
        actions.do_accept_part(case.parts.get(status="assigned"), actor=self.handler_a)
        actions.do_resolve_case(case, actor=self.handler_a, note="已更换井盖，恢复平稳。")
        actions.do_verify_case(case, actor=self.dispatcher, passed=True, on_site=True)
        actions.do_record_return_visit(
            case, actor=self.dispatcher, satisfaction="satisfied", solved=True
        )
        assert self.reload(case).status == Status.CLOSED
        assert suggest.training_examples() == lesson  # once, as a closed case

    def test_intel_train_learns_from_corrections(self):
        for lights, roads in zip(LIGHTS, ROADS, strict=True):
            self.close(lights, self.category)
            self.close(roads, self.roads)
        for title in NOISE:  # open cases, recategorised by the dispatcher
            case = self.register(title=title, text=f"{title}，请处理。", category=self.category)
            actions.do_dispatch_case(
                case, actor=self.dispatcher, unit=self.dept_b, category=self.noise
            )
        out = StringIO()
        call_command("intel", "train", stdout=out)
        assert "trained on 18 examples" in out.getvalue()
        assert suggest.suggest_categories("广场舞噪音", "")[0].category == self.noise


class ModelCacheTest(TriageTestCase):
    def test_the_model_is_loaded_once_and_again_only_when_a_newer_one_is_published(self):
        assert suggest.current_model() is None
        self.train()
        first = suggest.current_model()
        assert first is not None
        assert suggest.current_model() is first
        suggest.suggest_categories("路灯不亮", "")
        assert suggest.current_model() is first
        call_command("intel", "train", stdout=StringIO())
        second = suggest.current_model()
        assert second is not first
        assert suggest.current_model() is second

    def test_a_damaged_model_falls_back_to_keyword_rules(self):
        self.train()
        store = suggest.category_store()
        store.current_path().write_bytes(b"not a model")  # the pointer names it still
        suggest._Cache.path = None  # as in a fresh process
        with self.assertLogs("lianxin.intel.suggest", "ERROR"):
            found = suggest.suggest_categories("和平路人行道破损", "")
        assert [(s.category, s.source) for s in found] == [(self.roads, "keywords")]


class ReplyCheckFlowTest(TriageTestCase):
    BOILERPLATE = "您好！您反映的问题已收悉，已转相关部门处理，感谢您的关注。"
    GOOD = "已安排维修人员明天上午到福临苑3号楼门口更换路灯灯具。"

    def test_the_case_page_checks_the_reply_as_it_is_written(self):
        case = self.in_progress()
        page = self.page(self.handler_a, case).content.decode()
        assert reverse("intel:reply_check", args=[case.pk]) in page

    def test_the_check_shows_the_reasons_and_a_send_anyway_box(self):
        case = self.in_progress()
        self.client.force_login(self.handler_a)
        url = reverse("intel:reply_check", args=[case.pk])
        flagged = self.client.post(url, {"text": self.BOILERPLATE}).content.decode()
        assert REASON_BOILERPLATE in flagged
        assert 'name="send_anyway" required' in flagged
        ticked = self.client.post(url, {"text": self.BOILERPLATE, "send_anyway": "on"})
        assert 'name="send_anyway" required checked' in ticked.content.decode()  # stays ticked
        good = self.client.post(url, {"text": self.GOOD}).content.decode()
        assert "send_anyway" not in good and "答复检查" in good
        assert self.client.post(url, {"text": ""}).content.decode().strip() == ""
        assert self.client.get(url).status_code == 405
        self.client.force_login(self.handler_b)
        assert self.client.post(url, {"text": self.GOOD}).status_code == 404

    def test_a_flagged_reply_is_held_back_with_the_reasons(self):
        case = self.in_progress()
        response = self.post(self.handler_a, case, "reply", text=self.BOILERPLATE)
        messages = [str(m) for m in get_messages(response.wsgi_request)]
        assert len(messages) == 1 and messages[0].startswith("答复未发送：")
        assert REASON_BOILERPLATE in messages[0] and "仍然发送" in messages[0]
        assert self.reload(case).status == Status.IN_PROGRESS
        assert not case.events.filter(code="cases.case.replied").exists()

    def test_a_held_back_reply_comes_back_typed_with_the_box_to_tick(self):
        case = self.in_progress()
        self.client.force_login(self.handler_a)
        url = reverse("workbench:case_action", args=[case.pk, "reply"])
        for headers in ({}, {"HX-Request": "true"}):
            page = self.client.post(url, {"text": self.BOILERPLATE}, headers=headers)
            page = page.content.decode()
            assert f">{self.BOILERPLATE}</textarea>" in page  # nothing typed is lost
            assert 'name="send_anyway" required' in page and REASON_BOILERPLATE in page
        ticked = self.post(self.handler_a, case, "reply", text=self.BOILERPLATE, send_anyway="on")
        assert ticked.status_code == 302 and self.reload(case).status == Status.REPLIED

    def test_sent_anyway_the_override_is_on_record(self):
        case = self.in_progress()
        self.post(self.handler_a, case, "reply", text=self.BOILERPLATE, send_anyway="on")
        case = self.reload(case)
        assert (case.status, case.reply_text) == (Status.REPLIED, self.BOILERPLATE)
        check = case.events.get(code="cases.case.replied").data["reply_check"]
        assert check["verdict"] == "flagged" and check["overridden"] is True
        assert REASON_BOILERPLATE in check["reasons"]
        # Staff see on the timeline that the reply went out despite the check; the
        # resident's own page shows the reply alone.
        staff_page = self.page(self.dispatcher, case).content.decode()
        assert "经办人确认后仍然发送" in staff_page and REASON_BOILERPLATE in staff_page
        self.client.force_login(self.resident)
        resident_page = self.client.get(reverse("portal:case", args=[case.pk])).content.decode()
        assert self.BOILERPLATE in resident_page and "仍然发送" not in resident_page

    def test_a_reply_that_answers_goes_straight_out(self):
        case = self.in_progress()
        self.post(self.handler_a, case, "reply", text=self.GOOD)
        event = CaseEvent.objects.get(case=case, code="cases.case.replied")
        assert event.data["reply_check"] == {"verdict": "ok", "reasons": [], "overridden": False}
        assert self.reload(case).status == Status.REPLIED
