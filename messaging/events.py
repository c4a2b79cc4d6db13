"""The order timeline's messaging events (declared here, above orders; see orders/events.py)."""

from django.utils.translation import gettext_lazy as _

from orders.events import declare

BUYER_TOLD_ACCEPTED = declare(
    "buyer_told_accepted",
    label=_("Buyer told: accepted"),
    template=_("The buyer was told on %(platform)s that the order is accepted."),
)
BUYER_TOLD_SHIPPED = declare(
    "buyer_told_shipped",
    label=_("Buyer told: shipped"),
    template=_("The buyer was told on %(platform)s that the order has shipped, with its tracking link."),
)
BUYER_TOLD_DELAYED = declare(
    "buyer_told_delayed",
    label=_("Buyer told: delay"),
    template=_("The buyer was told on %(platform)s that the order will ship late."),
)
BUYER_TOLD_DELIVERED = declare(
    "buyer_told_delivered",
    label=_("Buyer told: delivered"),
    template=_("The buyer was told on %(platform)s that the carrier delivered the order."),
)
REVIEW_REQUESTED = declare(
    "review_requested",
    label=_("Review requested"),
    template=_("The buyer was asked on %(platform)s for a product review and seller feedback."),
)
