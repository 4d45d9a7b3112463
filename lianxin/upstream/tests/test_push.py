from unittest import mock

from lianxin.cases import actions
from lianxin.cases.models import CaseEvent, Status
from lianxin.upstream.models import PushState, UpstreamPush
from lianxin.upstream.tests.base import UpstreamTestCase


class PushTest(UpstreamTestCase):
    def setUp(self):
        super().setUp()
        self.fake.add_order("QD-1", self.later(hours=-2))
        self.exchange(self.t0)
        self.case = self.order("QD-1").case

    def act(self, action, *args, **kwargs):
        """Run a workflow action and what follows its commit, as a web request would."""
        with self.captureOnCommitCallbacks(execute=True):
            return action(*args, **kwargs)

    def event_ids(self, *codes):
        return list(
            CaseEvent.objects.filter(case=self.case, code__in=codes)
            .order_by("pk")
            .values_list("pk", flat=True)
        )

    def test_our_progress_reaches_upstream_once_in_order(self):
        self.act(actions.do_dispatch_case, self.case, actor=self.dispatcher, unit=self.dept_a)
        self.act(actions.do_add_note, self.case, actor=self.handler_a, note="已联系路灯所现场查看")
        self.act(actions.do_accept_part, self.case.parts.get(), actor=self.handler_a)
        reply = "已安排维修人员本周五前更换灯具，请您耐心等待。"
        self.act(actions.do_reply_case, self.case, actor=self.handler_a, text=reply)
        result = "已更换3号楼门口路灯灯具，恢复照明。"
        self.act(actions.do_resolve_case, self.case, actor=self.handler_a, note=result)
        self.act(
            actions.do_verify_case, self.case, actor=self.dispatcher, passed=True, on_site=True
        )
        self.act(
            actions.do_record_return_visit,
            self.case,
            actor=self.dispatcher,
            satisfaction="satisfied",
            solved=True,
        )

        # Pushed at once by the queued job, without waiting for the periodic one.
        pushed = self.event_ids(
            "cases.case.dispatched",
            "cases.part.accepted",
            "cases.case.replied",
            "cases.case.resolved",
            "cases.case.return_visited",
        )
        self.assertEqual(self.fake.applied_ids(), [f"lianxin-{pk}" for pk in pushed])
        self.assertEqual(
            [(u["status"], u["description"]) for u in self.fake.updates],
            [
                ("INVESTIGATING", "已派至区城市管理局办理。"),
                ("IN_PROGRESS", "区城市管理局已接单，正在办理。"),
                ("IN_PROGRESS", reply),
                ("FIXED", result),
                ("CLOSED", "回访结果：满意。"),
            ],
        )
        first = self.fake.updates[0]
        self.assertEqual(first["service_request_id"], "QD-1")
        self.assertEqual(first["api_key"], "city-key")
        self.assertEqual(first["jurisdiction_id"], "qingdao")
        self.assertTrue(first["updated_datetime"].endswith("+08:00"))
        self.assertEqual(len(self.fake.posts), 5)  # the internal note and verification stay

        # The periodic job finds nothing more to send, and the echoes change nothing here.
        self.exchange(self.later(minutes=5))
        self.exchange(self.later(minutes=10))
        self.assertEqual(len(self.fake.posts), 5)
        self.assertEqual(UpstreamPush.objects.filter(state=PushState.PENDING).count(), 0)
        self.assertEqual(self.reload(self.case).status, Status.CLOSED)
        self.assertFalse(
            CaseEvent.objects.filter(code="cases.case.note_added", actor=None).exists()
        )
        self.assertEqual(
            CaseEvent.objects.filter(case=self.case, code="cases.case.note_added").count(), 1
        )
        sent = UpstreamPush.objects.filter(state=PushState.SENT).order_by("event_id")
        self.assertEqual([p.remote_update_id for p in sent], [f"city-{i}" for i in range(1, 6)])

    def test_an_unsatisfied_resident_is_pushed_as_in_progress(self):
        case = self.case
        self.act(actions.do_dispatch_case, case, actor=self.dispatcher, unit=self.dept_a)
        self.act(actions.do_accept_part, case.parts.get(), actor=self.handler_a)
        self.act(actions.do_resolve_case, case, actor=self.handler_a, note="已更换灯具，恢复照明。")
        self.act(actions.do_verify_case, case, actor=self.dispatcher, passed=True, on_site=False)
        self.act(
            actions.do_record_return_visit,
            case,
            actor=self.dispatcher,
            satisfaction="unsatisfied",
            solved=False,
            comment="灯还是不亮",
        )
        last = self.fake.updates[-1]
        self.assertEqual(last["status"], "IN_PROGRESS")
        self.assertEqual(last["description"], "回访结果：不满意。灯还是不亮。已退回重新办理。")
        # Upstream's reopening is the echo of that push: no note about it here.
        self.exchange(self.later(minutes=5))
        self.assertFalse(CaseEvent.objects.filter(case=case, code="cases.case.note_added").exists())

    def test_cases_not_from_upstream_are_not_pushed(self):
        case = self.register()
        self.act(actions.do_dispatch_case, case, actor=self.dispatcher, unit=self.dept_a)
        self.exchange(self.later(minutes=5))
        self.assertEqual(self.fake.posts, [])
        self.assertFalse(UpstreamPush.objects.exists())

    def test_an_event_whose_receiver_never_ran_is_found_and_pushed(self):
        # No on-commit callbacks here: as if the process died right after the commit.
        actions.do_dispatch_case(self.case, actor=self.dispatcher, unit=self.dept_a)
        self.assertFalse(UpstreamPush.objects.exists())
        self.exchange(self.later(minutes=5))
        self.assertEqual(
            self.fake.applied_ids(), [f"lianxin-{self.event_ids('cases.case.dispatched')[0]}"]
        )
        # And the receiver, late, does not write a second row or send again.
        from lianxin.upstream.push import on_case_events_committed

        on_case_events_committed(None, event_ids=self.event_ids("cases.case.dispatched"))
        self.assertEqual(UpstreamPush.objects.count(), 1)
        self.assertEqual(len(self.fake.posts), 1)

    def test_a_failing_receiver_never_breaks_the_workflow(self):
        broken = mock.patch(
            "lianxin.upstream.push.record_pushes", side_effect=RuntimeError("database gone")
        )
        with broken, self.assertLogs("lianxin.upstream.push", "ERROR"):
            self.act(actions.do_dispatch_case, self.case, actor=self.dispatcher, unit=self.dept_a)
        self.assertEqual(self.reload(self.case).status, Status.DISPATCHED)
        self.assertEqual(self.fake.posts, [])
        self.exchange(self.later(minutes=5))  # the sweep finds the event
        self.assertEqual([u["status"] for u in self.fake.updates], ["INVESTIGATING"])

    def test_a_withdrawal_that_follows_upstream_is_not_pushed_back(self):
        self.fake.change("QD-1", self.later(minutes=1), status="closed")
        with self.captureOnCommitCallbacks(execute=True):
            self.exchange(self.later(minutes=5))
        self.assertEqual(self.reload(self.case).status, Status.WITHDRAWN)
        row = UpstreamPush.objects.get()
        self.assertEqual(row.state, PushState.SKIPPED)
        self.assertEqual(self.fake.posts, [])

    def test_nothing_is_pushed_while_disabled_and_all_of_it_after(self):
        self.config.enabled = False
        self.config.save()
        self.act(actions.do_dispatch_case, self.case, actor=self.dispatcher, unit=self.dept_a)
        self.exchange(self.later(minutes=5))
        self.assertEqual(self.fake.posts, [])
        self.config.enabled = True
        self.config.save()
        self.exchange(self.later(minutes=10))
        self.assertEqual(len(self.fake.updates), 1)
