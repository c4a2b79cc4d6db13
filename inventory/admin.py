"""Admin screens for configuration: products, warehouses, listings, channel rules, purchase orders.

Stock levels and movements are read-only here: quantities change through the
stock screens, the API and imports (actions), so every change leaves a movement.
"""

from django.contrib import admin

from inventory import actions
from inventory.models import (
    ChannelPublication,
    ChannelRule,
    Listing,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    StockLevel,
    StockMovement,
    Warehouse,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("sku", "title", "ean", "low_stock_threshold", "active")
    list_filter = ("active",)
    search_fields = ("sku", "ean", "title")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "active" in form.changed_data:
            actions.schedule_full_push()


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "priority", "active")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        actions.schedule_full_push()  # what feeds each channel may have changed


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ("listing_sku", "product", "units", "account")
    search_fields = ("listing_sku", "product__sku")
    autocomplete_fields = ("product",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        actions.schedule_full_push()


@admin.register(ChannelRule)
class ChannelRuleAdmin(admin.ModelAdmin):
    list_display = ("account", "product", "publish", "buffer", "unpublish_below", "max_quantity", "percentage")
    list_filter = ("account",)
    autocomplete_fields = ("product",)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        actions.schedule_full_push()  # the warehouses feeding the account are saved with the relations


class PurchaseOrderLineInline(admin.TabularInline):
    model = PurchaseOrderLine
    extra = 3
    fields = ("product", "quantity_ordered", "quantity_received")
    readonly_fields = ("quantity_received",)
    autocomplete_fields = ("product",)


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(admin.ModelAdmin):
    list_display = ("reference", "supplier", "warehouse", "status", "expected_at")
    list_filter = ("status", "warehouse")
    readonly_fields = ("status",)
    inlines = [PurchaseOrderLineInline]


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyAdmin):
    list_display = ("product", "warehouse", "on_hand", "reserved", "updated_at")
    list_filter = ("warehouse",)
    search_fields = ("product__sku",)


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "product",
        "reason",
        "on_hand_change",
        "reserved_change",
        "on_hand_after",
        "reserved_after",
        "actor_label",
    )
    list_filter = ("reason",)
    search_fields = ("product__sku",)


@admin.register(ChannelPublication)
class ChannelPublicationAdmin(ReadOnlyAdmin):
    list_display = ("account", "sku", "queued_quantity", "queued_at", "outcome", "published_quantity", "published_at")
    list_filter = ("account", "outcome")
    search_fields = ("sku",)
