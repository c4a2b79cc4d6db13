"""What other apps may react to, inside the transaction of the change.

Inventory reserves stock when orders arrive and releases or consumes it when
their status changes; the rules engine queues its run on new orders (after
commit). Receivers run in the sender's transaction: an exception rolls the
change back, so a receiver must only raise for a change that must not happen.

- `orders_received(sender=Order, account, orders)`: orders seen for the first time.
- `order_status_changed(sender=Order, order, before, after, actor)`: any status move,
  by a user, a rule or the marketplace.
- `stock_about_to_change(sender=Order, account, order_ids, skus)`: a transaction that
  will change the stock of several orders in several steps (a poll page) is about to
  start; it holds these orders locked, and receivers lock the stock they may need for
  them and for these SKUs now, in one go (the lock order of orders/locks.py).
"""

from django.dispatch import Signal

orders_received = Signal()
order_status_changed = Signal()
stock_about_to_change = Signal()
