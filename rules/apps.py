from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrderRulesConfig(AppConfig):
    name = "rules"
    label = "order_rules"
    verbose_name = _("Order rules")

    def ready(self):
        from oms import audit
        from oms.access import resources
        from orders import signals
        from rules.models import Rule
        from rules.receivers import queue_rules_for_new_orders

        resources.declare("rules", label=_("Order rules"))
        audit.track(Rule, exclude=["created_at", "updated_at", "created_by", "updated_by"], m2m_fields=["accounts"])

        signals.orders_received.connect(
            queue_rules_for_new_orders, dispatch_uid="order_rules.queue_rules_for_new_orders"
        )
