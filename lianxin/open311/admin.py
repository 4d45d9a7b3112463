"""Partners and their keys: the key is shown once, when the partner is created or the key
is replaced; only its hash is kept."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from lianxin.open311.models import Partner, PartnerRequest, PartnerUpdate
from lianxin.open311.partners import make_system_user, new_key, set_key, use_key


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "channel", "all_categories", "active", "key_prefix", "created_at"]
    list_filter = ["active", "channel"]
    search_fields = ["name"]
    fields = ["name", "channel", "all_categories", "categories", "active", "contact"]
    readonly_fields = ["key_prefix", "user", "created_at"]
    filter_horizontal = ["categories"]
    actions = ["replace_keys"]

    def get_fields(self, request, obj=None):
        return self.fields + (self.readonly_fields if obj else [])

    def save_model(self, request, obj, form, change):
        key = None
        if not change:
            key = new_key()
            use_key(obj, key)
            obj.user = make_system_user(obj.name)
        super().save_model(request, obj, form, change)
        if key is not None:
            messages.warning(
                request,
                _("合作方“%(name)s”的 api_key：%(key)s 。请立即转交合作方，此密钥只显示这一次。")
                % {"name": obj.name, "key": key},
            )

    @admin.action(description=_("更换所选合作方的 api_key"))
    def replace_keys(self, request, queryset):
        for partner in queryset:
            key = set_key(partner)
            messages.warning(
                request,
                _("合作方“%(name)s”的新 api_key：%(key)s 。旧密钥已失效，新密钥只显示这一次。")
                % {"name": partner.name, "key": key},
            )
        self.message_user(
            request,
            ngettext("已更换 %(n)d 个密钥。", "已更换 %(n)d 个密钥。", queryset.count())
            % {"n": queryset.count()},
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PartnerRequest)
class PartnerRequestAdmin(ReadOnlyAdmin):
    list_display = ["case", "partner", "external_id", "received_at"]
    list_filter = ["partner"]
    search_fields = ["case__tracking_number", "external_id"]
    list_select_related = ["case", "partner"]


@admin.register(PartnerUpdate)
class PartnerUpdateAdmin(ReadOnlyAdmin):
    list_display = ["case", "partner", "external_id", "status", "received_at"]
    list_filter = ["partner"]
    search_fields = ["case__tracking_number", "external_id"]
    list_select_related = ["case", "partner"]
