from django.contrib import admin

from lianxin.orgs.models import DistrictSettings, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "code", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]


@admin.register(DistrictSettings)
class DistrictSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "reply_limit_days", "reply_limit_counting", "due_soon_working_days"]

    def has_add_permission(self, request):
        return not DistrictSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
