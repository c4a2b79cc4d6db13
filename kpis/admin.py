from django.contrib import admin

from kpis.models import Alert, DailyBucket, TargetSetting


@admin.register(TargetSetting)
class TargetSettingAdmin(admin.ModelAdmin):
    list_display = ["account", "target", "threshold", "window_days", "enabled", "updated_at"]
    list_filter = ["account", "enabled"]


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["account", "target", "status", "value", "projected_value", "threshold", "opened_at", "closed_at"]
    list_filter = ["status", "account"]
    readonly_fields = [field.name for field in Alert._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(DailyBucket)
class DailyBucketAdmin(admin.ModelAdmin):
    """Read-only: the buckets are counted by the refresh (`recompute_kpis` to recount)."""

    list_display = ["account", "metric", "day", "source", "numerator", "denominator", "computed_at"]
    list_filter = ["metric", "source", "account"]
    date_hierarchy = "day"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
