"""Migration 0002 turns allocations' English explanations into reasons and parameters."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from inventory.models import OrderAllocation

BEFORE = [("inventory", "0002_publication_message_outbox")]
AFTER = [("inventory", "0003_allocation_reason")]

# Old explanation → (reason, params) after the migration.
CASES = {
    "Unknown SKU NOT-OURS, GONE: not in the catalogue, nothing reserved.": (
        "stock_unknown_sku",
        {"skus": ["NOT-OURS", "GONE"]},
    ),
    "The order has no line to reserve.": ("stock_no_lines", {}),
    "Reserved in Lyon (main), the first warehouse by priority that can ship the whole order (Paris lacks KETTLE 1/2, MUG 0/1).": (
        "stock_reserved",
        {"warehouse": "Lyon (main)", "passed_over": [{"warehouse": "Paris", "short": ["KETTLE 1/2", "MUG 0/1"]}]},
    ),
    "Reserved in Lyon, the first warehouse by priority that can ship the whole order.": (
        "stock_reserved",
        {"warehouse": "Lyon", "passed_over": []},
    ),
    "Back-order: no warehouse can ship the whole order (KETTLE needs 2, 1 available in all, MUG needs 1, 0 available in all; Lyon lacks KETTLE 1/2).": (
        "stock_backorder",
        {
            "missing": [{"sku": "KETTLE", "needed": 2, "available": 1}, {"sku": "MUG", "needed": 1, "available": 0}],
            "passed_over": [{"warehouse": "Lyon", "short": ["KETTLE 1/2"]}],
        },
    ),
    "Released: the order was Annulée.": ("stock_released", {"status": "cancelled"}),
    "Nothing held: the order was Refused.": ("stock_nothing_held", {"status": "refused"}),
    "Shipped from Lyon: the units left the stock.": ("stock_consumed", {"warehouse": "Lyon"}),
    "Shipped: nothing known in stock was taken.": ("stock_nothing_consumed", {}),
    "Counted by hand on Monday": ("", {"legacy_text": "Counted by hand on Monday"}),
}


def migrate(targets):
    """Take inventory to `targets` and every other app to its latest state (their models as they are now)."""
    executor = MigrationExecutor(connection)
    targets = targets + [node for node in executor.loader.graph.leaf_nodes() if node[0] != "inventory"]
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_old_explanations_become_reasons_that_read_in_french():
    try:
        apps = migrate(BEFORE)
        account = apps.get_model("marketplaces", "MarketplaceAccount").objects.create(
            platform="mirakl", name="Conforama"
        )
        now = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
        Order, Allocation = apps.get_model("orders", "Order"), apps.get_model("inventory", "OrderAllocation")
        for number, explanation in enumerate(CASES):
            order = Order.objects.create(
                account=account,
                marketplace_order_id=f"C-{number}",
                status="cancelled",
                purchased_at=now,
                marketplace_updated_at=now,
                currency="EUR",
                total_amount=Decimal("10"),
                content_hash="x",
            )
            Allocation.objects.create(order=order, status="released", explanation=explanation)
        migrate(AFTER)
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    allocations = list(OrderAllocation.objects.order_by("order__marketplace_order_id"))
    assert [(allocation.reason, allocation.params) for allocation in allocations] == list(CASES.values())
    with translation.override("fr"):
        french = [allocation.explanation for allocation in allocations]
    assert french[5] == "Libéré : la commande est « Annulée »."
    assert french[4].startswith(
        "En attente de stock : aucun entrepôt ne peut expédier toute la commande (KETTLE : 2 nécessaires"
    )
    assert french[-1] == "Counted by hand on Monday"
    with translation.override("en"):
        assert [allocation.explanation for allocation in allocations][2] == (
            "Reserved in Lyon (main), the first warehouse by priority that can ship the whole order (Paris lacks KETTLE 1/2, MUG 0/1)."
        )
