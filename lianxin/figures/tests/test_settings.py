"""The district settings the figures use are in the admin."""

from django.urls import reverse

from lianxin.orgs.models import DistrictSettings
from lianxin.test import LianxinTestCase


class SettingsAdminTest(LianxinTestCase):
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
            "考核权重：按期答复率（%）",
            "考核权重：按期办结率（%）",
            "综合考核得分中响应率所占的百分比",
            "综合考核得分中满意率所占的百分比",
            "答复时限（天）",
        ):
            self.assertContains(page, text)
        form = page.context["adminform"].form
        data = {name: form.initial[name] for name in form.fields}
        data |= {"response_limit_working_days": 2, "ranking_min_cases": 3}
        data |= {"weight_response": 30, "weight_reply_on_time": 15, "weight_resolve_on_time": 15}
        data |= {"weight_resolution": 30, "weight_satisfaction": 30}
        response = self.client.post(url, data)
        self.assertContains(response, "各项考核权重之和须为100%")  # refused, nothing saved
        self.assertEqual(DistrictSettings.objects.get().weight_response, 10)
        data["weight_satisfaction"] = 10
        self.assertEqual(self.client.post(url, data).status_code, 302)
        saved = DistrictSettings.objects.get()
        self.assertEqual(
            (saved.response_limit_working_days, saved.ranking_min_cases, saved.weight_response),
            (2, 3, 30),
        )
