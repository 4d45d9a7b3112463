"""Admin for the taxonomy, and a read-only view of cases: their state changes only through
the workflow actions, so the admin never edits a case."""

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from lianxin.cases.models import Case, CaseEvent, CasePart, Category


class SubcategoryInline(admin.TabularInline):
    model = Category
    fk_name = "parent"
    extra = 0
    fields = ["code", "name", "default_unit", "resolution_working_days", "active", "sort_order"]
    autocomplete_fields = ["default_unit"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "code", "default_unit", "resolution_working_days", "active"]
    list_filter = ["active", "parent"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["default_unit"]
    inlines = [SubcategoryInline]
    list_select_related = ["parent", "default_unit"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class PartInline(ReadOnlyInline):
    model = CasePart
    fields = ["unit", "role", "status", "assigned_at", "accepted_at", "return_reason"]


class EventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ["at", "code", "actor", "actor_unit", "from_status", "to_status", "note", "public"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["tracking_number", "title", "status", "category", "lead_unit", "registered_at"]
    list_filter = ["status", "channel", "urgency", "escalated"]
    search_fields = ["tracking_number", "title"]
    date_hierarchy = "registered_at"
    list_select_related = ["category", "category__parent", "lead_unit"]
    inlines = [PartInline, EventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
