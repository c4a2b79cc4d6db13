"""What the platforms do on their own as time passes, and what buyers do.

`sweep` applies every due timer of every order: Amazon Pending → Unshipped (and AFN orders
shipped by Amazon), Octopia Processing → WaitingAcceptance, Mirakl WAITING_ACCEPTANCE and
Octopia WaitingAcceptance past their deadline → refused by the platform, delivery a few
days after shipping, scheduled buyer cancellations. Each change moves `updated_at`.
"""

from __future__ import annotations

import secrets

from .generate import DELIVERY_DELAY
from .mirakl_incidents import open_incident
from .mirakl_returns import open_return
from .wire import iso, money

STATUSES = {
    "amazon": (
        "Pending",
        "Unshipped",
        "PartiallyShipped",
        "Shipped",
        "Canceled",
        "Unfulfillable",
        "InvoiceUnconfirmed",
        "PendingAvailability",
    ),
    "ebay": ("NOT_STARTED", "IN_PROGRESS", "FULFILLED"),
    "mirakl": (
        "STAGING",
        "WAITING_ACCEPTANCE",
        "WAITING_DEBIT",
        "WAITING_DEBIT_PAYMENT",
        "SHIPPING",
        "SHIPPED",
        "TO_COLLECT",
        "RECEIVED",
        "CLOSED",
        "REFUSED",
        "CANCELED",
    ),
    "cdiscount": (
        "Processing",
        "WaitingAcceptance",
        "Accepted",
        "Refused",
        "InPreparation",
        "Shipped",
        "Delivered",
        "Cancelled",
    ),
}
CDISCOUNT_LINE_STATUS = {"Processing": "WaitingAcceptance", "InPreparation": "Accepted"}
BUYER_CANCEL_REASON = "Buyer changed their mind"


FINAL_LINE_STATUSES = ("REFUSED", "CANCELED", "Refused", "Cancelled")


def set_status(world, order: dict, status: str, *, lines_too: bool = True) -> None:
    """Move an order (and by default its lines, except refused or cancelled ones) to `status`, now."""
    platform = order["platform"]
    order["status"] = status
    if lines_too and platform != "amazon":
        line_status = CDISCOUNT_LINE_STATUS.get(status, status) if platform == "cdiscount" else status
        for line in order["lines"]:
            if line["status"] not in FINAL_LINE_STATUSES:
                line["status"] = line_status
    world.touch(order)


def force_status(world, order: dict, status: str) -> None:
    """Put a freshly generated order straight into `status` (admin API). Raises ValueError."""
    if status not in STATUSES[order["platform"]]:
        raise ValueError(f"status must be one of {STATUSES[order['platform']]}")
    now = world.now()
    set_status(world, order, status)
    if status not in ("Pending", "Processing"):
        order["pending_until"] = None
    if status in ("Shipped", "SHIPPED", "FULFILLED", "Delivered", "RECEIVED", "CLOSED", "InvoiceUnconfirmed"):
        order["shipped_at"] = iso(now)
        for line in order["lines"]:
            line["quantity_shipped"] = line["quantity"]


def sweep(world) -> None:
    """Apply every timer that is due on the world clock."""
    now = world.now()
    stamp, delivered_before = iso(now), iso(now - DELIVERY_DELAY)
    with world.lock:
        for orders in world.orders.values():
            for order in orders.values():
                _sweep_order(world, order, stamp, delivered_before)


def _due(value: str | None, stamp: str) -> bool:
    return bool(value) and value <= stamp


def _sweep_order(world, order: dict, stamp: str, delivered_before: str) -> None:
    platform, status = order["platform"], order["status"]
    if _due(order.get("buyer_cancel_at"), stamp):
        order["buyer_cancel_at"] = None
        buyer_cancel(world, order, BUYER_CANCEL_REASON)
        status = order["status"]
    if platform == "amazon":
        if status == "Pending" and _due(order.get("pending_until"), stamp):
            order["pending_until"] = None
            set_status(world, order, "Unshipped")
        elif status == "Unshipped" and _due(order.get("afn_ship_at"), stamp):
            for line in order["lines"]:
                line["quantity_shipped"] = line["quantity"]
            order["shipped_at"] = stamp
            set_status(world, order, "Shipped")
    elif platform == "cdiscount":
        if status == "Processing" and _due(order.get("pending_until"), stamp):
            order["pending_until"] = None
            set_status(world, order, "WaitingAcceptance")
        elif status == "WaitingAcceptance" and _due(order.get("acceptance_deadline"), stamp):
            set_status(world, order, "Refused")
            world.record_action(order["account"], order["id"], "expired_by_platform")
        elif status == "Shipped" and _due(order.get("shipped_at"), delivered_before):
            order["delivered_at"] = stamp
            set_status(world, order, "Delivered")
    elif platform == "mirakl":
        if status == "WAITING_ACCEPTANCE" and _due(order.get("acceptance_deadline"), stamp):
            set_status(world, order, "REFUSED")
            world.record_action(order["account"], order["id"], "expired_by_platform")
        elif status == "SHIPPED" and _due(order.get("shipped_at"), delivered_before):
            order["delivered_at"] = stamp
            set_status(world, order, "RECEIVED")
            if order.get("return_after_delivery"):
                open_return(world, order)
            elif order.get("incident_after_delivery"):
                open_incident(world, order)


def buyer_cancel(world, order: dict, reason: str = BUYER_CANCEL_REASON) -> bool:
    """The buyer cancels (or asks to): True when it changed anything."""
    platform, status = order["platform"], order["status"]
    applied = False
    if platform == "amazon":
        if status == "Pending":
            set_status(world, order, "Canceled")
            applied = True
        elif status in ("Unshipped", "PartiallyShipped") and not order["fulfilled_by_marketplace"]:
            for line in order["lines"]:
                if line["quantity_shipped"] < line["quantity"]:
                    line["buyer_cancel_requested"] = True
            order["buyer_cancel"] = {"reason": reason, "requested_at": iso(world.now())}
            world.touch(order)
            applied = True
    elif platform == "ebay":
        if status in ("NOT_STARTED", "IN_PROGRESS") and not order.get("cancel"):
            order["buyer_cancel"] = {
                "reason": reason,
                "requested_at": iso(world.now()),
                "id": str(5_000_000_000 + secrets.randbelow(999_999_999)),
                "state": "REQUESTED",
            }
            world.touch(order)
            applied = True
    elif platform == "mirakl":
        if status in ("STAGING", "WAITING_ACCEPTANCE", "WAITING_DEBIT", "WAITING_DEBIT_PAYMENT", "SHIPPING"):
            cancel_all_lines(world, order, reason_code="CUSTOMER")
            set_status(world, order, "CANCELED")
            applied = True
    elif status in ("Processing", "WaitingAcceptance", "Accepted"):
        set_status(world, order, "Cancelled")
        applied = True
    if applied:
        world.record_action(order["account"], order["id"], "buyer_cancel", {"reason": reason})
    return applied


def cancel_all_lines(world, order: dict, *, reason_code: str) -> None:
    """Record a cancelation of every unshipped quantity (Mirakl keeps them per line)."""
    for line in order["lines"]:
        remaining = line["quantity"] - line["quantity_shipped"] - line["quantity_cancelled"]
        if remaining <= 0:
            continue
        amount = money(line["unit_price"]) * remaining
        order["cancelations"].append(
            {
                "id": str(1000 + len(order["cancelations"]) + secrets.randbelow(10_000_000)),
                "line_id": line["id"],
                "quantity": remaining,
                "amount": str(amount),
                "shipping_amount": line["shipping_price"],
                "reason_code": reason_code,
                "created_at": iso(world.now()),
            }
        )
        line["quantity_cancelled"] += remaining
