from django.contrib import admin

from lianxin.registry.models import Question, Round, Tag, Zone


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "group", "sort_order", "active"]
    list_editable = ["sort_order", "active"]
    search_fields = ["name", "code"]


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ["name", "street"]
    filter_horizontal = ["grids"]
    search_fields = ["name"]


class QuestionInline(admin.TabularInline):
    """The round's questionnaire; 选项 is a JSON list, e.g. ["满意", "基本满意", "不满意"]."""

    model = Question
    extra = 1


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "status", "starts_on", "ends_on"]
    readonly_fields = ["status", "opened_at"]
    filter_horizontal = ["priority_tags"]
    inlines = [QuestionInline]
