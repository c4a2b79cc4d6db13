"""What an order's decisions tell its marketplace: the outbox kinds orders emits, and their addresses.

Orders names the kinds and writes the messages; the marketplaces app declares how each is
sent (marketplaces/outbox_kinds.py). An order's messages go out in order (`ordering_key`)
and are listed on its page (`subject`).
"""

from __future__ import annotations

ACCEPT = "marketplace.accept"
REFUSE = "marketplace.refuse"
CANCEL = "marketplace.cancel"
SHIP = "marketplace.ship"
REFUND = "marketplace.refund"
KINDS = (ACCEPT, REFUSE, CANCEL, SHIP, REFUND)


def verb(kind: str) -> str:
    """What the order's timeline calls a push: "accept" for marketplace.accept."""
    return kind.removeprefix("marketplace.")


MARKETPLACE_PREFIX = "marketplace:"
ORDER_PREFIX = "order:"


def marketplace_destination(account_id: int) -> str:
    return f"{MARKETPLACE_PREFIX}{account_id}"


def account_id_of(destination: str) -> int | None:
    """The marketplace account a destination names; None for any other destination."""
    return int(destination.removeprefix(MARKETPLACE_PREFIX)) if destination.startswith(MARKETPLACE_PREFIX) else None


def order_subject(order_id: int) -> str:
    return f"{ORDER_PREFIX}{order_id}"


def order_id_of(subject: str) -> int | None:
    """The order a subject names; None for any other subject."""
    return int(subject.removeprefix(ORDER_PREFIX)) if subject.startswith(ORDER_PREFIX) else None
