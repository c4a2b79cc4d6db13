"""The webhook event types, one declaration each. An app that lands with new events (shipments,
returns, refunds, messages, KPI alerts) adds its line here, on the signal it sends.

Each event's data is the API's representation of what it is about (the same serializers).
"""

from __future__ import annotations

import json

from django.utils.translation import gettext_lazy as _
from rest_framework.renderers import JSONRenderer

from inventory import selectors as inventory_selectors
from inventory import signals as inventory_signals
from inventory.api.serializers import ProductStockSerializer
from inventory.models import Product
from kpis import signals as kpi_signals
from kpis.api.serializers import AlertSerializer
from kpis.models import Alert
from order_queue import selectors as order_selectors
from order_queue.api.serializers import OrderSerializer
from orders import signals as order_signals
from orders.models import Order
from webhooks.registry import declare


def _as_api(serializer) -> list[dict]:
    """What the API would answer (decimals and instants as strings), as plain JSON values."""
    return json.loads(JSONRenderer().render(serializer.data))


def orders_as_api(order_ids) -> list[dict]:
    orders = order_selectors.order_list().filter(pk__in=list(order_ids)).order_by("pk")
    return _as_api(OrderSerializer(orders, many=True))


def _orders_created(*, orders, **kwargs) -> list[tuple[str, dict]]:
    return [(f"order:{order['id']}", {"order": order}) for order in orders_as_api(order.pk for order in orders)]


def _order_status_changed(*, order, before, after, **kwargs) -> list[tuple[str, dict]]:
    return [(f"order:{order.pk}", {"order": orders_as_api([order.pk])[0], "previous_status": before, "status": after})]


def _stock_low(*, product_ids, **kwargs) -> list[tuple[str, dict]]:
    products = inventory_selectors.stock_api_list().filter(pk__in=product_ids).order_by("pk")
    return [
        (f"product:{product['id']}", {"product": product})
        for product in _as_api(ProductStockSerializer(products, many=True))
    ]


declare(
    "order.created",
    label=_("Order received"),
    signal=order_signals.orders_received,
    sender=Order,
    occurrences=_orders_created,
)
declare(
    "order.status_changed",
    label=_("Order status changed"),
    signal=order_signals.order_status_changed,
    sender=Order,
    occurrences=_order_status_changed,
)
declare("stock.low", label=_("Stock low"), signal=inventory_signals.stock_low, sender=Product, occurrences=_stock_low)


def _kpi_alert(*, alert, **kwargs) -> list[tuple[str, dict]]:
    return [(f"kpi_alert:{alert.pk}", {"alert": _as_api(AlertSerializer(alert))})]


declare("kpi.alert", label=_("KPI alert"), signal=kpi_signals.alert_fired, sender=Alert, occurrences=_kpi_alert)
