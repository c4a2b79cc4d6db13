"""What other apps may react to, inside the transaction of the stock change.

- `stock_low(sender=Product, product_ids)`: these products' available quantity (every
  warehouse) just fell to their low-stock threshold or below, from above it. Sent once per
  crossing, not on every change while low; products without a threshold never are.
"""

from django.dispatch import Signal

stock_low = Signal()
