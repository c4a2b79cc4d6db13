"""What a marketplace will receive for a refund, shown before the operator confirms it.

The same figures the `marketplace.refund` message carries, in the shape of each platform's
call (the connectors write the wire format: Mirakl OR28 sends units, items and shipping per
line; eBay issueRefund and Octopia one amount per line, items and shipping together; Amazon a
payment adjustment per item, principal and shipping).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from orders.models import Order
from returns.actions import LineRefund

OPERATIONS = {
    "mirakl": _("Mirakl OR28: units, items and shipping per line"),
    "ebay": _("eBay issueRefund: one amount per line item, items and shipping together"),
    "cdiscount": _("Octopia refund (unverified format): one amount per line, items and shipping together"),
    "amazon": _("Amazon payment adjustment feed (unverified format): principal and shipping per item"),
}
CALLS = {
    "mirakl": "PUT /api/orders/refund",
    "ebay": "POST /sell/fulfillment/v1/order/{orderId}/issue_refund",
    "cdiscount": "POST /seller/v2/orders/{orderId}/refunds",
    "amazon": "POST_PAYMENT_ADJUSTMENT_DATA",
}
# Platforms whose refund call carries the units (the others take amounts only).
SENDS_UNITS = ("mirakl",)
# Platforms whose refund call keeps shipping apart from the items.
SENDS_SHIPPING_APART = ("mirakl", "amazon")


@dataclass(frozen=True)
class PreviewLine:
    line_id: str
    sku: str
    quantity: int | None
    amount: Decimal
    shipping_amount: Decimal | None
    sent_amount: Decimal


@dataclass(frozen=True)
class Preview:
    operation: str
    call: str
    lines: list[PreviewLine]
    total: Decimal
    currency: str


def marketplace_preview(order: Order, lines: list[LineRefund]) -> Preview:
    platform = order.account.platform
    by_id = {line.pk: line for line in order.lines.all()}
    rows = []
    for line in lines:
        order_line = by_id[line.order_line_id]
        apart = platform in SENDS_SHIPPING_APART
        rows.append(
            PreviewLine(
                line_id=order_line.marketplace_line_id,
                sku=order_line.sku,
                quantity=line.quantity if platform in SENDS_UNITS else None,
                amount=line.amount if apart else line.amount + line.shipping_amount,
                shipping_amount=line.shipping_amount if apart else None,
                sent_amount=line.amount + line.shipping_amount,
            )
        )
    return Preview(
        operation=str(OPERATIONS.get(platform, platform)),
        call=CALLS.get(platform, ""),
        lines=rows,
        total=sum((row.sent_amount for row in rows), Decimal("0")),
        currency=order.currency,
    )
