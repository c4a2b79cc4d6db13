"""Can this order's lines be served from stock? The one answer rules rely on before accepting.

The inventory app owns stock: `inventory.selectors.stock_for_order(order)` (units
available per marketplace line id) and the order's `allocation` (its reservation,
an `OrderAllocation.Status`). Anything we cannot confirm counts as "no": a rule
never accepts an order it cannot serve.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_noop as N_

from inventory import selectors as inventory_selectors
from inventory.models import OrderAllocation
from rules.reasons import Reason


@dataclass(frozen=True)
class Check:
    """One condition's verdict on one order, with the sentence a person reads."""

    passed: bool
    reason: Reason


def _allocation(order):
    # A missing reverse one-to-one raises RelatedObjectDoesNotExist, an AttributeError.
    return getattr(order, "allocation", None)


def check_stock(order) -> Check:
    """Pass only when the order's lines are reserved; the reason quotes stock against quantities."""
    allocation = _allocation(order)
    if allocation is None:
        return Check(False, Reason(N_("cannot confirm stock: no stock reservation for this order")))
    lines = list(order.lines.all())
    available = inventory_selectors.stock_for_order(order)
    if allocation.status != OrderAllocation.Status.RESERVED:
        short = [line for line in lines if available.get(line.marketplace_line_id, 0) < line.quantity]
        detail = ", ".join(
            f"{line.sku} {available.get(line.marketplace_line_id, 0)} < {line.quantity}" for line in short
        )
        if allocation.status == OrderAllocation.Status.BACKORDER:
            if detail:
                return Check(False, Reason(N_("cannot reserve stock: %(short)s"), {"short": detail}))
            return Check(False, Reason(N_("cannot reserve stock")))
        status = OrderAllocation.Status(allocation.status)
        return Check(
            False, Reason(N_("stock not reserved for this order (%(allocation)s)"), {"allocation": status.label})
        )
    return Check(True, _reserved_sentence(lines, available))


def _reserved_sentence(lines, available: dict) -> Reason:
    """Units the order can draw on per line: what is left for others plus what it holds itself."""
    if any(line.marketplace_line_id not in available for line in lines):
        return Reason(N_("stock reserved for all lines"))
    figures = [(line.sku, available[line.marketplace_line_id] + line.quantity, line.quantity) for line in lines]
    if len(figures) == 1:
        return Reason(
            N_("stock %(units)s ≥ %(quantity)s for all lines"), {"units": figures[0][1], "quantity": figures[0][2]}
        )
    per_line = ", ".join(f"{sku} {units} ≥ {quantity}" for sku, units, quantity in figures)
    return Reason(N_("stock %(per_line)s for all lines"), {"per_line": per_line})
