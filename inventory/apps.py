from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = _("Inventory")

    def ready(self) -> None:
        from inventory import actions
        from inventory.models import ChannelRule
        from oms import audit
        from oms.access import resources
        from orders import signals

        resources.declare("stock", label=_("Stock"))
        audit.track(ChannelRule, m2m_fields=["warehouses"])

        # Inside the order's transaction: a reservation commits with the order, or neither does.
        signals.orders_received.connect(actions.on_orders_received, dispatch_uid="inventory.reserve")
        signals.order_status_changed.connect(
            actions.on_order_status_changed, dispatch_uid="inventory.release_or_consume"
        )
        signals.stock_about_to_change.connect(actions.on_stock_about_to_change, dispatch_uid="inventory.lock_levels")
