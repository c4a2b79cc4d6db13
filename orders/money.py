"""The money of an ingested order: totals from its lines and the marketplace's refunds.

Pure functions over the canonical dataclasses; `orders.actions.ingest_order` stores
what they return. Nothing here rounds or corrects the marketplace's figures: a total
that does not equal its lines is stored as it is, and the order says so
(`Order.money_warning`).
"""

from __future__ import annotations

from decimal import Decimal

from orders.canonical import AdjustmentData, AdjustmentKind, OrderData, TaxMode

ZERO = Decimal("0")

_SUMMED = (
    ("items_amount", "total_amount"),
    ("tax_amount", "tax_amount"),
    ("shipping_amount", "shipping_amount"),
    ("shipping_tax_amount", "shipping_tax_amount"),
    ("discount_amount", "discount_amount"),
    ("shipping_discount_amount", "shipping_discount_amount"),
    ("fee_amount", "fee_amount"),
    ("gift_wrap_amount", "gift_wrap_amount"),
    ("gift_wrap_tax_amount", "gift_wrap_tax_amount"),
)


def order_totals(data: OrderData) -> dict[str, Decimal]:
    """The order's money fields: the sums of its lines, plus what the marketplace took back."""
    totals = {
        order_field: sum((getattr(line, line_field) for line in data.lines), ZERO)
        for order_field, line_field in _SUMMED
    }
    totals["fee_amount"] += data.fee_amount
    totals["marketplace_refunded_amount"] = _adjusted(data, AdjustmentKind.REFUND)
    totals["marketplace_cancelled_amount"] = _adjusted(data, AdjustmentKind.CANCELLATION)
    return totals


def line_adjustment_totals(data: OrderData, line_id: str) -> dict[str, Decimal]:
    return {
        "marketplace_refunded_amount": _adjusted(data, AdjustmentKind.REFUND, line_id=line_id),
        "marketplace_cancelled_amount": _adjusted(data, AdjustmentKind.CANCELLATION, line_id=line_id),
    }


def adjustment_total(adjustment: AdjustmentData, *, tax_mode: str) -> Decimal:
    """What a refund or cancellation gives back to the buyer, taxes included."""
    total = adjustment.amount + adjustment.shipping_amount
    if tax_mode == TaxMode.EXCLUDED:
        total += adjustment.tax_amount
    return total


def _adjusted(data: OrderData, kind: str, *, line_id: str | None = None) -> Decimal:
    return sum(
        (
            adjustment_total(adjustment, tax_mode=data.tax_mode)
            for adjustment in data.adjustments
            if adjustment.kind == kind and (line_id is None or adjustment.marketplace_line_id == line_id)
        ),
        ZERO,
    )
