from django.contrib import admin

from lianxin.registry.models import (
    Cadre,
    Household,
    Pair,
    PairMember,
    Question,
    Resident,
    Round,
    Tag,
    Zone,
)


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


class ReadOnlyAdmin(admin.ModelAdmin):
    """The registers are written by actions (pages, imports, the command), which check
    the rules and keep the history; the admin only looks."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ResidentInline(admin.TabularInline):
    model = Resident
    fields = ("name", "relation", "birth_year", "active")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Household)
class HouseholdAdmin(ReadOnlyAdmin):
    list_display = ["address", "community", "grid", "head_name", "member_count", "pair", "active"]
    list_filter = ["active", "kind"]
    list_select_related = ["community", "grid", "pair"]
    search_fields = ["address", "head_name"]
    exclude = ["phone"]  # the card shows it, masked or logged; the admin does not
    inlines = [ResidentInline]


@admin.register(Cadre)
class CadreAdmin(ReadOnlyAdmin):
    list_display = ["name", "employer", "party_member", "local", "experienced", "active", "user"]
    list_filter = ["party_member", "local", "experienced", "active"]
    list_select_related = ["employer", "user"]
    search_fields = ["name", "phone"]


class PairMemberInline(admin.TabularInline):
    model = PairMember
    fields = ("cadre", "since", "until")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Pair)
class PairAdmin(ReadOnlyAdmin):
    list_display = ["code", "community", "active"]
    list_select_related = ["community"]
    search_fields = ["code"]
    inlines = [PairMemberInline]
