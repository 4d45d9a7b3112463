from django.contrib import admin

from lianxin.intel.models import Topic, TopicCase


class TopicCaseInline(admin.TabularInline):
    model = TopicCase
    raw_id_fields = ["case"]
    extra = 0


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["title", "place", "hotness", "case_count", "resident_count", "active"]
    list_filter = ["active"]
    search_fields = ["title", "place"]
    inlines = [TopicCaseInline]
