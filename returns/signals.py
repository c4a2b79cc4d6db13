"""What the returns app tells the apps above it (webhooks), after commit.

- `return_created(sender=ReturnRequest, return_request)`: a return was opened (by a buyer or an operator);
- `return_closed(sender=ReturnRequest, return_request)`: nothing is left to do on it;
- `refund_sent(sender=Refund, refund)`: the marketplace took a refund.
"""

from django.dispatch import Signal

return_created = Signal()
return_closed = Signal()
refund_sent = Signal()
