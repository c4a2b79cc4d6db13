"""Carrier rules as admins change them (page and API): create, edit, switch on or off, move up or
down, and a dry run over the open orders. Positions are renumbered 10, 20, 30… on each move, so the
order people see is the order `shipping.carrier_choice` tries. Every change is in the audit trail
(django-auditlog, registered in shipping.apps)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from oms.access.selectors import within_scope
from oms.errors import InvalidInput
from orders.models import Order
from orders.status import OrderStatus
from shipping import carrier_choice
from shipping.models import CarrierRule

OPEN = (OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_SHIPPED)
DRY_RUN_ORDERS = 100


def rule_list():
    return CarrierRule.objects.select_related("service__carrier", "warehouse").order_by("position", "pk")


@transaction.atomic
def move_rule(*, rule_id: int, direction: str) -> CarrierRule:
    """One place up or down; every rule's position renumbered in steps of 10."""
    if direction not in ("up", "down"):
        raise InvalidInput(_("Move up or down."), details={"direction": direction})
    rules = list(CarrierRule.objects.select_for_update().order_by("position", "pk"))
    index = next((i for i, rule in enumerate(rules) if rule.pk == rule_id), None)
    if index is None:
        raise CarrierRule.DoesNotExist
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(rules):
        rules[index], rules[other] = rules[other], rules[index]
    for number, rule in enumerate(rules, start=1):
        if rule.position != number * 10:
            rule.position = number * 10
            rule.save(update_fields=["position"])  # one by one: each move is in the audit trail
    return next(rule for rule in rules if rule.pk == rule_id)


def set_enabled(*, rule_id: int, enabled: bool) -> CarrierRule:
    rule = CarrierRule.objects.get(pk=rule_id)
    rule.enabled = enabled
    rule.save(update_fields=["enabled"])
    return rule


def open_orders(*, user, limit: int = DRY_RUN_ORDERS):
    """The most recent orders still to ship that the user may see (a dry run's sample)."""
    orders = Order.objects.filter(status__in=OPEN, fulfilled_by_marketplace=False).select_related("account")
    return list(within_scope(orders, user=user).prefetch_related("lines").order_by("-purchased_at", "-pk")[:limit])


def dry_run(*, user, trying: CarrierRule | None = None) -> list[carrier_choice.Choice]:
    """What carrier choice proposes for the open orders with the rules switched on, plus `trying`
    (a rule switched off, tried in its place) when given. Changes nothing."""
    rules = [rule for rule in rule_list() if rule.enabled or (trying is not None and rule.pk == trying.pk)]
    return carrier_choice.dry_run(open_orders(user=user), rules)
