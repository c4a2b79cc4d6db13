"""The webhook event types, one declaration each. An app that lands with new events (shipments,
returns, refunds, messages, KPI alerts) adds its line here, on the signal it sends.

Each event's data is the API's representation of what it is about (the same serializers).
"""

from __future__ import annotations

import json

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from rest_framework.renderers import JSONRenderer

from inventory import selectors as inventory_selectors
from inventory import signals as inventory_signals
from inventory.api.serializers import ProductStockSerializer
from inventory.models import Product
from kpis import signals as kpi_signals
from kpis.api.serializers import AlertSerializer
from kpis.models import Alert
from messaging import selectors as messaging_selectors
from messaging import signals as messaging_signals
from messaging.api.serializers import MessageSerializer, ThreadSerializer
from messaging.models import Message
from order_queue import selectors as order_selectors
from order_queue.api.serializers import OrderSerializer
from orders import signals as order_signals
from orders.models import Order
from returns import selectors as return_selectors
from returns import signals as return_signals
from returns.api.serializers import ReturnSerializer
from returns.models import Refund, ReturnRequest
from shipping import selectors as shipping_selectors
from shipping import signals as shipping_signals
from shipping.api.serializers import ShipmentSerializer
from shipping.models import Shipment
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


def _messages_received(*, message_ids, **kwargs) -> list[tuple[str, dict]]:
    received = list(
        Message.objects.filter(pk__in=message_ids)
        .prefetch_related(Prefetch("files", queryset=messaging_selectors.message_files()))
        .order_by("pk")
    )
    threads = {
        thread["id"]: thread
        for thread in _as_api(
            ThreadSerializer(
                messaging_selectors.thread_list().filter(pk__in={m.thread_id for m in received}), many=True
            )
        )
    }
    return [
        (
            f"thread:{message.thread_id}",
            {"thread": threads[message.thread_id], "message": _as_api(MessageSerializer(message))},
        )
        for message in received
    ]


declare(
    "message.received",
    label=_("Buyer message received"),
    signal=messaging_signals.messages_received,
    sender=Message,
    occurrences=_messages_received,
)


def _shipment(*, shipment, **kwargs) -> list[tuple[str, dict]]:
    [data] = _as_api(ShipmentSerializer(shipping_selectors.shipment_list().filter(pk=shipment.pk), many=True))
    return [(f"shipment:{shipment.pk}", {"shipment": data})]


declare(
    "shipment.created",
    label=_("Shipment created"),
    signal=shipping_signals.shipment_created,
    sender=Shipment,
    occurrences=_shipment,
)
declare(
    "shipment.delivered",
    label=_("Shipment delivered"),
    signal=shipping_signals.shipment_delivered,
    sender=Shipment,
    occurrences=_shipment,
)


# Returns and refunds (the returns app's signals, sent after commit).
def _returns_as_api(return_ids) -> list[dict]:
    found = return_selectors.return_detail().filter(pk__in=list(return_ids)).order_by("pk")
    return _as_api(ReturnSerializer(found, many=True))


def _return_occurrence(*, return_request, **kwargs) -> list[tuple[str, dict]]:
    return [(f"return:{return_request.pk}", {"return": _returns_as_api([return_request.pk])[0]})]


def _refund_sent(*, refund, **kwargs) -> list[tuple[str, dict]]:
    order = orders_as_api([refund.order_id])[0]
    lines = [
        {
            "order_line": line.order_line_id,
            "quantity": line.quantity,
            "amount": str(line.amount),
            "shipping_amount": str(line.shipping_amount),
        }
        for line in refund.lines.all()
    ]
    data = {
        "refund": {
            "id": refund.pk,
            "order": refund.order_id,
            "return": refund.return_request_id,
            "reason": refund.reason,
            "currency": refund.currency,
            "total_amount": str(refund.total_amount),
            "lines": lines,
        },
        "order": order,
    }
    return [(f"refund:{refund.pk}", data)]


declare(
    "return.created",
    label=_("Return opened"),
    signal=return_signals.return_created,
    sender=ReturnRequest,
    occurrences=_return_occurrence,
)
declare(
    "return.closed",
    label=_("Return closed"),
    signal=return_signals.return_closed,
    sender=ReturnRequest,
    occurrences=_return_occurrence,
)
declare(
    "refund.sent",
    label=_("Refund taken by the marketplace"),
    signal=return_signals.refund_sent,
    sender=Refund,
    occurrences=_refund_sent,
)


def _kpi_alert(*, alert, **kwargs) -> list[tuple[str, dict]]:
    return [(f"kpi_alert:{alert.pk}", {"alert": _as_api(AlertSerializer(alert))})]


declare("kpi.alert", label=_("KPI alert"), signal=kpi_signals.alert_fired, sender=Alert, occurrences=_kpi_alert)
