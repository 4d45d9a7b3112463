"""Every volunteers action with the right actor and the wrong one, each writing one event,
and a refusal writing nothing."""

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from lianxin.errors import WorkflowError
from lianxin.programs import actions as wish_actions
from lianxin.programs.models import WishClaim, WishEvent, WishStatus
from lianxin.volunteers import actions
from lianxin.volunteers.models import (
    ActivityPhoto,
    Assignment,
    Member,
    MemberKind,
    Participation,
    ReportIn,
    SolvedProblem,
    Team,
    VolunteerEvent,
)
from lianxin.volunteers.tests.builders import VolunteersTestCase, png


class TeamTest(VolunteersTestCase):
    def test_community_staff_create_their_team_once(self):
        saved = actions.do_save_team(actor=self.community_staff, unit=self.community, name="红马甲")
        self.assertEqual(saved.outcome, "created")
        again = actions.do_save_team(actor=self.community_staff, unit=self.community, name="红马甲")
        self.assertEqual((again.outcome, again.row), ("unchanged", saved.row))
        self.assertEqual(
            VolunteerEvent.objects.filter(code="volunteers.team.created", team=saved.row).count(), 1
        )

    def test_the_street_above_keeps_its_communities_teams(self):
        saved = actions.do_save_team(actor=self.street_staff, unit=self.community, name="红马甲")
        self.assertEqual(saved.outcome, "created")

    def test_another_community_a_department_and_a_resident_may_not(self):
        for actor in (self.other_community_staff, self.handler_a, self.resident, self.leader):
            with self.subTest(actor=actor.username):
                self.assertRefused(
                    "forbidden",
                    actions.do_save_team,
                    actor=actor,
                    unit=self.community,
                    name="红马甲",
                )
        self.assertFalse(Team.objects.exists())

    def test_a_department_keeps_its_own_team(self):
        saved = actions.do_save_team(actor=self.handler_a, unit=self.dept_a, name="城管先锋队")
        self.assertEqual(saved.row.unit, self.dept_a)

    def test_a_grid_cannot_own_a_team(self):
        self.assertRefused(
            "invalid_unit", actions.do_save_team, actor=self.dispatcher, unit=self.grid, name="x"
        )


class MemberTest(VolunteersTestCase):
    def test_a_resident_member_is_found_by_phone_and_updated(self):
        team = self.team()
        first = actions.do_save_member(
            team, actor=self.community_staff, name="张桂芬", phone_number="13900001111"
        )
        self.assertEqual(first.outcome, "created")
        self.assertEqual(first.row.shown_name, "张**")
        self.assertEqual(first.row.shown_phone, "139****1111")
        same = actions.do_save_member(
            team, actor=self.community_staff, name="张桂芬", phone_number="139 0000 1111"
        )
        self.assertEqual(same.outcome, "unchanged")
        lead = actions.do_save_member(
            team, actor=self.community_staff, name="张桂芬", phone_number="13900001111", leader=True
        )
        self.assertEqual((lead.outcome, lead.row.pk), ("updated", first.row.pk))
        self.assertEqual(Member.objects.filter(team=team).count(), 1)

    def test_a_staff_member_and_a_report_in_keep_their_names(self):
        team = self.team()
        staff = actions.do_save_member(team, actor=self.dispatcher, user=self.grid_worker).row
        self.assertEqual(staff.kind, MemberKind.STAFF)
        report_in = self.report_in()
        member = actions.do_save_member(team, actor=self.dispatcher, report_in=report_in).row
        self.assertEqual((member.kind, member.shown_name), (MemberKind.REPORT_IN, "刘建国"))

    def test_wrong_actor_bad_phone_and_staff_without_account_are_refused(self):
        team = self.team()
        self.assertRefused(
            "forbidden", actions.do_save_member, team, actor=self.other_community_staff, name="李"
        )
        self.assertRefused(
            "invalid_phone",
            actions.do_save_member,
            team,
            actor=self.community_staff,
            name="李",
            phone_number="12345",
        )
        self.assertRefused(
            "person_required",
            actions.do_save_member,
            team,
            actor=self.community_staff,
            name="李",
            kind=MemberKind.STAFF,
        )

    def test_a_member_leaves_once(self):
        member = self.member(self.team())
        actions.do_remove_member(member, actor=self.community_staff)
        self.assertFalse(Member.objects.get(pk=member.pk).active)
        self.assertRefused(
            "invalid_transition", actions.do_remove_member, member, actor=self.community_staff
        )
        self.assertRefused(
            "forbidden", actions.do_remove_member, member, actor=self.other_community_staff
        )


class ActivityTest(VolunteersTestCase):
    def setUp(self):
        super().setUp()
        self.red = self.team()
        self.zhang = self.member(self.red)
        self.li = self.member(self.red, name="李明", phone="13900003333")

    def test_staff_record_an_activity_with_hours_photos_and_what_it_solved(self):
        case = self.register()
        wish = self.published()
        activity = actions.do_record_activity(
            self.red,
            actor=self.community_staff,
            title="为独居老人清理楼道",
            date=dt.date(2026, 6, 16),
            place="福临苑3号楼",
            participants=[(self.zhang, "2.5"), (self.li, 3)],
            photos=[png()],
            cases=[case],
            wishes=[wish],
            solved_note="楼道杂物已清走",
        )
        hours = dict(Participation.objects.filter(activity=activity).values_list("member", "hours"))
        self.assertEqual(hours, {self.zhang.pk: Decimal("2.5"), self.li.pk: Decimal("3.0")})
        self.assertEqual(ActivityPhoto.objects.filter(activity=activity).count(), 1)
        solved = SolvedProblem.objects.filter(activity=activity)
        self.assertEqual(
            {(s.case_id, s.wish_id) for s in solved}, {(case.pk, None), (None, wish.pk)}
        )
        event = VolunteerEvent.objects.get(activity=activity)
        self.assertEqual(event.code, "volunteers.activity.recorded")
        self.assertEqual(event.data["hours"], "5.5")

    def test_a_photo_is_re_encoded_and_a_fake_refused(self):
        activity = self.activity(self.red, [(self.zhang, 1)], photos=[png("a.png")])
        stored = ActivityPhoto.objects.get(activity=activity).image
        self.assertTrue(stored.name.endswith((".jpg", ".png", ".jpeg")), stored.name)
        fake = SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
        self.assertRefused(
            "invalid_photo", self.activity, self.red, [(self.zhang, 1)], photos=[fake]
        )

    def test_the_team_leader_with_an_account_records_his_team_activity(self):
        actions.do_save_member(self.red, actor=self.dispatcher, user=self.grid_worker, leader=True)
        activity = actions.do_record_activity(
            self.red,
            actor=self.grid_worker,
            title="义诊",
            date=dt.date(2026, 6, 17),
            place="社区广场",
            participants=[(self.zhang, 2)],
        )
        self.assertEqual(activity.recorded_by, self.grid_worker)

    def test_wrong_actors_are_refused(self):
        for actor in (self.other_community_staff, self.handler_b, self.resident, self.leader):
            with self.subTest(actor=actor.username):
                self.assertRefused(
                    "forbidden",
                    actions.do_record_activity,
                    self.red,
                    actor=actor,
                    title="x",
                    date=dt.date(2026, 6, 16),
                    place="x",
                    participants=[(self.zhang, 1)],
                )

    def test_bad_hours_members_and_dates_are_refused(self):
        other = self.member(self.team("另一支队伍"), name="赵", phone="13900004444")
        cases = [
            ("invalid_hours", [(self.zhang, "0")], {}),
            ("invalid_hours", [(self.zhang, "25")], {}),
            ("invalid_hours", [(self.zhang, "1.3")], {}),
            ("invalid_hours", [(self.zhang, "两小时")], {}),
            ("invalid_member", [(other, 1)], {}),
            ("invalid_member", [(self.zhang, 1), (self.zhang, 2)], {}),
            ("participants_required", [], {}),
            ("invalid_date", [(self.zhang, 1)], {"date": dt.date(2026, 6, 18)}),
            ("invalid_date", [(self.zhang, 1)], {"date": dt.date(2025, 6, 1)}),
            ("title_required", [(self.zhang, 1)], {"title": "  "}),
        ]
        for code, participants, fields in cases:
            with self.subTest(code=code, fields=fields):
                self.assertRefused(code, self.activity, self.red, participants, **fields)

    def test_only_cases_and_wishes_the_actor_sees_can_be_linked(self):
        case = self.register(community=self.other_community, grid=self.other_grid)
        team = actions.do_save_team(actor=self.community_staff, unit=self.community, name="x").row
        member = actions.do_save_member(team, actor=self.community_staff, name="钱").row
        self.assertRefused(
            "invalid_case",
            actions.do_record_activity,
            team,
            actor=self.community_staff,
            title="x",
            date=dt.date(2026, 6, 16),
            place="x",
            participants=[(member, 1)],
            cases=[case],
        )


class ReportInTest(VolunteersTestCase):
    def test_the_community_registers_a_report_in_once_and_updates_a_move(self):
        first = actions.do_save_report_in(
            actor=self.community_staff,
            name="刘建国",
            phone_number="13700002222",
            employer=self.dept_a,
            community=self.community,
            reported_on=dt.date(2026, 5, 4),
            party_member=True,
        )
        self.assertEqual(first.outcome, "created")
        again = actions.do_save_report_in(
            actor=self.community_staff,
            name="刘建国",
            phone_number="13700002222",
            employer=self.dept_a,
            community=self.community,
            reported_on=dt.date(2026, 5, 4),
            party_member=True,
        )
        self.assertEqual(again.outcome, "unchanged")
        # He moves: his new community records it, not his old one.
        values = {
            "name": "刘建国",
            "phone_number": "13700002222",
            "employer": self.dept_a,
            "community": self.other_community,
            "reported_on": dt.date(2026, 6, 1),
            "party_member": True,
        }
        self.assertRefused(
            "forbidden", actions.do_save_report_in, actor=self.community_staff, **values
        )
        moved = actions.do_save_report_in(actor=self.other_community_staff, **values)
        self.assertEqual((moved.outcome, moved.row.pk), ("updated", first.row.pk))
        self.assertEqual(ReportIn.objects.get().community, self.other_community)
        self.assertEqual(
            list(VolunteerEvent.objects.filter(report_in=first.row).values_list("code", flat=True)),
            ["volunteers.report_in.registered", "volunteers.report_in.updated"],
        )

    def test_a_cadre_reports_himself_in_for_his_own_unit_only(self):
        values = {
            "name": "经办人甲",
            "community": self.other_community,
            "reported_on": dt.date(2026, 6, 1),
            "user": self.handler_a,
        }
        saved = actions.do_save_report_in(actor=self.handler_a, employer=self.dept_a, **values)
        self.assertEqual(saved.row.user, self.handler_a)
        self.assertRefused(
            "forbidden",
            actions.do_save_report_in,
            actor=self.handler_a,
            employer=self.dept_b,
            **{**values, "name": "经办人甲"},
        )

    def test_wrong_actor_community_and_date_are_refused(self):
        values = {
            "name": "刘建国",
            "employer": self.dept_a,
            "community": self.community,
            "reported_on": dt.date(2026, 5, 4),
        }
        for actor in (self.handler_a, self.resident, self.other_community_staff, self.leader):
            with self.subTest(actor=actor.username):
                self.assertRefused("forbidden", actions.do_save_report_in, actor=actor, **values)
        self.assertRefused(
            "invalid_community",
            actions.do_save_report_in,
            actor=self.dispatcher,
            **{**values, "community": self.street},
        )
        self.assertRefused(
            "invalid_employer",
            actions.do_save_report_in,
            actor=self.dispatcher,
            **{**values, "employer": self.grid},
        )
        self.assertRefused(
            "invalid_date",
            actions.do_save_report_in,
            actor=self.dispatcher,
            **{**values, "reported_on": dt.date(2026, 6, 18)},
        )


class AssignmentTest(VolunteersTestCase):
    def setUp(self):
        super().setUp()
        self.liu = self.report_in(user=None)

    def test_the_community_assigns_a_wish_an_activity_and_a_service(self):
        wish = self.published()
        team = self.team()
        activity = self.activity(team, [(self.member(team), 2)])
        made = [
            actions.do_assign(self.liu, actor=self.community_staff, kind="wish", wish=wish),
            actions.do_assign(
                self.liu, actor=self.community_staff, kind="activity", activity=activity
            ),
            actions.do_assign(
                self.liu, actor=self.community_staff, kind="service", service="为高龄老人代购药品"
            ),
        ]
        self.assertEqual([a.subject for a in made][2], "为高龄老人代购药品")
        self.assertEqual(
            VolunteerEvent.objects.filter(code="volunteers.assignment.created").count(), 3
        )
        done = actions.do_finish_assignment(made[2], actor=self.community_staff, note="已送达")
        self.assertIsNotNone(done.done_at)
        self.assertRefused(
            "invalid_transition",
            actions.do_finish_assignment,
            made[2],
            actor=self.community_staff,
            note="again",
        )

    def test_the_person_himself_records_his_work_done(self):
        liu = self.report_in(name="经办人甲", phone="", user=self.handler_a)
        assignment = actions.do_assign(
            liu, actor=self.community_staff, kind="service", service="义务理发"
        )
        actions.do_finish_assignment(assignment, actor=self.handler_a, note="理发12人")
        self.assertEqual(Assignment.objects.get(pk=assignment.pk).done_note, "理发12人")

    def test_wrong_actor_and_wrong_work_are_refused(self):
        for actor in (self.other_community_staff, self.handler_a, self.resident):
            with self.subTest(actor=actor.username):
                self.assertRefused(
                    "forbidden",
                    actions.do_assign,
                    self.liu,
                    actor=actor,
                    kind="service",
                    service="x",
                )
        elsewhere = wish_actions.do_publish_wish(
            self.posted(community=self.other_community), actor=self.dispatcher
        )
        pending = self.posted()
        other_team = self.team("青峰队", unit=self.other_community)
        other_activity = self.activity(other_team, [(self.member(other_team), 1)])
        refused = [
            ("invalid_wish", {"kind": "wish", "wish": elsewhere}),
            ("invalid_wish", {"kind": "wish", "wish": pending}),
            ("invalid_activity", {"kind": "activity", "activity": other_activity}),
            ("service_required", {"kind": "service", "service": " "}),
            ("invalid_kind", {"kind": "party"}),
        ]
        for code, fields in refused:
            with self.subTest(code=code):
                self.assertRefused(
                    code, actions.do_assign, self.liu, actor=self.community_staff, **fields
                )
        assignment = actions.do_assign(
            self.liu, actor=self.community_staff, kind="service", service="x"
        )
        self.assertRefused(
            "forbidden", actions.do_finish_assignment, assignment, actor=self.handler_b, note="x"
        )


class PartnerTest(VolunteersTestCase):
    def partner(self, actor=None, communities=None):
        return actions.do_save_partner(
            actor=actor or self.community_staff,
            name="青岛银行福临支行",
            kind="企业",
            communities=communities or [self.community],
        )

    def test_a_community_pairs_a_partner_with_itself_only(self):
        saved = self.partner()
        self.assertEqual(saved.outcome, "created")
        self.assertEqual(self.partner().outcome, "unchanged")
        self.assertRefused(
            "forbidden",
            actions.do_save_partner,
            actor=self.community_staff,
            name="青岛银行福临支行",
            communities=[self.community, self.other_community],
        )
        both = self.partner(self.dispatcher, [self.community, self.other_community])
        self.assertEqual(both.outcome, "updated")
        self.assertRefused(
            "forbidden",
            actions.do_save_partner,
            actor=self.community_staff,
            name="青岛银行福临支行",
            communities=[self.community],
        )
        self.assertRefused(
            "invalid_community",
            actions.do_save_partner,
            actor=self.dispatcher,
            name="x",
            communities=[self.street],
        )

    def test_a_partner_runs_activities_through_its_team(self):
        partner = self.partner().row
        team = actions.do_save_team(
            actor=self.community_staff, unit=self.community, name="银行志愿队", partner=partner
        ).row
        activity = self.activity(team, [(self.member(team), 2)])
        self.assertEqual(activity.team.partner, partner)
        unpaired = actions.do_save_partner(
            actor=self.other_community_staff, name="另一家", communities=[self.other_community]
        ).row
        self.assertRefused(
            "not_paired",
            actions.do_save_team,
            actor=self.community_staff,
            unit=self.community,
            name="y",
            partner=unpaired,
        )

    def test_its_community_claims_a_wish_for_a_paired_partner(self):
        partner = self.partner().row
        wish = self.published()
        claim = wish_actions.do_claim_wish(
            wish, actor=self.community_staff, promised_date=dt.date(2026, 6, 24), partner=partner
        )
        self.assertEqual((claim.partner, claim.unit), (partner, self.community))
        event = WishEvent.objects.get(wish=wish, code="programs.wish.claimed")
        self.assertEqual(event.data["partner"], partner.pk)
        # The holder fulfils it as any claimer would.
        wish_actions.do_fulfil_wish(wish, actor=self.community_staff, note="已送去助行器")

    def test_a_partner_claim_is_refused_elsewhere_and_to_others(self):
        partner = self.partner().row
        elsewhere = wish_actions.do_publish_wish(
            self.posted(community=self.other_community), actor=self.dispatcher
        )
        promised = dt.date(2026, 6, 24)
        with self.assertRaises(WorkflowError) as raised:
            wish_actions.do_claim_wish(
                elsewhere, actor=self.dispatcher, promised_date=promised, partner=partner
            )
        self.assertEqual(raised.exception.code, "forbidden")
        wish = self.published()
        with self.assertRaises(WorkflowError) as raised:
            wish_actions.do_claim_wish(
                wish, actor=self.handler_a, promised_date=promised, partner=partner
            )
        self.assertEqual(raised.exception.code, "forbidden")
        self.assertFalse(WishClaim.objects.exists())

    def test_the_claim_stays_exclusive_with_a_partner(self):
        partner = self.partner().row
        wish = self.claimed()
        with self.assertRaises(WorkflowError) as raised:
            wish_actions.do_claim_wish(
                wish,
                actor=self.community_staff,
                promised_date=dt.date(2026, 6, 24),
                partner=partner,
            )
        self.assertEqual(raised.exception.code, "invalid_transition")
        self.assertEqual(WishClaim.objects.filter(wish=wish).count(), 1)
        self.assertEqual(wish.status, WishStatus.CLAIMED)
