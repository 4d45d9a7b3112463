"""Admin: the message templates, editable; the message log, read-only, with a resend."""

import re

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from lianxin.cases.models import mask_phone
from lianxin.notify.kinds import KINDS, PLACEHOLDER_LABELS
from lianxin.notify.models import Message, MessageTemplate

CODE_KINDS = {"resident.code"}
CODE_RE = re.compile(r"\d{4,}")


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["code", "channel", "text", "active", "updated_at"]
    list_filter = ["active", "channel"]
    fields = ["code", "channel", "text", "active", "placeholders"]
    readonly_fields = ["placeholders"]

    @admin.display(description=_("可用的占位符"))
    def placeholders(self, obj):
        kind = KINDS.get(obj.code) if obj and obj.pk else None
        if kind is None:
            return _("保存后显示此类通知可用的占位符。")
        return format_html_join(
            "",
            "<div><code>{{{}}}</code> {}</div>",
            ((name, PLACEHOLDER_LABELS[name]) for name in kind.placeholders),
        )


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "masked_phone", "case", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["case__tracking_number", "phone"]
    date_hierarchy = "created_at"
    list_select_related = ["case"]
    actions = ["resend"]
    # The text shows through `shown_text`, which hides a code's digits.
    exclude = ["text"]
    readonly_fields = [field.name for field in Message._meta.fields if field.name != "text"]
    readonly_fields.append("shown_text")

    @admin.display(description=_("内容"))
    def shown_text(self, obj):
        """A code text without its code: whoever reads the log could otherwise verify a
        phone he does not hold, or reset its account's password, while the code lives."""
        if obj.kind in CODE_KINDS:
            return CODE_RE.sub("******", obj.text)
        return obj.text

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the log is the record of what residents and staff were told

    @admin.action(description=_("重新发送所选的失败短信"))
    def resend(self, request, queryset):
        from lianxin.notify.tasks import send_messages

        ids = list(queryset.filter(status=Message.Status.FAILED).values_list("pk", flat=True))
        Message.objects.filter(pk__in=ids).update(
            status=Message.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        if ids:
            send_messages(ids)
        self.message_user(
            request,
            ngettext(
                "已将%(n)d条短信重新加入发送队列。", "已将%(n)d条短信重新加入发送队列。", len(ids)
            )
            % {"n": len(ids)},
            messages.SUCCESS,
        )
