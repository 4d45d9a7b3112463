from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from lianxin.workdays.days import years_without_official_calendar
from lianxin.workdays.models import DayOverride


@admin.register(DayOverride)
class DayOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "is_working_day"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"
    search_fields = ["name"]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        for year in years_without_official_calendar():
            messages.warning(
                request,
                _(
                    "日历组件尚无 %(year)d 年的法定节假日数据，该年期限暂按周一至周五计算。"
                    "请在此逐日录入 %(year)d 年的放假和调休上班安排。"
                )
                % {"year": year},
            )
        return super().changelist_view(request, extra_context)
