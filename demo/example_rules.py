"""The demo's example rules, switched on, and their first decisions.

- accept, on Mirakl, the orders under 500 € whose stock is reserved;
- hold for review any order over 1,000 €;
- tell Mirakl buyers when their order will ship late (a delay rule, with a French delay template), where
  the order is under 200 €: the others stay proposed to the operator.
"""

from __future__ import annotations

from messaging.delay_rules import NOTIFY_DELAY
from messaging.models import Template, Topic
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


DELAY_TEMPLATE = (
    "Bonjour {buyer_name},\n\nVotre commande {order_number} prend un peu de retard : elle partira dans les "
    "prochaines 48 heures, et vous recevrez son lien de suivi dès son expédition.\n\nToutes nos excuses pour "
    "ce contretemps.\nLe service client"
)


def create(*, created_by) -> None:
    for definition in EXAMPLES:
        actions.create_rule(definition=definition, created_by=created_by, enabled=True)
    template, _ = Template.objects.get_or_create(
        name="Retard d'expédition", language="fr", defaults={"topic": Topic.DELAY, "body": DELAY_TEMPLATE}
    )
    delay_rule = RuleDefinition(
        name="Tell Mirakl buyers of a delay under 200 €",
        action=NOTIFY_DELAY,
        platforms=("mirakl",),
        conditions=[{"type": "total", "max": "200", "currency": "EUR"}],
        action_params={"template": str(template.pk)},
    )
    actions.create_rule(definition=delay_rule, created_by=created_by, enabled=True)


def run_on_waiting_orders() -> int:
    """The unattended run, now (no worker may be running yet): the rules on every order to accept."""
    order_ids = list(Order.objects.filter(status=OrderStatus.PENDING_ACCEPTANCE).values_list("pk", flat=True))
    return sum(actions.apply_rules(order_ids=order_ids).values())
