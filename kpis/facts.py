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
  an operator), whatever became of it (the returns app's table);
- `incident`: a claim or an incident was opened on the order (a return request of kind "incident").

The buyers' waits for a reply (`replies`), one row per wait, from the messaging tables:

- answered: an outbound message with its `response_seconds` (set when we replied to a thread that
  needed a reply), unless the platform refused it (`delivery = 'failed'`: the thread needs a reply
  again, and the next reply answers the same wait); `since` is the reply's time minus the wait;
- open: a thread that needs a reply (`needs_reply_since`), with its `reply_by`.

Two shapes of the same columns: `lateral` reads the timeline of each selected order
through its index (few orders: the refresh), `grouped` aggregates the whole timeline once
(every order: the full recomputation).
"""

from __future__ import annotations

from messaging.models import Message, Thread
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
    EXISTS (SELECT 1 FROM {returns} r WHERE r.order_id = o.id AND r.kind = 'return') AS returned,
    EXISTS (SELECT 1 FROM {returns} r WHERE r.order_id = o.id AND r.kind = 'incident') AS incident
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


MESSAGES = Message._meta.db_table
THREADS = Thread._meta.db_table
# When an answered wait began: the reply's time minus how long the buyer waited.
REPLY_SINCE = "(m.created_at - m.response_seconds * interval '1 second')"


def replies(*, since_condition: str, thread_since_condition: str, from_instant: str = "") -> str:
    """One row per wait of a buyer: account_id, order_id, since, replied_at, response_seconds, within_deadline,
    reply_by. `since_condition` filters the answered ones (over REPLY_SINCE, spelled `{since}`), the other the
    open ones (over `t.needs_reply_since`); `from_instant`, a bound on the reply's own time (a reply comes after
    its wait began), lets PostgreSQL skip older messages."""
    bound = f"AND m.created_at >= {from_instant}" if from_instant else ""
    return f"""
        SELECT t.account_id, t.order_id, {REPLY_SINCE} AS since, m.created_at AS replied_at, m.response_seconds,
               m.within_deadline, NULL::timestamptz AS reply_by
        FROM {MESSAGES} m JOIN {THREADS} t ON t.id = m.thread_id
        WHERE m.direction = 'out' AND m.response_seconds IS NOT NULL AND m.delivery <> 'failed' {bound}
          AND {since_condition.replace("{since}", REPLY_SINCE)}
        UNION ALL
        SELECT t.account_id, t.order_id, t.needs_reply_since, NULL, NULL, NULL, t.reply_by
        FROM {THREADS} t
        WHERE t.needs_reply_since IS NOT NULL AND {thread_since_condition}
    """
