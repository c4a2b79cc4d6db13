"""Reply templates filled in for one thread: {buyer_name}, {order_number}, {tracking_link}."""

from __future__ import annotations

import re

from messaging.models import Thread
from orders.carriers import tracking_url

VARIABLES = ("buyer_name", "order_number", "tracking_link")
_VARIABLE = re.compile(r"\{(\w+)\}")


def values_for(thread: Thread) -> dict[str, str]:
    order = thread.order
    link = tracking_url(order.carrier, order.tracking_number) if order and order.tracking_number else ""
    return {
        "buyer_name": thread.buyer_name or (order.buyer_name if order else ""),
        "order_number": (order.reference or order.marketplace_order_id) if order else thread.marketplace_order_id,
        "tracking_link": link,
    }


def render(text: str, thread: Thread) -> str:
    """The template's text for this thread; an unknown variable stays as written, for the operator to see."""
    values = values_for(thread)
    return _VARIABLE.sub(lambda found: values.get(found.group(1), found.group(0)), text)
