from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrderQueueConfig(AppConfig):
    """The operators' queue and the orders API: a layer above orders, inventory and rules.

    It has no models: saved views and bulk jobs are order data and stay in the orders
    app (their tables and their `orders.*` permissions); this app is the code that works them.
    """

    name = "order_queue"

    def ready(self) -> None:
        from oms.access import resources

        resources.declare("orders", label=_("Orders"))
