from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from lianxin.orgs.models import DistrictSettings, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "code", "public_enterprise", "active"]
    list_filter = ["kind", "public_enterprise", "active"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]


FIGURES_FIELDS: list[str | list[str] | tuple[str, ...]] = [
    "response_limit_working_days",
    "ranking_min_cases",
    "weight_response",
    "weight_reply_on_time",
    "weight_resolve_on_time",
    "weight_resolution",
    "weight_satisfaction",
]
SECURITY_FIELDS: list[str | list[str] | tuple[str, ...]] = ["two_factor_required"]
# Every other setting (deadlines, and whatever is added later) comes first.
DEADLINE_FIELDS: list[str | list[str] | tuple[str, ...]] = [
    f.name
    for f in DistrictSettings._meta.fields
    if f.editable
    and not f.primary_key
    and f.name not in FIGURES_FIELDS
    and f.name not in SECURITY_FIELDS
]


class DistrictSettingsForm(forms.ModelForm):
    class Meta:
        model = DistrictSettings
        fields = DEADLINE_FIELDS + FIGURES_FIELDS + SECURITY_FIELDS
        # The weights' help lives here rather than on the model, to need no migration.
        help_texts = {
            "weight_response": _("综合考核得分中响应率所占的百分比；各项权重之和须为100。"),
            "weight_reply_on_time": _("综合考核得分中按期答复率所占的百分比。"),
            "weight_resolve_on_time": _("综合考核得分中按期办结率所占的百分比。"),
            "weight_resolution": _("综合考核得分中解决率所占的百分比。"),
            "weight_satisfaction": _("综合考核得分中满意率所占的百分比。"),
        }


@admin.register(DistrictSettings)
class DistrictSettingsAdmin(admin.ModelAdmin):
    form = DistrictSettingsForm
    list_display = ["__str__", "reply_limit_days", "reply_limit_counting", "due_soon_working_days"]
    fieldsets = [
        (None, {"fields": DEADLINE_FIELDS}),
        (_("统计与考核"), {"fields": FIGURES_FIELDS}),
        (_("登录安全"), {"fields": SECURITY_FIELDS}),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not DistrictSettings.objects.exists()

    def has_delete_permission(
        self, request: HttpRequest, obj: DistrictSettings | None = None
    ) -> bool:
        return False
