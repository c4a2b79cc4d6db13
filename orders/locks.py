"""The one order in which the code locks rows, so that two transactions never deadlock.

A transaction that locks rows of several kinds takes them in this order, and the
rows of one kind in primary-key order:

1. **the marketplace account**: only a poll page locks it, first (it renews its
   lease with an UPDATE before it stores anything); `rotate_credentials` locks
   every account, in id order, and nothing else;
2. **orders**, by id: `lock_order`, `lock_known_orders`;
3. **order lines** of orders already locked (nobody locks the lines of an order
   without locking the order first);
4. **stock levels**, by id: `inventory.ledger` (`lock_levels`, conditional UPDATEs);
   a transaction that changes stock in several steps (a poll page: reserving its
   new orders, releasing or consuming its known ones) locks every level it may
   touch up front, through the `stock_about_to_change` signal;
5. the rows that only record what happened: events, reservations, allocations,
   movements, channel publications, outbox messages, bulk-job items.

A lock taken with SKIP LOCKED never waits, so it cannot close a cycle: the
outbox, stock pushes and bulk jobs claim their own rows that way, wherever they are.

What each path takes:
- poll page: account (lease) → the known orders of the page → their stock levels
  → records (`marketplaces.polling`, `orders.actions.ingest_orders`);
- accept / refuse / cancel / ship / refund / triage: one order → its lines → its
  levels (release or consumption, each in id order) → records;
- shipping (`shipping.actions`): one order → its lines (the shipment-line trigger locks each)
  → its levels (consumption) → its shipments and parcels → records; the tracking poll takes a
  carrier account's lease in a statement of its own, then, in one transaction per batch, the
  batch's orders by id, then their shipments by id (`shipping.actions.record_tracking_batch`);
- bulk jobs and rules: one transaction per order, as above (a job's item is
  claimed with SKIP LOCKED in that order's transaction);
- stock counts and imports: levels in id order → records; a receipt: its
  purchase order and lines (only those rows, `of=("self",)`) → levels in id order;
- stock pushes and the outbox: records only, with SKIP LOCKED;
- reservations of back-orders: one order → its levels, one order per transaction.

Locks taken without a SELECT … FOR UPDATE count too: an UPDATE locks its row, and
an INSERT referencing a row takes a FOR KEY SHARE lock on it, which conflicts
only with deleting that row or changing its key (so an outbox message written
for an account does not wait for a poll renewing that account's lease).

A row lock names the rows it means: `select_for_update(of=("self",))` wherever
the query joins another table, or PostgreSQL locks the joined rows as well (an
operator's cancel once locked the order's account with it, and deadlocked
against the poll of that account).
"""

from __future__ import annotations

from orders.models import Order

# Every order lock is FOR NO KEY UPDATE (here and in ingest): rows that only point at the
# order (its events, outbox messages) can still be written by others while it is locked,
# and no transaction ever has to upgrade its lock on an order.


def lock_order(order_id: int) -> Order:
    """Lock one order until commit (not its account, which comes joined for reading)."""
    return Order.objects.select_for_update(of=("self",), no_key=True).select_related("account").get(pk=order_id)


def lock_known_orders(*, account, marketplace_order_ids) -> dict[str, int]:
    """Lock, in id order, the orders of this account we already hold among these marketplace
    ids; returns marketplace order id → order id. The caller then locks their stock."""
    found = (
        Order.objects.select_for_update(no_key=True)
        .filter(account=account, marketplace_order_id__in=list(marketplace_order_ids))
        .order_by("pk")
        .values_list("marketplace_order_id", "pk")
    )
    return dict(found)
