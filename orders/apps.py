from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from oms import outbox
        from orders import actions

        # The outbox tells what became of a push; the order's timeline shows it.
        outbox.outbox_message_sent.connect(actions.on_push_sent, dispatch_uid="orders.push_sent")
        outbox.outbox_message_failed.connect(actions.on_push_failed, dispatch_uid="orders.push_failed")
