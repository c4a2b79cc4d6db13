from django.contrib import admin

from messaging.models import AccountMessaging, DelayNotice, ReviewRequest, Template


@admin.register(AccountMessaging)
class AccountMessagingAdmin(admin.ModelAdmin):
    """Per account: the reply deadline override and the buyer notices switched on."""

    list_display = [
        "account",
        "reply_deadline_hours",
        "reply_deadline_counts_weekends",
        "notify_on_acceptance",
        "notify_on_shipment",
        "notify_on_delivery",
        "notify_on_delay",
        "delay_horizon_hours",
        "request_amazon_reviews",
        "review_request_days",
    ]
    fields = [
        "account",
        "reply_deadline_hours",
        "reply_deadline_counts_weekends",
        "notify_on_acceptance",
        "notify_on_shipment",
        "notify_on_delivery",
        "notify_on_delay",
        "delay_horizon_hours",
        "request_amazon_reviews",
        "review_request_days",
    ]


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "language", "topic"]
    list_filter = ["language", "topic"]


@admin.register(DelayNotice)
class DelayNoticeAdmin(admin.ModelAdmin):
    list_display = ["order", "ship_by", "automatic", "sent_by", "created_at"]
    readonly_fields = ["order", "ship_by", "message", "sent_by", "automatic", "created_at"]


@admin.register(ReviewRequest)
class ReviewRequestAdmin(admin.ModelAdmin):
    list_display = ["order", "status", "automatic", "requested_by", "requested_at", "created_at"]
    list_filter = ["status", "automatic"]
    readonly_fields = [
        "order", "status", "automatic", "requested_by", "attempted_at", "requested_at", "amazon_request_id", "error",
        "created_at",
    ]  # fmt: skip
