"""What can still be refunded on an order, line by line: the one reckoning the actions, the refund
form's preview and the API share (the database trigger of migration 0002 enforces the same caps)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from orders.canonical import TaxMode
from orders.models import Order, OrderLine
from returns.models import Refund, RefundLine

ZERO = Decimal("0")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class LineBalance:
    """One order line's money: what the buyer paid and what is already refunded (refused refunds left out)."""

    line: OrderLine
    items_paid: Decimal
    shipping_paid: Decimal
    items_refunded: Decimal
    shipping_refunded: Decimal
    units_refunded: int

    @property
    def items_left(self) -> Decimal:
        return max(self.items_paid - self.items_refunded, ZERO)

    @property
    def shipping_left(self) -> Decimal:
        return max(self.shipping_paid - self.shipping_refunded, ZERO)

    @property
    def units_left(self) -> int:
        return max(self.line.quantity - self.units_refunded, 0)

    @property
    def unit_amount(self) -> Decimal:
        """What one unit of the line cost the buyer (items, taxes included)."""
        return (self.items_paid / self.line.quantity).quantize(CENT)

    def items_for(self, units: int) -> Decimal:
        """The items amount of `units` units, never more than is left (the last units take the rounding)."""
        if units >= self.units_left:
            return self.items_left
        return min(self.unit_amount * units, self.items_left)


def counted_refund_lines():
    """Refund lines that give money back (a refund the marketplace refused does not)."""
    return RefundLine.objects.exclude(refund__status=Refund.Status.FAILED)


def balances(order: Order) -> dict[int, LineBalance]:
    """Order line id → its balance, in line order."""
    excluded = order.tax_mode == TaxMode.EXCLUDED
    refunded = {
        row["order_line"]: row
        for row in counted_refund_lines()
        .filter(order_line__order=order)
        .values("order_line")
        .annotate(
            items=Sum("amount"),
            shipping=Sum("shipping_amount"),
            units=Sum("quantity"),
        )
    }
    result = {}
    for line in order.lines.all():
        row = refunded.get(line.pk, {})
        result[line.pk] = LineBalance(
            line=line,
            items_paid=line.total_amount + (line.tax_amount if excluded else ZERO),
            shipping_paid=line.shipping_amount + (line.shipping_tax_amount if excluded else ZERO),
            items_refunded=row.get("items") or ZERO,
            shipping_refunded=row.get("shipping") or ZERO,
            units_refunded=row.get("units") or 0,
        )
    return result


def order_refunded(order: Order) -> Decimal:
    """Everything refunded on the order (ours and the marketplace's), refused refunds left out."""
    total = (
        counted_refund_lines()
        .filter(refund__order=order)
        .aggregate(total=Sum("amount") + Sum("shipping_amount"))["total"]
    )
    return total or ZERO
