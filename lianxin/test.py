"""The base test case: a small district and the canonical cast, built once per class."""

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.test import TestCase, override_settings
from django.utils import timezone

from lianxin.accounts.models import Membership, Role, User
from lianxin.cases import actions
from lianxin.cases.models import Case, CasePart, Category, Channel, Status
from lianxin.orgs.models import Unit
from lianxin.registry import actions as registry
from lianxin.registry.models import Attachment, Zone

SHANGHAI = dt.timezone(dt.timedelta(hours=8))

# Debian's Chromium, as the browser tests and scripts/screenshots.py launch it: without
# the background-networking flags it keeps reaching for Google's hosts.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# axe-core checks a page against WCAG 2 A and AA; the browser tests of every screen run it.
AXE = settings.BASE_DIR / "static" / "vendor" / "axe-core-4.14.1" / "axe.min.js"
# Loaded by its address on the live server, not as inline text: the content security policy
# (lianxin/csp.py) refuses an inline script, Playwright's `add_script_tag(path=...)` too.
AXE_URL = "/static/vendor/axe-core-4.14.1/axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}});
  return result.violations.map(v => ({
    rule: v.id,
    impact: v.impact,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + n.failureSummary),
  }));
}"""


def at(year, month, day, hour=10, minute=0) -> dt.datetime:
    """An aware moment in the platform's time zone."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def make_unit(kind, code, name, parent=None) -> Unit:
    return Unit.objects.create(kind=kind, code=code, name=name, parent=parent)


def make_user(username, role=None, unit=None, **fields) -> User:
    user = User.objects.create_user(username=username, password="pw-" + username, **fields)
    if role is not None:
        Membership.objects.create(user=user, unit=unit, role=role)
    return user


class District:
    """Units and people of the test district, shared by the base test case and other tests."""

    @classmethod
    def build(cls, target) -> None:
        K = Unit.Kind
        target.district = make_unit(K.DISTRICT, "d", "测试区")
        target.street = make_unit(K.STREET, "s1", "海岚街道", target.district)
        target.community = make_unit(K.COMMUNITY, "c1", "福临社区", target.street)
        target.grid = make_unit(K.GRID, "g1", "福临第一网格", target.community)
        target.other_street = make_unit(K.STREET, "s2", "青峰街道", target.district)
        target.other_community = make_unit(K.COMMUNITY, "c2", "青峰社区", target.other_street)
        target.other_grid = make_unit(K.GRID, "g2", "青峰第一网格", target.other_community)
        target.dept_a = make_unit(K.DEPARTMENT, "dept-a", "区城市管理局", target.district)
        target.dept_b = make_unit(K.DEPARTMENT, "dept-b", "区住房和城乡建设局", target.district)
        target.dept_c = make_unit(K.DEPARTMENT, "dept-c", "区交通运输局", target.district)
        target.office = make_unit(K.OFFICE, "office", "连心服务办公室", target.district)
        target.leadership = make_unit(K.LEADERSHIP, "leaders", "区领导", target.district)

        target.resident = make_user(
            "resident", Role.RESIDENT, target.district, full_name="王秀兰", phone="13812341234"
        )
        target.other_resident = make_user("other_resident", Role.RESIDENT, target.district)
        target.grid_worker = make_user("grid_worker", Role.GRID_WORKER, target.grid)
        target.community_staff = make_user(
            "community_staff", Role.COMMUNITY_STAFF, target.community
        )
        target.street_staff = make_user("street_staff", Role.STREET_STAFF, target.street)
        target.other_grid_worker = make_user(
            "other_grid_worker", Role.GRID_WORKER, target.other_grid
        )
        target.handler_a = make_user("handler_a", Role.DEPT_HANDLER, target.dept_a)
        target.head_a = make_user("head_a", Role.DEPT_HEAD, target.dept_a)
        target.handler_b = make_user("handler_b", Role.DEPT_HANDLER, target.dept_b)
        target.handler_c = make_user("handler_c", Role.DEPT_HANDLER, target.dept_c)
        target.dispatcher = make_user("dispatcher", Role.DISPATCHER, target.office)
        target.leader = make_user("leader", Role.LEADER, target.leadership, full_name="李副区长")
        target.admin = make_user(
            "admin", Role.ADMIN, target.district, is_staff=True, is_superuser=True
        )

        target.top_category = Category.objects.create(code="city", name="城市管理")
        target.category = Category.objects.create(
            code="street_lights",
            name="路灯照明",
            parent=target.top_category,
            default_unit=target.dept_a,
            resolution_working_days=5,
        )


REPLY = "已安排维修人员本周五前更换灯具，请您耐心等待。"
RESOLUTION = "已更换3号楼门口路灯灯具，恢复照明。"
EXPLANATION = "该路段路灯改造需纳入明年市政计划，已登记并将逐步推进。"


class Builders:
    """Cases brought to a state through the real actions, by the test district's cast.

    A mixin for whatever holds the cast (`District.build` sets it on its target): the
    base test case, the browser test case, a TransactionTestCase, and `Cast` for pytest
    functions. Each builder makes a fresh case.
    """

    # The cast District.build gives its target (what the builders use).
    district: Unit
    street: Unit
    community: Unit
    grid: Unit
    dept_a: Unit
    dept_b: Unit
    dept_c: Unit
    office: Unit
    resident: User
    grid_worker: User
    handler_a: User
    handler_b: User
    handler_c: User
    dispatcher: User
    leader: User
    other_community: Unit
    other_grid: Unit
    top_category: Category
    category: Category

    def register(self, *, when=None, **fields) -> Case:
        values: dict[str, Any] = {
            "actor": self.grid_worker,
            "channel": Channel.PATROL,
            "title": "福临苑3号楼门口路灯不亮",
            "text": "福临苑小区3号楼门口的路灯坏了一个多星期，晚上老人出门看不清路。",
            "address": "福临苑小区3号楼",
            "grid": self.grid,
            "category": self.category,
            "resident": self.resident,
            "resident_name": "王秀兰",
            "resident_phone": "13812341234",
        }
        values.update(fields)
        return actions.do_register_case(when=when or timezone.now(), **values)

    def dispatched(self, unit=None, co_units=(), **fields) -> Case:
        case = self.register(**fields)
        return actions.do_dispatch_case(
            case, actor=self.dispatcher, unit=unit or self.dept_a, co_units=co_units
        )

    def in_progress(self, **fields) -> Case:
        case = self.dispatched(**fields)
        actions.do_accept_part(case.parts.get(unit=self.dept_a), actor=self.handler_a)
        return Case.objects.get(pk=case.pk)

    def replied(self, **fields) -> Case:
        return actions.do_reply_case(
            self.in_progress(**fields),
            actor=self.handler_a,
            text="已安排维修人员本周五前更换灯具，请您耐心等待。",
        )

    def resolved(self, **fields) -> Case:
        return actions.do_resolve_case(
            self.replied(**fields), actor=self.handler_a, note="已更换3号楼门口路灯灯具，恢复照明。"
        )

    def verified(self, **fields) -> Case:
        return actions.do_verify_case(
            self.resolved(**fields), actor=self.dispatcher, passed=True, on_site=True
        )

    def case_in(self, status: str) -> Case:
        """A fresh case in `status`, reached the way real cases reach it."""
        S = Status
        if status == S.REGISTERED:
            return self.register()
        if status == S.DISPATCHED:
            return self.dispatched()
        if status == S.RETURNED:
            case = self.dispatched()
            actions.do_return_part(
                case.parts.get(), actor=self.handler_a, reason="不属于本部门职责范围"
            )
            return Case.objects.get(pk=case.pk)
        if status == S.IN_PROGRESS:
            return self.in_progress()
        if status == S.REPLIED:
            return self.replied()
        if status == S.CONSTRAINED:
            return actions.do_mark_constrained(
                self.in_progress(),
                actor=self.handler_a,
                explanation="该路段路灯改造需纳入明年市政计划，已登记并将逐步推进。",
            )
        if status == S.RESOLVED:
            return self.resolved()
        if status == S.VERIFIED:
            return self.verified()
        if status == S.CLOSED:
            return actions.do_record_return_visit(
                self.verified(), actor=self.dispatcher, satisfaction="satisfied", solved=True
            ).case
        if status == S.MERGED:
            return actions.do_merge_case(
                self.register(), actor=self.dispatcher, into=self.register()
            )
        if status == S.WITHDRAWN:
            return actions.do_withdraw_case(
                self.register(), actor=self.resident, reason="已自行解决"
            )
        if status == S.VOIDED:
            return actions.do_void_case(self.register(), actor=self.dispatcher, reason="测试数据")
        raise ValueError(status)

    def reload(self, case: Case) -> Case:
        return Case.objects.get(pk=case.pk)

    # Step by step, each at a moment of the test's choosing (`when`), for the figures and
    # anything else that counts days.

    def new(self, when, **fields) -> Case:
        return self.register(when=when, **fields)

    def handler_of(self, unit):
        return {
            self.dept_a.pk: self.handler_a,
            self.dept_b.pk: self.handler_b,
            self.dept_c.pk: self.handler_c,
        }[unit.pk if hasattr(unit, "pk") else unit]

    def lead_handler(self, case):
        return self.handler_of(self.reload(case).lead_unit_id)

    def dispatch(self, case, when, unit=None, **kwargs) -> Case:
        return actions.do_dispatch_case(
            case, actor=self.dispatcher, unit=unit or self.dept_a, when=when, **kwargs
        )

    def accept(self, case, when) -> Case:
        part = CasePart.objects.get(case=case, role="lead", status="assigned")
        actions.do_accept_part(part, actor=self.handler_of(part.unit_id), when=when)
        return self.reload(case)

    def reply(self, case, when) -> Case:
        return actions.do_reply_case(case, actor=self.lead_handler(case), text=REPLY, when=when)

    def constrain(self, case, when) -> Case:
        return actions.do_mark_constrained(
            case, actor=self.lead_handler(case), explanation=EXPLANATION, when=when
        )

    def resolve(self, case, when) -> Case:
        return actions.do_resolve_case(
            case, actor=self.lead_handler(case), note=RESOLUTION, when=when
        )

    def verify(self, case, when, passed=True) -> Case:
        return actions.do_verify_case(
            case,
            actor=self.dispatcher,
            passed=passed,
            on_site=False,
            note="" if passed else "现场查看路灯仍不亮",
            when=when,
        )

    def visit(self, case, when, satisfaction="satisfied", solved=True) -> Case:
        actions.do_record_return_visit(
            case,
            actor=self.dispatcher,
            satisfaction=satisfaction,
            solved=solved,
            comment="" if satisfaction != "unsatisfied" else "路灯又坏了",
            when=when,
        )
        return self.reload(case)

    def through(self, when_list, unit=None, until="closed", leader=None, **fields) -> Case:
        """Register, dispatch, accept, reply, resolve, verify, visit: one moment each, as far
        as `until`."""
        steps = ["registered", "dispatched", "in_progress", "replied", "resolved", "verified"]
        steps.append("closed")
        case = self.new(when_list[0], **fields)
        do: dict[str, Callable[[Case, Any], Case]] = {
            "dispatched": lambda c, w: self.dispatch(c, w, unit=unit, leader=leader),
            "in_progress": self.accept,
            "replied": self.reply,
            "resolved": self.resolve,
            "verified": self.verify,
            "closed": self.visit,
        }
        for step, when in zip(steps[1:], when_list[1:], strict=False):
            case = do[step](case, when)
            if step == until:
                break
        return self.reload(case)

    # The registers.

    def build_registers(self) -> None:
        """A pair of cadres in 福临社区 (one a community worker, one with no staff role) with
        two households, a household of the other community, and a department attached to
        the 片区 of 福临第一网格; through the registry's actions, as pages and imports do.

        In setUpTestData: `cls.build_registers(cls)`."""
        office = self.dispatcher
        self.cadre_user = make_user("cadre_zhang", Role.COMMUNITY_STAFF, self.community)
        self.outside_cadre_user = make_user("cadre_li")  # a cadre with no staff role
        self.cadre_a = registry.do_save_cadre(
            actor=office,
            name="张明",
            employer=self.community,
            phone="13900000001",
            party_member=True,
            experienced=True,
            user=self.cadre_user,
        ).row
        self.cadre_b = registry.do_save_cadre(
            actor=office,
            name="李娜",
            employer=self.dept_b,
            phone="13900000002",
            local=False,
            user=self.outside_cadre_user,
        ).row
        self.pair = registry.do_save_pair(
            actor=office,
            code="FL-01",
            community=self.community,
            cadres=[self.cadre_a, self.cadre_b],
        ).row
        self.household = registry.do_save_household(
            actor=office,
            community=self.community,
            grid=self.grid,
            address="福临苑3号楼2单元301室",
            head_name="王秀兰",
            phone="13812341234",
            member_count=2,
            residents=[
                {"name": "王秀兰", "relation": "head", "birth_year": 1948, "tags": ["dibao"]},
                {
                    "name": "赵国强",
                    "relation": "spouse",
                    "birth_year": 1946,
                    "tags": ["lao_junren"],
                },
            ],
        ).row
        self.neighbour = registry.do_save_household(
            actor=office,
            community=self.community,
            grid=self.grid,
            address="福临苑3号楼2单元302室",
            head_name="陈建华",
            phone="13812345678",
            member_count=3,
        ).row
        self.household, self.neighbour = (
            registry.do_assign_household_to_pair(household, actor=office, pair=self.pair)
            for household in (self.household, self.neighbour)
        )
        self.far_household = registry.do_save_household(
            actor=office,
            community=self.other_community,
            grid=self.other_grid,
            address="青峰路12号1单元101室",
            head_name="刘芳",
            phone="13700001111",
        ).row
        self.zone = Zone.objects.create(name="福临片区", street=self.street)
        self.zone.grids.set([self.grid])
        Attachment.objects.create(
            kind=Attachment.Kind.DEPARTMENT_ZONE, department=self.dept_a, zone=self.zone
        )


class Cast(Builders):
    """The test district and its people as a plain object, with the builders: for pytest
    functions (the `cast` fixture) and anything that is not a test case."""

    def __init__(self):
        District.build(self)


class LianxinTestCase(Builders, TestCase):
    @classmethod
    def setUpTestData(cls):
        District.build(cls)


def chromium_or_skip():
    if os.path.exists(CHROMIUM):
        return
    if os.getenv("CI") == "true":
        pytest.fail(f"CI runs the browser tests: {CHROMIUM} is missing")
    pytest.skip(f"needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)")


@pytest.mark.browser
class BrowserTestCase(Builders, StaticLiveServerTestCase):
    """A live server with the test district, and Chromium for its people.

    Each person has his own browser context, as each has his own phone or desk;
    screenshots go to test-artifacts/<artifacts>/ for a person to look at.
    """

    artifacts = "browser"
    # Each browser test runs at its own moment, never at today's: time-machine moves the
    # clock of the whole process, so the live server's threads see it too. The clock
    # ticks on from there, since pages wait on real time passing.
    now = at(2026, 6, 17, 10, 0)

    @classmethod
    def setUpClass(cls):
        chromium_or_skip()
        # Playwright's sync API runs an event loop in this thread; the test's own
        # database calls are still plain synchronous ones.
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        super().setUpClass()
        from playwright.sync_api import sync_playwright

        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        cls.artifacts_dir = Path(settings.BASE_DIR) / "test-artifacts" / cls.artifacts
        cls.artifacts_dir.mkdir(parents=True, exist_ok=True)

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    def setUp(self):
        self.enterContext(time_machine.travel(self.now, tick=True))
        District.build(self)
        media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, media)
        self.enterContext(override_settings(MEDIA_ROOT=media))
        self.dialogs = []
        self.shot = 0

    def person(self, username, password, *, phone=False):
        """A signed-in browser page for one of the cast, on a phone or at a desk."""
        viewport = {"width": 390, "height": 844} if phone else {"width": 1366, "height": 900}
        context = self.browser.new_context(viewport=viewport, locale="zh-CN")
        self.addCleanup(context.close)
        page = context.new_page()
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        login = "/m/login/" if phone else "/login/"
        page.goto(self.live_server_url + login)
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("form button[type=submit]")
        page.wait_for_load_state()
        return page

    def snap(self, page, name):
        self.shot += 1
        page.screenshot(path=self.artifacts_dir / f"{self.shot:02d}-{name}.png", full_page=True)
