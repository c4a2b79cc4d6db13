"""The demo's two example rules, switched on, and their first decisions.

- accept, on Mirakl, the orders under 500 € whose stock is reserved;
- hold for review any order over 1,000 €.
"""

from __future__ import annotations

from orders.models import Order
from orders.status import OrderStatus
from rules import actions
from rules.actions import RuleDefinition

EXAMPLES = (
    RuleDefinition(
        name="Auto-accept Mirakl under 500 € in stock",
        action="accept",
        platforms=("mirakl",),
        conditions=[{"type": "stock"}, {"type": "total", "max": "500", "currency": "EUR"}],
    ),
    RuleDefinition(
        name="Hold orders over 1,000 €",
        action="hold",
        action_reason="Large order: check the buyer before accepting",
        conditions=[{"type": "total", "min": "1000", "currency": "EUR"}],
    ),
)


def create(*, created_by) -> None:
    for definition in EXAMPLES:
        actions.create_rule(definition=definition, created_by=created_by, enabled=True)


def run_on_waiting_orders() -> int:
    """The unattended run, now (no worker may be running yet): the rules on every order to accept."""
    order_ids = list(Order.objects.filter(status=OrderStatus.PENDING_ACCEPTANCE).values_list("pk", flat=True))
    return sum(actions.apply_rules(order_ids=order_ids).values())
