"""Reply templates filled in for one thread: {buyer_name}, {order_number}, {tracking_link}, {delivery_estimate}."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from django.conf import settings

from messaging.models import Thread
from orders.carriers import tracking_url
from orders.models import Order

VARIABLES = ("buyer_name", "order_number", "tracking_link", "delivery_estimate")
_VARIABLE = re.compile(r"\{(\w+)\}")


def values_for(thread: Thread) -> dict[str, str]:
    values = order_values(thread.order) if thread.order else {}
    return {
        "buyer_name": thread.buyer_name or values.get("buyer_name", ""),
        "order_number": values.get("order_number", thread.marketplace_order_id),
        "tracking_link": values.get("tracking_link", ""),
        "delivery_estimate": values.get("delivery_estimate", ""),
    }


def order_values(order: Order) -> dict[str, str]:
    link = tracking_url(order.carrier, order.tracking_number) if order.tracking_number else ""
    return {
        "buyer_name": order.buyer_name,
        "order_number": order.reference or order.marketplace_order_id,
        "tracking_link": link,
        # The latest delivery date the platform promised, as the buyer reads a date (day/month/year).
        "delivery_estimate": order.deliver_by.astimezone(ZoneInfo(settings.OMS_DEFAULT_TIME_ZONE)).strftime("%d/%m/%Y")
        if order.deliver_by
        else "",
    }


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with its variables replaced; an unknown variable stays as written, for the operator to see."""
    return _VARIABLE.sub(lambda found: values.get(found.group(1), found.group(0)), text)


def render(text: str, thread: Thread) -> str:
    return fill(text, values_for(thread))
