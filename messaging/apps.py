from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Buyer messages")

    def ready(self) -> None:
        from messaging import (
            delay_rules,  # noqa: F401  (declares the order rules' "tell the buyer of a delay" action)
            events,  # noqa: F401  (declares the order timeline's messaging events)
            notifications,
            outbox_kinds,  # noqa: F401  (declares the messaging.reply and .notify outbox kinds)
        )
        from oms.access import resources
        from orders import signals
        from orders.models import Order

        resources.declare("messages", label=_("Buyer messages"))
        signals.order_status_changed.connect(
            notifications.on_status_changed, sender=Order, dispatch_uid="messaging.notify_buyer"
        )
