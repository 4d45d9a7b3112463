"""Admin: subscriptions (with a test delivery), and the delivery log with every attempt."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from lianxin.cases.timeline import EVENT_LABELS
from lianxin.webhooks.models import Attempt, Delivery, Subscription


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(label=_("推送地址"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("订阅的事件"),
        choices=[(code, f"{label}（{code}）") for code, label in EVENT_LABELS.items()],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Subscription
        fields = ["name", "url", "secret", "events", "active"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ["name", "url", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["name", "url"]
    actions = ["send_test_delivery"]

    @admin.action(description=_("发送测试推送"))
    def send_test_delivery(self, request, queryset):
        from lianxin.webhooks.sending import make_test_delivery
        from lianxin.webhooks.tasks import send_delivery

        count = 0
        for subscription in queryset:
            send_delivery(make_test_delivery(subscription).pk)
            count += 1
        self.message_user(
            request,
            ngettext(
                "已为%(n)d个订阅生成测试推送并加入发送队列，结果见“推送记录”。",
                "已为%(n)d个订阅生成测试推送并加入发送队列，结果见“推送记录”。",
                count,
            )
            % {"n": count},
            messages.SUCCESS,
        )


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    readonly_fields = ("at", "status_code", "duration_ms", "error", "response_excerpt")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "subscription",
        "event_code",
        "status",
        "attempts",
        "last_status_code",
        "delivered_at",
    ]
    list_filter = ["status", "subscription", "event_code"]
    search_fields = ["delivery_id", "event_code"]
    date_hierarchy = "created_at"
    list_select_related = ["subscription"]
    readonly_fields = [field.name for field in Delivery._meta.fields]
    inlines = [AttemptInline]
    actions = ["redeliver"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("重新推送所选记录"))
    def redeliver(self, request, queryset):
        from lianxin.webhooks.tasks import send_delivery

        ids = list(queryset.exclude(status=Delivery.Status.SENDING).values_list("pk", flat=True))
        Delivery.objects.filter(pk__in=ids).update(
            status=Delivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        for pk in ids:
            send_delivery(pk)
        self.message_user(
            request,
            ngettext(
                "已将%(n)d条推送重新加入发送队列。", "已将%(n)d条推送重新加入发送队列。", len(ids)
            )
            % {"n": len(ids)},
            messages.SUCCESS,
        )
