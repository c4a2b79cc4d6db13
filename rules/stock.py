"""Can this order's lines be served from stock? The one answer rules rely on before accepting.

The inventory app owns stock: `inventory.selectors.stock_for_order(order)` (units
available per marketplace line id) and the order's `allocation` (its reservation,
an `OrderAllocation.Status`). Anything we cannot confirm counts as "no": a rule
never accepts an order it cannot serve.
"""

from __future__ import annotations

from dataclasses import dataclass

from inventory import selectors as inventory_selectors
from inventory.models import OrderAllocation


@dataclass(frozen=True)
class Check:
    """One condition's verdict on one order, with the sentence a person reads."""

    passed: bool
    reason: str


def _allocation(order):
    # A missing reverse one-to-one raises RelatedObjectDoesNotExist, an AttributeError.
    return getattr(order, "allocation", None)


def check_stock(order) -> Check:
    """Pass only when the order's lines are reserved; the reason quotes stock against quantities."""
    allocation = _allocation(order)
    if allocation is None:
        return Check(False, "cannot confirm stock: no stock reservation for this order")
    lines = list(order.lines.all())
    available = inventory_selectors.stock_for_order(order)
    if allocation.status != OrderAllocation.Status.RESERVED:
        short = [line for line in lines if available.get(line.marketplace_line_id, 0) < line.quantity]
        detail = ", ".join(f"{line.sku} {available.get(line.marketplace_line_id, 0)} < {line.quantity}" for line in short)
        if allocation.status == OrderAllocation.Status.BACKORDER:
            return Check(False, "cannot reserve stock" + (f": {detail}" if detail else ""))
        return Check(False, f"stock not reserved for this order ({allocation.status})")
    return Check(True, _reserved_sentence(lines, available))


def _reserved_sentence(lines, available: dict) -> str:
    """Units the order can draw on per line: what is left for others plus what it holds itself."""
    if any(line.marketplace_line_id not in available for line in lines):
        return "stock reserved for all lines"
    figures = [(line.sku, available[line.marketplace_line_id] + line.quantity, line.quantity) for line in lines]
    if len(figures) == 1:
        return f"stock {figures[0][1]} ≥ {figures[0][2]} for all lines"
    return "stock " + ", ".join(f"{sku} {units} ≥ {quantity}" for sku, units, quantity in figures) + " for all lines"
