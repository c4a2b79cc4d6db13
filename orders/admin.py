from django.contrib import admin

from orders.models import Order, OrderEvent, OrderLine


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    readonly_fields = [field.name for field in OrderLine._meta.fields]
    can_delete = False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("marketplace_order_id", "account", "status", "purchased_at", "total_amount", "currency")
    list_filter = ("status", "account__platform", "account")
    search_fields = ("marketplace_order_id", "reference", "buyer_name")
    inlines = [OrderLineInline]

    def has_change_permission(self, request, obj=None):
        return False  # orders change through actions only


@admin.register(OrderEvent)
class OrderEventAdmin(admin.ModelAdmin):
    list_display = ("order", "created_at", "kind", "actor_type", "actor_label", "from_status", "to_status")
    list_filter = ("kind", "actor_type")

    def has_change_permission(self, request, obj=None):
        return False
