"""The service menu's actions with the right actor and the wrong one, the tag rules, the
refused states, the overdue scan on awkward days and the recurring scheduler."""

import datetime as dt

import time_machine

from lianxin.accounts.models import Role
from lianxin.errors import WorkflowError
from lianxin.programs import actions
from lianxin.programs.actions.services import period_end, period_of
from lianxin.programs.models import (
    OrderChannel,
    OrderStatus,
    Rating,
    Service,
    ServiceEvent,
    ServiceOrder,
)
from lianxin.programs.tests.service_builders import DONE_NOTE, Services
from lianxin.registry import actions as registry
from lianxin.registry.models import Tag
from lianxin.test import LianxinTestCase, at, make_user

S = OrderStatus


class ServiceTestCase(Services, LianxinTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.build_registers(cls)
        cls.other_community_staff = make_user(
            "other_community_staff", Role.COMMUNITY_STAFF, cls.other_community
        )

    def setUp(self):
        self.enterContext(time_machine.travel(at(2026, 6, 17, 10), tick=False))

    def assertRefused(self, code, action, *args, **kwargs):
        events = ServiceEvent.objects.count()
        with self.assertRaises(WorkflowError) as raised:
            action(*args, **kwargs)
        self.assertEqual(raised.exception.code, code, raised.exception.message)
        self.assertEqual(ServiceEvent.objects.count(), events, "a refusal writes nothing")
        return raised.exception

    def last_event(self, order) -> ServiceEvent:
        return ServiceEvent.objects.filter(order=order).latest("pk")

    def reload(self, order) -> ServiceOrder:
        return ServiceOrder.objects.get(pk=order.pk)


class MenuTest(ServiceTestCase):
    def test_the_office_adds_a_district_line_with_tags_and_an_event(self):
        service = self.service(name="上门退休认证", tags=["gaoling", "canji", "zhongbing"])
        self.assertIsNone(service.community)
        self.assertEqual(
            sorted(service.tags.values_list("code", flat=True)), ["canji", "gaoling", "zhongbing"]
        )
        event = ServiceEvent.objects.get(service=service)
        self.assertEqual((event.code, event.actor), ("programs.service.created", self.dispatcher))

    def test_a_community_keeps_its_own_lines_with_its_own_people_only(self):
        service = self.service(
            actor=self.community_staff, community=self.community, provider=self.community
        )
        self.assertEqual(service.community, self.community)
        self.assertRefused("forbidden", self.service, actor=self.community_staff)
        self.assertRefused(
            "invalid_provider",
            self.service,
            actor=self.community_staff,
            community=self.community,
            provider=self.dept_a,
        )
        self.assertRefused(
            "forbidden",
            self.service,
            actor=self.other_community_staff,
            community=self.community,
            provider=self.community,
        )

    def test_departments_residents_and_leaders_do_not_keep_the_menu(self):
        for outsider in (self.handler_a, self.resident, self.leader, self.grid_worker):
            self.assertRefused("forbidden", self.service, actor=outsider)

    def test_a_line_needs_a_name_a_sane_time_limit_and_a_tag_if_recurring(self):
        self.assertRefused("name_required", self.service, name=" ")
        self.assertRefused("invalid_working_days", self.service, working_days=0)
        self.assertRefused("invalid_working_days", self.service, working_days=61)
        self.assertRefused("tags_required", self.service, recurrence="monthly")
        self.assertRefused("invalid_recurrence", self.service, recurrence="weekly", tags=["kunnan"])

    def test_retiring_and_restoring_a_line_writes_an_event_each(self):
        service = self.service()
        actions.do_retire_service(service, actor=self.dispatcher)
        self.assertFalse(Service.objects.get(pk=service.pk).active)
        self.assertRefused("forbidden", actions.do_retire_service, service, actor=self.handler_a)
        actions.do_retire_service(service, actor=self.dispatcher, active=True)
        codes = list(ServiceEvent.objects.filter(service=service).values_list("code", flat=True))
        self.assertEqual(
            codes,
            ["programs.service.created", "programs.service.retired", "programs.service.restored"],
        )


class OrderTest(ServiceTestCase):
    def test_a_cadre_orders_on_a_visit_and_the_provider_gets_a_task_due_in_working_days(self):
        order = self.ordered(note="周末在家")
        self.assertEqual(
            (order.status, order.provider, order.channel, order.ordered_by),
            (S.ORDERED, self.dept_a, OrderChannel.VISIT, self.cadre_user),
        )
        # Wednesday 17 June + 3 working days: Thursday, then the 端午 holiday (Friday to
        # Sunday), Monday and Tuesday 23 June, to the end of that day.
        self.assertEqual(order.deadline.date(), dt.date(2026, 6, 23))
        self.assertGreater(order.deadline, at(2026, 6, 23, 23, 59))
        event = self.last_event(order)
        self.assertEqual(
            (event.code, event.actor_unit, event.data["channel"]),
            ("programs.order.placed", self.community, "visit"),
        )

    def test_who_may_order_for_a_household_by_channel(self):
        service = self.service()
        # A department attached to the 片区 sees the household but does not order for it.
        for outsider in (self.handler_a, self.other_grid_worker, self.other_community_staff):
            self.assertRefused(
                "forbidden",
                self.ordered,
                service=service,
                actor=outsider,
                channel=OrderChannel.PHONE,
            )
        self.assertRefused(
            "forbidden", self.ordered, service=service, actor=self.street_staff, channel="visit"
        )
        order = self.ordered(service=service, actor=self.street_staff, channel="phone")
        self.assertEqual(self.last_event(order).actor_unit, self.street)
        self.assertRefused(
            "invalid_channel", self.ordered, service=service, actor=self.dispatcher, channel="sms"
        )
        self.assertRefused(
            "invalid_channel",
            self.ordered,
            service=service,
            actor=self.dispatcher,
            channel=OrderChannel.SCHEDULED,
        )
        # The pair's cadre with no staff role orders on his visit.
        self.ordered(service=service, household=self.neighbour, actor=self.outside_cadre_user)

    def test_a_resident_orders_on_the_portal_only_with_a_proved_phone_of_the_household(self):
        service = self.service()
        order_online = {"service": service, "actor": self.resident, "channel": "portal"}
        self.assertRefused("forbidden", self.ordered, **order_online)
        # 13812341234, proved with a code on /m/: the household's phone.
        order = self.ordered(**order_online, phone_proved=True)
        self.assertEqual((order.channel, order.ordered_by), ("portal", self.resident))
        self.assertRefused(
            "forbidden", self.ordered, **order_online, household=self.neighbour, phone_proved=True
        )
        # Staff do not order "as residents", even with a matching phone.
        self.dispatcher.phone = "13812341234"
        self.assertRefused(
            "forbidden",
            self.ordered,
            service=service,
            actor=self.dispatcher,
            channel="portal",
            phone_proved=True,
        )

    def test_a_member_with_his_own_phone_speaks_for_his_household(self):
        registry.do_save_household(
            actor=self.dispatcher,
            community=self.community,
            grid=self.grid,
            address=self.neighbour.address,
            head_name="陈建华",
            phone="13812345678",
            member_count=2,
            residents=[
                {"name": "陈建华", "relation": "head"},
                {"name": "陈小明", "relation": "child", "phone": "13600000009"},
            ],
        )
        member = make_user("son", Role.RESIDENT, self.district, phone="13600000009")
        order = self.ordered(
            household=self.neighbour, actor=member, channel="portal", phone_proved=True
        )
        self.assertEqual(order.household, self.neighbour)

    def test_a_tagged_line_only_for_households_with_the_tag(self):
        service = self.service(name="上门退休认证", tags=["gaoling", "canji", "zhongbing"])
        refused = self.assertRefused("not_eligible", self.ordered, service=service)
        self.assertIn("残疾、高龄、重病", str(refused.message))
        self.assertIn("不能点单", str(refused.message))
        dibao = self.service(name="代办低保年审", tags=["dibao"])
        self.assertEqual(self.ordered(service=dibao).status, S.ORDERED)
        self.assertRefused("not_eligible", self.ordered, service=dibao, household=self.neighbour)

    def test_a_tag_of_a_member_who_moved_out_does_not_count(self):
        dibao = self.service(name="代办低保年审", tags=["lao_junren"])
        self.household.residents.filter(name="赵国强").update(active=False)
        self.assertRefused("not_eligible", self.ordered, service=dibao)

    def test_a_community_line_is_for_its_own_households(self):
        service = self.service(
            actor=self.community_staff, community=self.community, provider=self.community
        )
        self.assertRefused(
            "not_on_menu",
            self.ordered,
            service=service,
            household=self.far_household,
            actor=self.dispatcher,
        )

    def test_a_retired_line_and_a_second_open_order_are_refused(self):
        service = self.service()
        order = self.ordered(service=service)
        self.assertRefused("already_ordered", self.ordered, service=service)
        actions.do_complete_order(order, actor=self.handler_a, note=DONE_NOTE)
        self.ordered(service=service)  # done: it may be ordered again
        actions.do_retire_service(service, actor=self.dispatcher)
        self.assertRefused("retired", self.ordered, service=service, household=self.neighbour)


class TaskTest(ServiceTestCase):
    def test_only_the_provider_accepts_and_completes(self):
        order = self.ordered()
        for outsider in (self.handler_b, self.community_staff, self.cadre_user, self.resident):
            self.assertRefused("forbidden", actions.do_accept_order, order, actor=outsider)
            self.assertRefused(
                "forbidden", actions.do_complete_order, order, actor=outsider, note=DONE_NOTE
            )
        order = actions.do_accept_order(order, actor=self.handler_a)
        self.assertEqual((order.status, order.accepted_at), (S.ACCEPTED, at(2026, 6, 17, 10)))
        self.assertEqual(self.last_event(order).actor_unit, self.dept_a)
        self.assertRefused("invalid_transition", actions.do_accept_order, order, actor=self.head_a)

    def test_done_needs_a_note_and_records_whether_it_was_on_time(self):
        order = self.accepted()
        self.assertRefused(
            "note_required", actions.do_complete_order, order, actor=self.handler_a, note=""
        )
        with time_machine.travel(at(2026, 6, 24, 9), tick=False):
            order = actions.do_complete_order(order, actor=self.handler_a, note=DONE_NOTE)
        self.assertEqual((order.status, order.done_note), (S.DONE, DONE_NOTE))
        event = self.last_event(order)
        self.assertEqual((event.code, event.data["on_time"]), ("programs.order.done", False))
        self.assertRefused(
            "invalid_transition", actions.do_complete_order, order, actor=self.handler_a, note="再"
        )

    def test_a_provider_may_complete_straight_from_ordered(self):
        order = actions.do_complete_order(self.ordered(), actor=self.head_a, note=DONE_NOTE)
        self.assertEqual(order.accepted_at, order.done_at)

    def test_cancel_with_a_reason_by_those_who_speak_for_it(self):
        self.assertRefused(
            "reason_required",
            actions.do_cancel_order,
            self.ordered(),
            actor=self.community_staff,
            reason=" ",
        )
        for canceller in (self.community_staff, self.dispatcher, self.handler_a, self.cadre_user):
            order = actions.do_cancel_order(self.ordered(), actor=canceller, reason="已自行解决")
            self.assertEqual((order.status, order.cancel_reason), (S.CANCELLED, "已自行解决"))
        order = self.ordered()
        for outsider in (self.handler_b, self.other_community_staff, self.resident):
            self.assertRefused(
                "forbidden", actions.do_cancel_order, order, actor=outsider, reason="不要了"
            )
        self.assertRefused(
            "forbidden",
            actions.do_cancel_order,
            order,
            actor=self.other_resident,
            reason="不要了",
            phone_proved=True,
        )
        actions.do_cancel_order(order, actor=self.resident, reason="不需要了", phone_proved=True)
        done = self.done()
        self.assertRefused(
            "invalid_transition",
            actions.do_cancel_order,
            done,
            actor=self.community_staff,
            reason="晚了",
        )


class RatingTest(ServiceTestCase):
    def test_the_resident_rates_his_done_order_once_on_the_portal(self):
        order = self.done()
        self.assertRefused(
            "forbidden", actions.do_rate_order, order, actor=self.resident, rating="satisfied"
        )
        order = actions.do_rate_order(
            order, actor=self.resident, rating=Rating.SATISFIED, phone_proved=True
        )
        self.assertEqual((order.rating, order.rated_via), (Rating.SATISFIED, "portal"))
        self.assertRefused(
            "already_rated",
            actions.do_rate_order,
            order,
            actor=self.resident,
            rating="basic",
            phone_proved=True,
        )

    def test_the_community_records_a_phone_call(self):
        order = actions.do_rate_order(self.done(), actor=self.community_staff, rating="basic")
        self.assertEqual((order.rating, order.rated_via), ("basic", "phone"))
        self.assertEqual(self.last_event(order).data["via"], "phone")

    def test_the_provider_and_outsiders_do_not_rate_and_an_open_order_is_not_rated(self):
        order = self.done()
        for outsider in (self.handler_a, self.other_community_staff, self.resident):
            self.assertRefused(
                "forbidden", actions.do_rate_order, order, actor=outsider, rating="satisfied"
            )
        self.assertRefused(
            "invalid_transition",
            actions.do_rate_order,
            self.ordered(household=self.neighbour),
            actor=self.community_staff,
            rating="satisfied",
        )

    def test_unsatisfied_needs_a_reason_and_a_rating_must_be_one_of_three(self):
        order = self.done()
        self.assertRefused(
            "rating_note_required",
            actions.do_rate_order,
            order,
            actor=self.community_staff,
            rating="unsatisfied",
        )
        self.assertRefused(
            "invalid_rating", actions.do_rate_order, order, actor=self.community_staff, rating="ok"
        )
        order = actions.do_rate_order(
            order, actor=self.community_staff, rating="unsatisfied", note="师傅迟到两小时"
        )
        self.assertEqual(order.rating_note, "师傅迟到两小时")


class OverdueScanTest(ServiceTestCase):
    def scan(self, *moment) -> int:
        return actions.do_record_overdue_orders(when=at(*moment))

    def test_overdue_after_the_deadline_day_across_the_holiday_once(self):
        order = self.ordered()  # Wed 17 June, 3 working days: due Tue 23 June
        accepted = self.accepted(household=self.neighbour)
        self.assertEqual(self.scan(2026, 6, 20, 12), 0, "the 端午 holiday counts for nothing")
        self.assertEqual(self.scan(2026, 6, 23, 23, 59), 0, "due to the end of the day")
        self.assertEqual(self.scan(2026, 6, 24, 0, 1), 2)
        self.assertEqual(self.scan(2026, 6, 24, 0, 6), 0, "recorded once")
        for late in (order, accepted):
            late = self.reload(late)
            self.assertEqual(late.overdue_at, at(2026, 6, 24, 0, 1))
            event = self.last_event(late)
            self.assertEqual(
                (event.code, event.actor_unit, event.to_status),
                ("programs.order.overdue", self.dept_a, late.status),
            )

    def test_done_and_cancelled_orders_are_not_overdue(self):
        self.done()
        actions.do_cancel_order(
            self.ordered(household=self.neighbour), actor=self.dispatcher, reason="重复点单"
        )
        self.assertEqual(self.scan(2026, 7, 30), 0)

    def test_ordered_before_a_long_holiday_the_deadline_is_after_it(self):
        with time_machine.travel(at(2026, 9, 30, 17), tick=False):
            order = self.ordered(service=self.service(working_days=2))
        # 国庆 (1 to 7 October): Thursday 8 and Friday 9 October are the two working days.
        self.assertEqual(order.deadline.date(), dt.date(2026, 10, 9))
        self.assertEqual(self.scan(2026, 10, 7, 23), 0)
        self.assertEqual(self.scan(2026, 10, 10, 8), 1)  # a makeup Saturday: still late


class RecurringTest(ServiceTestCase):
    def care_visit(self, **fields) -> Service:
        values = {
            "name": "困难户每月关爱走访",
            "recurrence": "monthly",
            "tags": ["dibao", "kunnan"],
            "provider": self.community,
        }
        return self.service(**{**values, **fields})

    def schedule(self, *moment) -> int:
        return actions.do_schedule_recurring_orders(when=at(*moment))

    def test_periods(self):
        self.assertEqual(period_of("monthly", dt.date(2026, 12, 31)), "2026-12")
        self.assertEqual(period_of("quarterly", dt.date(2026, 12, 31)), "2026-Q4")
        self.assertEqual(period_of("quarterly", dt.date(2026, 4, 1)), "2026-Q2")
        self.assertEqual(period_end("monthly", dt.date(2026, 12, 5)), dt.date(2026, 12, 31))
        self.assertEqual(period_end("monthly", dt.date(2028, 2, 5)), dt.date(2028, 2, 29))
        self.assertEqual(period_end("quarterly", dt.date(2026, 11, 5)), dt.date(2026, 12, 31))
        self.assertEqual(period_end("quarterly", dt.date(2026, 2, 5)), dt.date(2026, 3, 31))

    def test_one_order_per_tagged_household_per_month_whatever_the_runs(self):
        service = self.care_visit()
        self.assertEqual(self.schedule(2026, 6, 17, 10), 1)
        order = ServiceOrder.objects.get(service=service)
        self.assertEqual(
            (order.household, order.period, order.channel, order.provider),
            (self.household, "2026-06", OrderChannel.SCHEDULED, self.community),
        )
        self.assertEqual(order.deadline.date(), dt.date(2026, 6, 30))
        self.assertEqual(self.schedule(2026, 6, 17, 11), 0)
        self.assertEqual(self.schedule(2026, 6, 30, 23, 50), 0)
        self.assertEqual(ServiceEvent.objects.filter(code="programs.order.scheduled").count(), 1)
        # Done or not, July brings July's order.
        actions.do_complete_order(order, actor=self.community_staff, note="已走访，老人安好")
        self.assertEqual(self.schedule(2026, 7, 1, 0, 17), 1)
        self.assertEqual(
            list(ServiceOrder.objects.order_by("period").values_list("period", flat=True)),
            ["2026-06", "2026-07"],
        )

    def test_a_household_tagged_later_is_scheduled_on_the_next_run_and_retired_lines_not(self):
        service = self.care_visit(tags=["kunnan"])
        self.assertEqual(self.schedule(2026, 6, 17), 0)
        member = self.neighbour.residents.create(name="陈建华", relation="head")
        member.tags.add(Tag.objects.get(code="kunnan"))
        self.assertEqual(self.schedule(2026, 6, 17, 11), 1)
        actions.do_retire_service(service, actor=self.dispatcher)
        self.assertEqual(self.schedule(2026, 7, 1), 0)

    def test_a_quarterly_line_of_a_community_stays_in_its_community(self):
        registry.do_save_household(
            actor=self.dispatcher,
            community=self.other_community,
            grid=self.other_grid,
            address=self.far_household.address,
            head_name="刘芳",
            phone="13700001111",
            residents=[{"name": "刘芳", "relation": "head", "tags": ["dibao"]}],
        )
        self.care_visit(
            actor=self.community_staff,
            community=self.community,
            recurrence="quarterly",
            tags=["dibao"],
        )
        self.assertEqual(self.schedule(2026, 5, 2), 1)
        order = ServiceOrder.objects.get()
        self.assertEqual((order.household, order.period), (self.household, "2026-Q2"))
        self.assertEqual(order.deadline.date(), dt.date(2026, 6, 30))
        self.assertEqual(self.schedule(2026, 6, 17), 0)

    def test_the_database_refuses_a_second_order_for_a_period(self):
        from django.db import IntegrityError, transaction

        self.care_visit()
        self.schedule(2026, 6, 17)
        order = ServiceOrder.objects.get()
        order.pk = None
        with self.assertRaises(IntegrityError), transaction.atomic():
            order.save()
        order.period = ""  # orders on demand are not held to one per period
        order.save()
