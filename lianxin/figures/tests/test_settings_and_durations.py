"""The district settings the figures use are in the admin; stored durations are filled."""

from django.urls import reverse

from lianxin.cases.models import Case
from lianxin.figures.durations import backfill_durations
from lianxin.figures.tests.flows import FlowTestCase
from lianxin.orgs.models import DistrictSettings
from lianxin.test import at


class SettingsAdminTest(FlowTestCase):
    def test_the_figures_settings_are_edited_in_the_admin_with_help(self):
        self.client.force_login(self.admin)
        DistrictSettings.load()
        url = reverse("admin:orgs_districtsettings_change", args=[1])
        page = self.client.get(url)
        for text in (
            "响应时限（工作日）",
            "派单后多少个工作日内接单算及时响应",
            "排名最少件数",
            "考核权重：响应率（%）",
            "综合考核得分中响应率所占的百分比",
            "综合考核得分中满意率所占的百分比",
            "答复时限（天）",
        ):
            self.assertContains(page, text)
        form = page.context["adminform"].form
        data = {name: form.initial[name] for name in form.fields}
        data |= {"response_limit_working_days": 2, "ranking_min_cases": 3}
        data |= {"weight_response": 30, "weight_resolution": 30, "weight_satisfaction": 30}
        response = self.client.post(url, data)
        self.assertContains(response, "三项考核权重之和须为100%")  # refused, nothing saved
        self.assertEqual(DistrictSettings.objects.get().weight_response, 20)
        data["weight_satisfaction"] = 40
        self.assertEqual(self.client.post(url, data).status_code, 302)
        saved = DistrictSettings.objects.get()
        self.assertEqual(
            (saved.response_limit_working_days, saved.ranking_min_cases, saved.weight_response),
            (2, 3, 30),
        )


class BackfillTest(FlowTestCase):
    def test_rows_from_before_the_columns_get_their_durations(self):
        mon = [at(2026, 11, 2, 9), at(2026, 11, 2, 10), at(2026, 11, 3), at(2026, 11, 5)]
        replied = self.through(mon, until="replied")
        resolved = self.resolve(self.through(mon, until="replied"), at(2026, 11, 10))
        fresh = self.new(at(2026, 11, 2))
        stamped = {
            c.pk: (c.response_working_days, c.reply_working_days, c.resolve_working_days)
            for c in Case.objects.all()
        }
        self.assertEqual(stamped[replied.pk], (1, 3, None))
        self.assertEqual(stamped[resolved.pk], (1, 3, 6))
        self.assertEqual(stamped[fresh.pk], (None, None, None))
        Case.objects.update(
            response_working_days=None, reply_working_days=None, resolve_working_days=None
        )
        self.assertEqual(backfill_durations(Case), 2)
        after = {
            c.pk: (c.response_working_days, c.reply_working_days, c.resolve_working_days)
            for c in Case.objects.all()
        }
        self.assertEqual(after, stamped)
        self.assertEqual(backfill_durations(Case), 0)  # nothing left to change
