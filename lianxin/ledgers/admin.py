"""Export and import jobs in the admin (read-only: jobs write themselves), and the import
template."""

from django.contrib import admin

from lianxin.ledgers.models import ExportJob, ImportJob


class ReadOnlyJobAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyJobAdmin):
    list_display = ["title", "owner", "format", "status", "rows_done", "rows_total", "created_at"]
    list_filter = ["status", "format", "kind"]
    list_select_related = ["owner"]
    date_hierarchy = "created_at"
    # The change list offers the import template (templates/admin/ledgers/exportjob/).
    change_list_template = "admin/ledgers/exportjob/change_list.html"


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyJobAdmin):
    list_display = [
        "name",
        "owner",
        "status",
        "rows_done",
        "rows_total",
        "created_count",
        "duplicate_count",
        "error_count",
        "created_at",
    ]
    list_filter = ["status"]
    list_select_related = ["owner"]
    date_hierarchy = "created_at"
    exclude = ["file"]  # the uploaded list holds residents' phones: not offered for download
