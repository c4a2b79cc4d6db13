from django.contrib import admin

from messaging.models import AccountMessaging, Template


@admin.register(AccountMessaging)
class AccountMessagingAdmin(admin.ModelAdmin):
    """Per account: the reply deadline override and the buyer notices switched on."""

    list_display = [
        "account",
        "reply_deadline_hours",
        "reply_deadline_counts_weekends",
        "notify_on_acceptance",
        "notify_on_shipment",
    ]
    fields = [
        "account",
        "reply_deadline_hours",
        "reply_deadline_counts_weekends",
        "notify_on_acceptance",
        "notify_on_shipment",
    ]


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "language", "topic"]
    list_filter = ["language", "topic"]
