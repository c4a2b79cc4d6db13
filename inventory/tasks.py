"""Celery tasks of the inventory: thin, idempotent, safe to run twice or concurrently."""

from celery import shared_task

from inventory import actions


@shared_task(name="inventory.push_stock", ignore_result=True)
def push_stock() -> dict:
    """Calls actions.queue_stock_pushes: one coalesced STOCK message per due account."""
    return actions.queue_stock_pushes()


@shared_task(name="inventory.retry_backorders", ignore_result=True)
def retry_backorders() -> int:
    """Calls actions.retry_backorders: back-orders reserve again once stock came in."""
    return actions.retry_backorders()
