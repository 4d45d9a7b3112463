"""The hazards' test cast, through the real actions: a safety campaign (2026-04-01 to
2026-12-31) whose inspection group is department A and 海岚街道; a factory in 福临社区
that department B answers for, a village (福临村) that 福临社区 answers for, and an estate
in 青峰社区 that 青峰街道 answers for."""

import datetime as dt

from lianxin.hazards import actions
from lianxin.hazards.models import Hazard, Inspection, PlaceKind, Severity, Topic
from lianxin.test import at

ITEMS = [
    ("安全生产责任制落实", 20),
    ("消防设施完好有效", 30),
    ("电气线路规范敷设", 30),
    ("隐患台账建立", 20),
]
HAZARD_TEXT = "二楼车间灭火器过期未更换，安全出口被货物堵塞。"
REQUIREMENTS = "立即清理安全出口，更换过期灭火器，建立日常巡查记录。"
MEASURES = "已清理安全出口堆放货物，更换灭火器6具，张贴巡查记录表。"


class Hazards:
    """Mixin for whatever holds the cast (`lianxin.test.District`)."""

    def build_hazards(self, when=None) -> None:
        when = when or at(2026, 3, 20)
        office = self.dispatcher
        self.factory = actions.do_save_place(
            actor=office,
            kind=PlaceKind.ENTERPRISE,
            name="福临五金加工厂",
            community=self.community,
            grid=self.grid,
            responsible_unit=self.dept_b,
            address="福临路8号",
            contact_name="周建国",
            contact_phone="13912345678",
            latitude="36.150000",
            longitude="120.400000",
            when=when,
        ).place
        self.village = actions.do_save_place(
            actor=office,
            kind=PlaceKind.VILLAGE,
            name="福临村",
            community=self.community,
            responsible_unit=self.community,
            when=when,
        ).place
        self.estate = actions.do_save_place(
            actor=office,
            kind=PlaceKind.ESTATE,
            name="青峰花园",
            community=self.other_community,
            responsible_unit=self.other_street,
            contact_name="刘物业",
            contact_phone="13700002222",
            when=when,
        ).place
        self.campaign = actions.do_create_campaign(
            actor=office,
            name="2026年安全生产大排查",
            topic=Topic.SAFETY,
            starts_on=dt.date(2026, 4, 1),
            ends_on=dt.date(2026, 12, 31),
            group_units=[self.dept_a, self.street],
            items=ITEMS,
            places=[self.factory, self.village, self.estate],
            rectify_working_days=5,
            when=when,
        )

    def inspect(self, place=None, when=None, inspector=None, scores=None) -> Inspection:
        """A submitted sweep of `place` (the factory), scored by `scores` (full marks)."""
        when = when or at(2026, 4, 20)
        inspection = actions.do_start_inspection(
            self.campaign, place or self.factory, actor=inspector or self.handler_a, when=when
        )
        items = list(self.campaign.items.all())
        answers = {item.pk: (scores or {}).get(n, item.points) for n, item in enumerate(items)}
        return actions.do_submit_inspection(
            inspection, actor=inspector or self.handler_a, answers=answers, when=when
        )

    def open_inspection(self, when=None) -> Inspection:
        return actions.do_start_inspection(
            self.campaign, self.factory, actor=self.handler_a, when=when or at(2026, 4, 20)
        )

    def hazard(self, when=None, place=None, **fields) -> Hazard:
        when = when or at(2026, 4, 20)
        inspection = actions.do_start_inspection(
            self.campaign, place or self.factory, actor=self.handler_a, when=when
        )
        values = {"text": HAZARD_TEXT, "severity": Severity.GENERAL, **fields}
        return actions.do_add_hazard(inspection, actor=self.handler_a, when=when, **values)

    def noticed(self, when=None, **fields) -> Hazard:
        when = when or at(2026, 4, 20)
        hazard = self.hazard(when=when, **fields)
        actions.do_issue_notice(hazard, actor=self.handler_a, requirements=REQUIREMENTS, when=when)
        return Hazard.objects.get(pk=hazard.pk)

    def reported(self, when=None, **fields) -> Hazard:
        when = when or at(2026, 4, 20)
        hazard = self.noticed(when=when, **fields)
        # Through the notice's link, as a party without an account reports.
        actions.do_report_fix(
            hazard,
            actor=None,
            via_link=True,
            reporter_name="周建国",
            measures=MEASURES,
            when=when + dt.timedelta(days=2),
        )
        return Hazard.objects.get(pk=hazard.pk)

    def fixed(self, when=None, **fields) -> Hazard:
        when = when or at(2026, 4, 20)
        hazard = self.reported(when=when, **fields)
        actions.do_reinspect(
            hazard, actor=self.handler_a, passed=True, when=when + dt.timedelta(days=3)
        )
        return Hazard.objects.get(pk=hazard.pk)
