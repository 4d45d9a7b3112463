from django.contrib import admin, messages
from django.db import models
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianxin.upstream.models import (
    PushState,
    ServiceMapping,
    UpstreamOrder,
    UpstreamPush,
    UpstreamSettings,
)


class ServiceMappingInline(admin.TabularInline):
    model = ServiceMapping
    extra = 1
    autocomplete_fields = ["category"]


@admin.register(UpstreamSettings)
class UpstreamSettingsAdmin(admin.ModelAdmin):
    inlines = [ServiceMappingInline]
    autocomplete_fields = ["actor", "default_category"]
    readonly_fields = [
        "pull_cursor",
        "last_pull_at",
        "last_pull_ok_at",
        "pull_failures",
        "last_pull_error",
    ]
    fieldsets = [
        (
            _("上游平台"),
            {"fields": ["name", "enabled", "base_url", "jurisdiction_id", "api_key", "actor"]},
        ),
        (_("拉取与分类"), {"fields": ["poll_minutes", "default_category", "coordinate_datum"]}),
        (_("超时与重试"), {"fields": ["connect_timeout", "read_timeout", "retry_cap_minutes"]}),
        (_("运行状态"), {"fields": tuple(readonly_fields)}),
    ]

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def changelist_view(self, request, extra_context=None):
        # A singleton: the list is the one settings page.
        return redirect(reverse("admin:upstream_upstreamsettings_change", args=[1]))

    def get_object(self, request, object_id, from_field=None):
        UpstreamSettings.load()  # the page exists before anyone has saved it
        return super().get_object(request, object_id, from_field)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(UpstreamOrder)
class UpstreamOrderAdmin(admin.ModelAdmin):
    list_display = [
        "upstream_id",
        "case",
        "upstream_status",
        "upstream_updated_at",
        "watching",
        "import_error",
        "attention",
    ]
    list_filter = ["upstream_status", "watching"]
    search_fields = ["upstream_id", "case__tracking_number"]
    list_select_related = ["case"]
    readonly_fields = [
        field.name for field in UpstreamOrder._meta.fields if field.name != "attention"
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(UpstreamPush)
class UpstreamPushAdmin(admin.ModelAdmin):
    list_display = [
        "order",
        "event",
        "state",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "last_error",
        "sent_at",
    ]
    list_filter = ["state"]
    search_fields = ["order__upstream_id"]
    list_select_related = ["order", "event"]
    actions = ["retry_now"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in UpstreamPush._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("立即重试所选回传"))
    def retry_now(self, request, queryset):
        count = queryset.filter(state=PushState.PENDING).update(next_attempt_at=timezone.now())
        self.message_user(
            request, _("已安排%(count)d条回传立即重试。") % {"count": count}, messages.SUCCESS
        )
