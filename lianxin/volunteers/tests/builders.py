"""Teams, activities, report-ins and partners made through the real actions by the test
district's cast: 福临社区's staff keep its team, its people report in."""

import datetime as dt

from lianxin.volunteers import actions
from lianxin.volunteers.models import Member, MemberKind, ReportIn, Team


class Volunteers:
    """Mixin for whatever holds the cast (`lianxin.test.District`)."""

    def team(self, name="福临社区红马甲志愿服务队", unit=None, **fields) -> Team:
        return actions.do_save_team(
            actor=self.dispatcher, unit=unit or self.community, name=name, **fields
        ).row

    def member(self, team, name="张桂芬", phone="13900001111", **fields) -> Member:
        values = {"kind": MemberKind.RESIDENT, "name": name, "phone_number": phone}
        return actions.do_save_member(team, actor=self.dispatcher, **{**values, **fields}).row

    def report_in(self, name="刘建国", phone="13700002222", employer=None, **fields) -> ReportIn:
        values = {
            "name": name,
            "phone_number": phone,
            "employer": employer or self.dept_a,
            "community": self.community,
            "reported_on": dt.date(2026, 5, 4),
            "party_member": True,
        }
        return actions.do_save_report_in(actor=self.dispatcher, **{**values, **fields}).row

    def activity(self, team, participants, *, date=dt.date(2026, 6, 13), **fields):
        values = {"title": "楼道清理", "place": "福临苑3号楼", "date": date}
        return actions.do_record_activity(
            team,
            actor=self.dispatcher,
            participants=participants,
            **{**values, **fields},
        )
