"""Run the rules unattended on every new order, after the ingest transaction commits."""

from __future__ import annotations

import logging

from django.db import transaction

from rules.models import Rule, RuleAction
from rules.tasks import apply_rules_to_orders

logger = logging.getLogger(__name__)

BATCH_SIZE = 200  # order ids per task


def queue_rules_for_new_orders(sender, *, account, orders, **kwargs) -> None:
    """`orders_received` receiver: after commit, queue one task per batch of new orders."""
    order_ids = [order.pk for order in orders]
    if order_ids:
        transaction.on_commit(lambda: _queue(order_ids))


def _queue(order_ids: list[int]) -> None:
    if not Rule.objects.filter(enabled=True, action__in=RuleAction.values).exists():
        return
    for start in range(0, len(order_ids), BATCH_SIZE):
        try:
            apply_rules_to_orders.delay(order_ids[start : start + BATCH_SIZE])
        except Exception:  # the broker is down: apply_rules_to_undecided_orders catches them up later
            logger.warning("could not queue the rules for %d new orders", len(order_ids), exc_info=True)
