"""One row of facts per order, in SQL: what the metrics' conditions (`kpis/metrics.py`) read.

The order's own columns, and from its timeline (`orders_orderevent`, the statuses it moved
to; an event whose status the OMS did not apply, `status_ignored`, does not count):

- `shipped_at`: first move to partially shipped, shipped or delivered (an order first
  seen already shipped counts from when we received it);
- `delivered_at`: first move to delivered;
- `decided_at`: first acceptance or refusal (or a later step: accepted somewhere else);
- `seller_cancelled`: cancelled in the OMS (the `cancelled` event of `cancel_order`, by a
  person, a rule or the system), not by the marketplace;
- `buyer_asked_cancel`: the seller cancelled and a line carries the buyer's request to cancel;
- `returned`: a return was requested for the order (by the buyer on the marketplace, or opened by
  an operator), whatever became of it (the returns app's table).

Two shapes of the same columns: `lateral` reads the timeline of each selected order
through its index (few orders: the refresh), `grouped` aggregates the whole timeline once
(every order: the full recomputation).
"""

from __future__ import annotations

from returns.models import ReturnRequest

SHIPPED = "('partially_shipped', 'shipped', 'delivered')"
DECIDED = "('accepted', 'refused', 'partially_shipped', 'shipped', 'delivered')"

_AGGREGATES = f"""
    min(ev.created_at) FILTER (WHERE ev.to_status IN {SHIPPED}) AS shipped_at,
    min(ev.created_at) FILTER (WHERE ev.to_status = 'delivered') AS delivered_at,
    min(ev.created_at) FILTER (WHERE ev.to_status IN {DECIDED}) AS decided_at,
    COALESCE(bool_or(ev.kind = 'cancelled'), false) AS seller_cancelled
"""
# Only the events that say something about the metrics.
_RELEVANT_EVENTS = "ev.kind <> 'status_ignored' AND (ev.to_status <> '' OR ev.kind = 'cancelled')"

_COLUMNS = """
    o.id AS order_id, o.account_id, o.status, o.purchased_at, o.ship_by, o.deliver_by, o.acceptance_deadline,
    o.fulfilled_by_marketplace, o.tracking_number, o.carrier,
    e.shipped_at, e.delivered_at, e.decided_at, COALESCE(e.seller_cancelled, false) AS seller_cancelled,
    (COALESCE(e.seller_cancelled, false) AND EXISTS (
        SELECT 1 FROM orders_orderline l WHERE l.order_id = o.id AND l.buyer_requested_cancel
    )) AS buyer_asked_cancel,
    EXISTS (SELECT 1 FROM {returns} r WHERE r.order_id = o.id) AS returned
""".replace("{returns}", ReturnRequest._meta.db_table)


def lateral(where: str) -> str:
    """The facts of the orders `o` matching `where` (SQL over orders_order o), each timeline read by its index."""
    return f"""
        SELECT {_COLUMNS}
        FROM orders_order o
        LEFT JOIN LATERAL (
            SELECT {_AGGREGATES} FROM orders_orderevent ev WHERE ev.order_id = o.id AND {_RELEVANT_EVENTS}
        ) e ON true
        WHERE {where}
    """


def grouped(where: str = "true") -> str:
    """The same facts, the whole timeline aggregated in one pass (for many orders)."""
    return f"""
        SELECT {_COLUMNS}
        FROM orders_order o
        LEFT JOIN (
            SELECT ev.order_id, {_AGGREGATES} FROM orders_orderevent ev WHERE {_RELEVANT_EVENTS} GROUP BY ev.order_id
        ) e ON e.order_id = o.id
        WHERE {where}
    """
