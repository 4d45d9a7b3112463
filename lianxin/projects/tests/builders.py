"""Plans and projects made through the real actions, by the test district's cast
(`lianxin.test.District`): the office's dispatcher plans, 区城市管理局 (department A)
leads, 区住房和城乡建设局 (department B) co-handles, 海岚街道 owns a milestone."""

import datetime as dt

from lianxin.projects import actions
from lianxin.projects.actions import MilestoneSpec, ProjectSpec
from lianxin.projects.models import Plan, Project


class Projects:
    """Mixin for whatever holds the cast."""

    def plan(self, title="2025年为民办实事项目", year=2025, **fields) -> Plan:
        return actions.do_create_plan(
            actor=self.dispatcher, title=title, year=year, when=fields.pop("when", None), **fields
        )

    def spec(self, **fields) -> ProjectSpec:
        values = {
            "name": "老旧小区路灯改造",
            "category": "城市建设",
            "lead_unit": self.dept_a,
            "co_units": [self.dept_b],
            "leader": self.leader,
            "measures": "更换老旧小区路灯灯具，补齐照明盲区。",
            "target_text": "改造路灯",
            "target_quantity": "120",
            "target_unit": "个",
            "start_date": dt.date(2025, 1, 1),
            "finish_date": dt.date(2025, 12, 31),
            "schedule_text": "3月底前完成方案；6月底前开工",
            "milestones": [
                MilestoneSpec(dt.date(2025, 3, 31), "完成方案", self.dept_a),
                MilestoneSpec(dt.date(2025, 6, 30), "开工", self.street),
            ],
        }
        values.update(fields)
        return ProjectSpec(**values)

    def project(self, plan=None, when=None, **fields) -> Project:
        plan = plan or Plan.objects.filter(title="2025年为民办实事项目").first() or self.plan()
        project, _changed = actions.do_save_project(
            plan, self.spec(**fields), actor=self.dispatcher, when=when
        )
        return project
