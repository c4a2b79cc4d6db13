from django.contrib import admin

from marketplaces.models import MarketplaceAccount


@admin.register(MarketplaceAccount)
class MarketplaceAccountAdmin(admin.ModelAdmin):
    list_display = ("name", "platform", "enabled", "handling_days")
    list_filter = ("platform", "enabled")
