from django.contrib import admin

from rules.models import FlaggedBuyer, Rule, RuleDecision


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ("position", "name", "enabled", "action", "updated_at")
    list_display_links = ("name",)
    list_filter = ("enabled", "action")
    search_fields = ("name",)

    def has_change_permission(self, request, obj=None):
        return False  # rules are edited on their own pages, where definitions are validated

    def has_add_permission(self, request):
        return False


@admin.register(RuleDecision)
class RuleDecisionAdmin(admin.ModelAdmin):
    list_display = ("order", "rule_name", "outcome", "dry_run", "created_at")
    list_filter = ("outcome", "dry_run")
    search_fields = ("rule_name", "order__marketplace_order_id")
    raw_id_fields = ("order",)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FlaggedBuyer)
class FlaggedBuyerAdmin(admin.ModelAdmin):
    list_display = ("email", "name", "reason", "created_at")
    search_fields = ("email", "name")
