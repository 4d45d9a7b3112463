from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from lianxin.accounts.models import Disclosure, Membership, RecoveryCode, TotpDevice, User
from lianxin.accounts.signin import clear_account_failures


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["unit"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "full_name", "phone", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "phone"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("连心"), {"fields": ["full_name", "phone"]}),
    )
    actions = ["unlock_sign_in"]

    @admin.action(description=_("解除登录锁定"))
    def unlock_sign_in(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        """Wrong passwords lock an account for a while; whoever locked it, its owner may
        ask to get in sooner. The address's own count is left to expire."""
        for user in queryset:
            clear_account_failures(user.username)
        message = _("已解除%(count)d个账号的登录锁定。") % {"count": len(queryset)}
        self.message_user(request, message, messages.SUCCESS)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "role"]
    list_filter = ["role", "unit__kind"]
    search_fields = ["user__username", "user__full_name", "unit__name"]
    autocomplete_fields = ["user", "unit"]


@admin.register(Disclosure)
class DisclosureAdmin(admin.ModelAdmin):
    """The office reads who saw which resident's data; nobody edits or deletes the log."""

    list_display = ["at", "user", "subject", "object_id", "fields", "place"]
    list_filter = ["subject"]
    search_fields = ["user__username", "user__full_name", "place"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Disclosure | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Disclosure | None = None) -> bool:
        return False


@admin.register(TotpDevice)
class TotpDeviceAdmin(admin.ModelAdmin):
    """An administrator removes the app of someone who lost his phone and his recovery
    codes; he enrols a new one at his next sign-in. The secret is never shown."""

    list_display = ["user", "created_at"]
    search_fields = ["user__username", "user__full_name"]
    fields = ["user", "created_at"]
    readonly_fields = ["user", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: TotpDevice | None = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: TotpDevice) -> None:
        RecoveryCode.objects.filter(user=obj.user).delete()
        super().delete_model(request, obj)
