from django.contrib import admin

from lianxin.registry.models import Round, Tag, Zone


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


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "status", "starts_on", "ends_on"]
    readonly_fields = ["status", "opened_at"]
    filter_horizontal = ["priority_tags"]
