from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from oms.access.models import AccountScope
from oms.outbox import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "destination", "subject", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("destination", "subject")

    def has_change_permission(self, request, obj=None):
        return False  # retried or discarded through the outbox page


class AccountScopeInline(admin.StackedInline):
    """The marketplace accounts a user is limited to (no scope: every account)."""

    model = AccountScope
    can_delete = True
    filter_horizontal = ("accounts",)
    verbose_name_plural = _("Marketplace accounts this user may see (none set: every account)")


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [*BaseUserAdmin.inlines, AccountScopeInline]
