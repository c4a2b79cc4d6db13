from django.contrib import admin

from oms.outbox import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "destination", "subject", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("destination", "subject")

    def has_change_permission(self, request, obj=None):
        return False  # retried or discarded through the outbox page
