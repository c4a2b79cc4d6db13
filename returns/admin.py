"""Admin screens: the return windows (data an admin edits); refunds and returns read-only (they change
through the actions, so every change leaves an event)."""

from django.contrib import admin

from returns.models import Refund, ReturnRequest, ReturnWindow


@admin.register(ReturnWindow)
class ReturnWindowAdmin(admin.ModelAdmin):
    list_display = ["platform", "days", "source", "verified"]
    fields = ["platform", "days", "source"]

    @admin.display(boolean=True)
    def verified(self, window: ReturnWindow) -> bool:
        return window.verified


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["id", "order", "source", "status", "total_amount", "currency", "created_at"]
    list_filter = ["source", "status"]
    raw_id_fields = ["order", "return_request"]


@admin.register(ReturnRequest)
class ReturnRequestAdmin(ReadOnlyAdmin):
    list_display = ["number", "order", "platform", "status", "reason", "respond_by", "late_request"]
    list_filter = ["platform", "status", "reason", "late_request"]
    raw_id_fields = ["order"]
    exclude = ["label_content"]
