"""Celery tasks of the order rules: thin, idempotent, safe to run twice."""

from celery import shared_task

from rules import actions


@shared_task(name="order_rules.apply_rules_to_orders", ignore_result=True)
def apply_rules_to_orders(order_ids: list[int]) -> dict[str, int]:
    """Calls actions.apply_rules; a rule that already acted on an order does not act again."""
    return actions.apply_rules(order_ids=order_ids)


@shared_task(name="order_rules.apply_rules_to_undecided_orders", ignore_result=True)
def apply_rules_to_undecided_orders() -> dict[str, int]:
    """Beat's catch-up: calls actions.apply_rules_to_undecided_orders (orders the unattended run missed)."""
    return actions.apply_rules_to_undecided_orders()
