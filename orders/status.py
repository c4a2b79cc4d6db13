"""Canonical order states and the transitions allowed between them (data, not code)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from orders.canonical import CanonicalStatus as S


class OrderStatus(models.TextChoices):
    AWAITING_PAYMENT = S.AWAITING_PAYMENT, _("Awaiting payment")  # placed, not paid: do not ship
    PENDING_ACCEPTANCE = S.PENDING_ACCEPTANCE, _("To accept")  # the seller must accept or refuse
    ACCEPTED = S.ACCEPTED, _("To ship")  # accepted (or paid, where there is no acceptance step)
    PARTIALLY_SHIPPED = S.PARTIALLY_SHIPPED, _("Partially shipped")
    SHIPPED = S.SHIPPED, _("Shipped")
    DELIVERED = S.DELIVERED, _("Delivered")
    REFUSED = S.REFUSED, _("Refused")  # the seller said no before accepting
    CANCELLED = S.CANCELLED, _("Cancelled")  # by the buyer, the platform or the seller


# Moves an operator, a rule or the marketplace may make, one step at a time.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.AWAITING_PAYMENT: frozenset({S.PENDING_ACCEPTANCE, S.ACCEPTED, S.CANCELLED}),
    S.PENDING_ACCEPTANCE: frozenset({S.ACCEPTED, S.REFUSED, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.PARTIALLY_SHIPPED, S.SHIPPED, S.CANCELLED}),
    S.PARTIALLY_SHIPPED: frozenset({S.SHIPPED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset(),
    S.REFUSED: frozenset(),
    S.CANCELLED: frozenset(),
}

# The main path, in order. The marketplace may report a later step than the
# next one (a poll can miss intermediate states); it never moves an order back.
MAIN_PATH = (S.AWAITING_PAYMENT, S.PENDING_ACCEPTANCE, S.ACCEPTED, S.PARTIALLY_SHIPPED, S.SHIPPED, S.DELIVERED)

TERMINAL = frozenset(status for status, targets in TRANSITIONS.items() if not targets)

# Done with, for the operator: nothing left to accept or ship, no deadline to beat (a shipped
# order may still be delivered, but by the carrier).
CLOSED = frozenset({S.SHIPPED, S.DELIVERED, S.REFUSED, S.CANCELLED})


def is_allowed(current: str, target: str) -> bool:
    return target in TRANSITIONS[current]


def marketplace_may_move(current: str, target: str) -> bool:
    """A status reported by the marketplace is applied when it moves the order forward."""
    if is_allowed(current, target):
        return True
    if current in MAIN_PATH and target in MAIN_PATH:
        return MAIN_PATH.index(target) > MAIN_PATH.index(current)
    return False
