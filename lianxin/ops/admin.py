from django.contrib import admin

from lianxin.ops.models import JobFailure


@admin.register(JobFailure)
class JobFailureAdmin(admin.ModelAdmin):
    """Read only: the consumers count, nobody edits (the same numbers as /metrics)."""

    list_display = ("task", "failures", "last_failed_at")
    ordering = ("-last_failed_at",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
